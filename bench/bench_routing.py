"""Routing benchmark: classification per item, and routing against a store already holding
0, 10,000 and 100,000 items of one commune plus a flood of 1,000 near-identical petitions
(`bench/routing_store.py`).

Run ``.venv/bin/python -m bench.bench_routing`` (``--sizes 0,1000 --flood 200`` for a quick
check); prints one JSON line. Texts are synthetic Vietnamese petitions built from the term lists
below (not the labelled sample), a fifth of them typed without diacritics and some with chat
abbreviations, as residents write them.
Targets: classify < 2 ms per item; look-up (classify + fingerprint + index reads + scoring)
< 20 ms median at every size; routing's rate with the most items stored >= 0.8x its rate with
none; the flood's rate >= 0.8x the rate of as many mixed petitions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import unicodedata

from services.routing.classifier import RuleSet, classify

SEED = 20170325
CLASSIFY_CALLS = 2500
SIZES = (0, 10_000, 100_000)
LOOKUPS = 300
ROUTED = 500
FLOOD = 1_000
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


def main(argv: list[str] | None = None) -> int:
    from bench import routing_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="items stored before, comma-separated"
    )
    parser.add_argument("--lookups", type=int, default=LOOKUPS, help="look-ups timed one by one per size")
    parser.add_argument("--routed", type=int, default=ROUTED, help="items routed 32 at a time per size")
    parser.add_argument("--flood", type=int, default=FLOOD, help="near-identical petitions (0: none)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rng = random.Random(SEED)
    rules = RuleSet.load_default()
    texts = [synthetic_text(rng)[0] for _ in range(CLASSIFY_CALLS)]
    for text in texts[:200]:  # warm caches
        classify(text, rules)
    classification = bench_classify(rules, texts)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    store = routing_store.run(sizes, args.lookups, args.routed, args.flood, SEED)
    lookups_met = all(row["lookup_median_ms"] < TARGET_LOOKUP_MS for row in store["curve"])
    out = {
        "classify": classification,
        "store": store,
        "targets": {
            "classify_ms": TARGET_CLASSIFY_MS,
            "lookup_ms": TARGET_LOOKUP_MS,
            "classify_met": classification["median_ms"] < TARGET_CLASSIFY_MS,
            "lookup_met": lookups_met,
            "largest_met": store["targets"]["largest_met"],
            "flood_met": store["targets"]["flood_met"],
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
    return 0 if all(v for k, v in out["targets"].items() if k.endswith("_met")) else 1


if __name__ == "__main__":
    sys.exit(main())
