"""Routing benchmark: classification per item and recurrence look-up against 100,000 items.

Run ``.venv/bin/python -m bench.bench_routing``; prints one JSON line. Texts are synthetic
Vietnamese petitions built from the term lists below (not the labelled sample), a fifth of
them typed without diacritics and some with chat abbreviations, as residents write them.
Targets: classify < 2 ms per item, look-up (fingerprint + candidate fetch + scoring) < 20 ms.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
import unicodedata

from services.routing.classifier import RuleSet, classify
from services.routing.recurrence import CANDIDATE_LIMIT, Candidate, InMemoryIndex, best_match, fingerprint

SEED = 20170325
CLASSIFY_CALLS = 2500
STORED = 100_000
LOOKUPS = 500
TARGET_CLASSIFY_MS = 2.0
TARGET_LOOKUP_MS = 20.0

HAMLETS = (
    "ấp Chợ",
    "ấp Căn Cứ",
    "ấp Bến Đò",
    "ấp Mới",
    "ấp Kênh Xáng",
    "ấp Bình Hưng",
    "ấp Rạch Tràm",
    "ấp Phước Hòa",
    "ấp Tân Long",
    "ấp Cây Da",
)
PLACES = (
    "tổ 3",
    "đầu kênh",
    "gần chợ",
    "cuối xóm",
    "ngã ba vô ấp",
    "sau trường tiểu học",
    "đoạn qua cầu sắt",
    "khu dân cư mới",
    "ven sông",
    "trước nhà văn hóa",
)
ISSUES = {
    1: (
        "khu dân cư bị quy hoạch treo nhiều năm",
        "chưa công bố quy hoạch chi tiết",
        "đất nằm trong quy hoạch không được tách thửa",
        "chỉnh trang đô thị khu trung tâm",
    ),
    2: (
        "hộ dân xây nhà không phép lấn lộ giới",
        "hàng xóm lấn ranh đất",
        "cấp sổ đỏ chậm",
        "chuyển mục đích sử dụng đất",
        "khai thác cát trái phép",
    ),
    3: (
        "lộ đal bể nát nhiều đoạn",
        "cống thoát nước bị nghẹt, mưa là ngập",
        "cây cầu khỉ đã mục",
        "đường bê tông xuống cấp, ổ gà",
        "hẻm nhỏ xe cứu thương không vô được",
    ),
    4: (
        "rác thải đổ bừa bãi ven kênh",
        "trại heo xả nước thải ra mương",
        "xe thu gom rác một tuần mới tới một lần",
        "bãi rác tự phát bốc mùi hôi thối",
    ),
    5: (
        "thanh niên đua xe, lạng lách ban đêm",
        "trộm gà, trộm xe xảy ra liên tục",
        "sạp hàng lấn chiếm lòng đường gây kẹt xe",
        "có dấu hiệu sử dụng ma túy ở nhà trọ",
        "cho vay nặng lãi, đòi nợ kiểu xã hội đen",
    ),
    6: (
        "hồ sơ khai sinh nộp hai tuần chưa trả kết quả",
        "thủ tục hành chính rườm rà, phải đi nhiều lần",
        "cán bộ một cửa hướng dẫn mỗi lần một kiểu",
        "chưa niêm yết công khai phí, lệ phí",
    ),
    0: (
        "thẻ bảo hiểm y tế chưa được cấp lại",
        "trạm y tế thiếu thuốc",
        "tiền điện tăng cao bất thường",
        "chưa nhận trợ cấp người cao tuổi",
    ),
}
OPENERS = (
    "",
    "Bà con phản ánh",
    "Tôi xin phản ánh",
    "Chi hội Nông dân kiến nghị",
    "Ban công tác Mặt trận ấp đề nghị",
)
ASKS = (
    "Đề nghị xã kiểm tra, xử lý.",
    "Xin lãnh đạo xã trả lời dứt điểm.",
    "Đề nghị xã sớm giải quyết.",
    "Bà con đã phản ánh nhiều lần mà chưa được giải quyết.",
    "Xin cho biết bao giờ làm?",
)
DURATIONS = ("từ năm ngoái", "hơn 2 năm nay", "mấy tháng nay", "từ đầu năm", "")
# Real petitions name people, landmarks and numbers; without them 100,000 texts would be a few
# thousand templates repeated, which no commune writes.
SYLLABLES = (
    "Cái",
    "Sao",
    "Ông",
    "Đội",
    "Bà",
    "Bầu",
    "Phước",
    "Long",
    "Tân",
    "Hòa",
    "Bình",
    "Mỹ",
    "An",
    "Thạnh",
    "Lợi",
    "Đông",
    "Tây",
    "Nhỏ",
    "Lớn",
    "Miễu",
    "Trâm",
    "Bần",
    "Gừa",
    "Sậy",
    "Dừa",
    "Xoài",
    "Cát",
    "Vàm",
    "Lung",
    "Trại",
)
LANDMARKS = ("rạch", "kênh", "cầu", "chùa", "miễu", "xóm", "vàm", "bờ bao", "lung", "đường")
PEOPLE = ("ông", "bà", "anh", "chị", "chú", "cô")
GIVEN = (
    "Năm",
    "Sáu",
    "Bảy",
    "Tám",
    "Chín",
    "Mười",
    "Út",
    "Hai",
    "Ba",
    "Tư",
    "Lộc",
    "Phúc",
    "Hùng",
    "Dũng",
    "Tâm",
    "Thảo",
    "Lan",
    "Mai",
    "Hòa",
    "Bình",
    "Tài",
    "Đức",
    "Nghĩa",
    "Hiếu",
)
OBJECTS = ("nhà", "đất", "vườn", "ao", "ruộng", "tiệm", "quán", "xưởng", "kho", "trại")


def _detail(rng: random.Random) -> str:
    return rng.choice(
        (
            f"gần {rng.choice(LANDMARKS)} {rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}",
            f"chỗ {rng.choice(OBJECTS)} {rng.choice(PEOPLE)} {rng.choice(GIVEN)} {rng.choice(GIVEN)}",
            f"đoạn dài khoảng {rng.randrange(50, 2000, 10)} m",
            f"có {rng.randrange(2, 60)} hộ bị ảnh hưởng",
            f"số nhà {rng.randrange(1, 400)}/{rng.randrange(1, 40)}",
        )
    )


CHAT = {"không": "ko", "được": "dc", "rồi": "r", "kiểm tra": "ktra", "giấy phép xây dựng": "GPXD"}


def strip_diacritics(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def synthetic_text(rng: random.Random) -> tuple[str, str, int]:
    topic = rng.choice(tuple(ISSUES))
    hamlet = rng.choice(HAMLETS)
    issues = rng.sample(ISSUES[topic], k=rng.choice((1, 1, 2)))
    if rng.random() < 0.2:  # a second topic mentioned in passing
        issues.append(rng.choice(ISSUES[rng.choice(tuple(ISSUES))]))
    text = " ".join(
        part
        for part in (
            rng.choice(OPENERS),
            f"ở {rng.choice(PLACES)} {hamlet}",
            _detail(rng),
            ", ".join(issues),
            _detail(rng) if rng.random() < 0.5 else "",
            rng.choice(DURATIONS) + ".",
            rng.choice(ASKS),
        )
        if part
    )
    if rng.random() < 0.3:
        for full, short in CHAT.items():
            text = text.replace(full, short)
    if rng.random() < 0.2:
        text = strip_diacritics(text)
    return text, hamlet, topic


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 4)


def bench_classify(rules: RuleSet, texts: list[str]) -> dict:
    timings = []
    for text in texts:
        start = time.perf_counter()
        classify(text, rules)
        timings.append(time.perf_counter() - start)
    return {
        "calls": len(timings),
        "median_ms": _ms(statistics.median(timings)),
        "p99_ms": _ms(statistics.quantiles(timings, n=100)[98]),
    }


def bench_lookup(rng: random.Random) -> dict:
    index = InMemoryIndex()
    start = time.perf_counter()
    for n in range(STORED):
        text, hamlet, topic = synthetic_text(rng)
        fp = fingerprint(text)
        index.add(Candidate(f"S{n}", "bench", 2017 + n % 9, hamlet, topic, fp.tokens, f"S{n}", text), fp.keys)
    build = time.perf_counter() - start
    timings, sizes, matches = [], [], 0
    for _ in range(LOOKUPS):
        text, hamlet, topic = synthetic_text(rng)
        start = time.perf_counter()
        fp = fingerprint(text)
        found = index.candidates(fp.keys, limit=CANDIDATE_LIMIT)
        match = best_match(fp, hamlet=hamlet, topic=topic, candidates=found)
        timings.append(time.perf_counter() - start)
        sizes.append(len(found))
        matches += match is not None
    return {
        "stored": STORED,
        "build_s": round(build, 2),
        "lookups": LOOKUPS,
        "median_ms": _ms(statistics.median(timings)),
        "p99_ms": _ms(statistics.quantiles(timings, n=100)[98]),
        "candidates_median": int(statistics.median(sizes)),
        "candidates_max": max(sizes),
        "matched": matches,
    }


def main() -> int:
    started = time.perf_counter()
    rng = random.Random(SEED)
    rules = RuleSet.load_default()
    texts = [synthetic_text(rng)[0] for _ in range(CLASSIFY_CALLS)]
    for text in texts[:200]:  # warm caches
        classify(text, rules)
    classification = bench_classify(rules, texts)
    lookup = bench_lookup(rng)
    out = {
        "classify": classification,
        "lookup": lookup,
        "targets": {
            "classify_ms": TARGET_CLASSIFY_MS,
            "lookup_ms": TARGET_LOOKUP_MS,
            "classify_met": classification["median_ms"] < TARGET_CLASSIFY_MS,
            "lookup_met": lookup["median_ms"] < TARGET_LOOKUP_MS and lookup["p99_ms"] < TARGET_LOOKUP_MS,
        },
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
        },
        "total_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
