import subprocess
import sys
from pathlib import Path

import pytest

from services.routing.recurrence import (
    BANDS,
    Candidate,
    InMemoryIndex,
    Match,
    best_match,
    fingerprint,
    hamlet_key,
    places,
    places_agree,
    same_hamlet,
    similarity,
    summarise,
)

ACCENTED = "Đèn đường trên lộ vô xóm Bến Đò hư hết rồi, tối thui, hay bị giật điện thoại."
UNACCENTED = "den duong tren lo vo xom Ben Do hu het roi, toi thui, hay bi giat dien thoai"
ABBREVIATED = "Đèn đường trên lộ vô xóm Bến Đò hư hết r, tối thui, hay bị giật đt."
REPO = Path(__file__).resolve().parents[2]
FIXED_TEXT = "Lộ đal ấp Rạch Tràm bể nát, đề nghị xã sửa chữa"


def candidate(sid, text, *, hamlet="ấp Bến Đò", topic=3, year=2017, cluster=None, answer=None):
    return Candidate(
        submission_id=sid,
        dialogue_id="demo-2017",
        year=year,
        hamlet=hamlet,
        topic=topic,
        tokens=fingerprint(text).tokens,
        cluster_id=cluster or sid,
        text=text,
        answer=answer,
    )


def test_accented_and_unaccented_twins_have_the_same_fingerprint():
    assert fingerprint(ACCENTED) == fingerprint(UNACCENTED)


def test_abbreviated_twin_is_near_equal():
    assert similarity(fingerprint(ACCENTED), fingerprint(ABBREVIATED)) >= 0.8


def test_tokens_hold_content_words_and_bigrams_not_petition_words():
    tokens = fingerprint("Bà con đề nghị xã sửa lộ đal và đèn đường, nhân dân kiến nghị nhiều lần").tokens
    assert {"duong dal", "den duong", "sua"} <= tokens
    assert not tokens & {"de", "nghi", "de nghi", "xa", "ba", "con", "nhan", "kien"}


def test_keys_are_band_keys():
    keys = fingerprint(ACCENTED).keys
    assert len(keys) == BANDS
    assert all(k[0] == "b" and k[3] == ":" and len(k) == 10 for k in keys)
    assert fingerprint("đề nghị xã").keys == ()  # nothing left to match on


def test_keys_are_stable_across_processes():
    expected = ("b00:df1988", "b01:ccb2a5", "b02:afd9a5")
    assert fingerprint(FIXED_TEXT).keys[:3] == expected
    code = (
        "from services.routing.recurrence import fingerprint;"
        f"print(','.join(fingerprint({FIXED_TEXT!r}).keys))"
    )
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            cwd=REPO,
        ).stdout.strip()
        assert tuple(out.split(",")) == fingerprint(FIXED_TEXT).keys


FIRST = (
    "Tuyến lộ đal từ bến đò vô xóm trong ấp Bến Đò dài gần 1 km mà đèn đường hư gần hết, "
    "tối thui. Từ khi đèn tắt thì xảy ra mấy vụ giật túi xách, trộm xe. Đề nghị sửa đèn."
)
PARAPHRASE = "Đèn đường trên lộ vô xóm Bến Đò vẫn chưa sửa, tối quá, tuần rồi lại có người bị giật túi."


def test_a_paraphrase_in_the_same_hamlet_matches():
    stored = candidate("S014", FIRST, topic=5)
    match = best_match(fingerprint(PARAPHRASE), hamlet="Bến Đò", topic=5, candidates=[stored])
    assert match is not None and match.candidate.submission_id == "S014"
    assert 0.3 <= match.score <= 1


def test_the_same_words_in_another_hamlet_do_not_match():
    stored = candidate("S014", FIRST, hamlet="ấp Chợ", topic=5)
    assert best_match(fingerprint(FIRST), hamlet="ấp Bến Đò", topic=5, candidates=[stored]) is None
    # A commune-wide item (or one without a hamlet) may match any hamlet.
    assert best_match(fingerprint(FIRST), hamlet="Toàn xã", topic=5, candidates=[stored]) is not None


def test_different_topics_need_a_closer_text():
    stored = candidate("S014", FIRST, topic=3)
    fp = fingerprint(PARAPHRASE)
    assert (
        best_match(
            fp, hamlet="ấp Bến Đò", topic=5, candidates=[stored], threshold=0.3, mismatch_threshold=0.99
        )
        is None
    )
    assert best_match(fingerprint(FIRST), hamlet="ấp Bến Đò", topic=0, candidates=[stored]) is not None


def test_unrelated_petition_does_not_match():
    stored = candidate("S001", "Bãi rác tự phát ở chân cầu bốc mùi hôi thối, đề nghị dọn dẹp.", topic=4)
    assert best_match(fingerprint(PARAPHRASE), hamlet="ấp Bến Đò", topic=4, candidates=[stored]) is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("ấp Bến Đò", "Ben Do", True),
        ("Ấp Bến Đò", "ap ben do", True),
        ("ấp Chợ", "ấp Bến Đò", False),
        (None, "ấp Chợ", True),
        ("Toàn xã", "ấp Chợ", True),
        ("ấp Căn Cứ", "Can Cu", True),
    ],
)
def test_hamlet_comparison_ignores_diacritics_and_the_word_ap(a, b, same):
    assert same_hamlet(a, b) is same
    assert hamlet_key("ấp Bến Đò") == "ben do"


def test_domain_synonyms_make_a_reworded_repeat_share_its_words():
    first = "Lộ bê tông ấp Mới mưa xuống là ngập, đề nghị xã nâng nền"
    reworded = "Đường đal ấp Mới bị úng nước mỗi khi mưa, đề nghị nâng nền"
    unrelated = "Đèn đường ấp Mới cháy bóng, tối thui"
    assert similarity(fingerprint(first), fingerprint(reworded)) > similarity(
        fingerprint(first), fingerprint(unrelated)
    )
    assert {"dal", "ngap"} <= fingerprint(reworded).tokens & fingerprint(first).tokens


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("Quốc lộ 1 đoạn qua ấp Chợ ổ gà", "QL1 khúc ấp Chợ lủng lỗ chỗ", True),
        ("Quốc lộ 1 đoạn qua ấp Chợ ổ gà", "ĐT 741 đoạn qua ấp Chợ ổ gà", False),
        ("Kênh Xáng Lớn bị bồi lắng, cần nạo vét", "Kênh Tư bị bồi lắng, cần nạo vét", False),
        ("Chợ Cây Da lấn chiếm lòng đường", "chợ Bến Đò lấn chiếm lòng đường", False),
        ("Hồ sơ sang tên sổ đỏ xếp hàng cả buổi", "Đổi bằng lái phải xếp hàng cả buổi", False),
        ("Xã chưa có nghĩa trang chung", "Đường vô nghĩa trang lầy lội", True),
        # A text typed without diacritics does not show a bridge or a canal: no conflict.
        ("Cau treo qua rach o ap Tan Long het han", "Cầu dây qua rạch ấp Tân Long ván mục", True),
        # Road sections named by the number of a bridge or a group are different issues.
        ("Đường liên ấp Chợ đoạn gần cầu số 5 ổ gà", "Đường liên ấp Chợ đoạn gần cầu số 7 ổ gà", False),
        ("Đường liên ấp Chợ đoạn gần cầu số 5 ổ gà", "Lộ ấp Chợ gần cầu số 5 lủng lỗ chỗ", True),
        ("Kênh ở tổ số 3 bị bồi lắng", "Kênh tổ 3 bồi lắng, ghe không qua", True),
    ],
)
def test_named_places_and_sites_must_agree_when_both_name_one(a, b, agree):
    assert places_agree(places(a), places(b)) is agree
    assert places_agree(places(b), places(a)) is agree


def test_places_of_two_texts_block_a_match_whatever_the_words():
    text = "Quốc lộ 1 đoạn qua ấp Chợ nhiều ổ gà sâu, xe té liên tục, đề nghị vá gấp"
    other = candidate("s1", "Đường tỉnh 741 đoạn qua ấp Chợ nhiều ổ gà sâu, xe té liên tục", hamlet="ấp Chợ")
    same = candidate("s2", "QL1 khúc ấp Chợ ổ gà sâu, xe té liên tục", hamlet="ấp Chợ")
    assert best_match(fingerprint(text), hamlet="ấp Chợ", topic=3, candidates=[other]) is None
    match = best_match(fingerprint(text), hamlet="ấp Chợ", topic=3, candidates=[other, same])
    assert match is not None and match.candidate.submission_id == "s2"


def test_the_whole_commune_and_one_hamlet_need_a_closer_text():
    wide = "Xã mình chưa có nghĩa trang chung, chôn cất khó, đề nghị quy hoạch nghĩa trang"
    hamlet_item = candidate(
        "s1",
        "Quy hoạch bán đất lấn đường vô nghĩa trang, đề nghị xem lại quy hoạch",
        hamlet="ấp Phước Hòa",
        topic=1,
    )
    score = similarity(fingerprint(wide), hamlet_item.tokens)
    assert 0.3 <= score < 0.45
    assert best_match(fingerprint(wide), hamlet="Toàn xã", topic=1, candidates=[hamlet_item]) is None
    unknown = best_match(fingerprint(wide), hamlet=None, topic=1, candidates=[hamlet_item])
    assert unknown is not None  # an unknown hamlet is not a commune-wide item


def test_index_returns_each_candidate_once():
    index = InMemoryIndex()
    first, second = candidate("A", FIRST), candidate("B", "Bãi rác tự phát bốc mùi hôi thối")
    index.add(first, fingerprint(FIRST).keys)
    index.add(second, fingerprint(second.text).keys)
    found = index.candidates(fingerprint(FIRST).keys)
    assert found == [first]
    assert index.candidates(fingerprint(FIRST).keys, limit=1) == [first]
    assert index.candidates(()) == []
    assert len(index) == 2


def test_summarise_counts_years_and_times():
    a = candidate("S050", FIRST, year=2015, cluster="S050", answer="Đã đưa vào kế hoạch 2016")
    b = candidate("S124", PARAPHRASE, year=2016, cluster="S050")
    recurrence = summarise("S200", 2017, Match(b, 0.5), [a, b])
    assert recurrence.cluster_id == "S050"
    assert recurrence.duplicate_of == "S050"
    assert recurrence.times_raised == 3
    assert recurrence.years == (2015, 2016, 2017)
    assert recurrence.earlier[0] == (2015, "S050", FIRST, "Đã đưa vào kế hoạch 2016")
    # The matched item is counted even when the members list misses it; the new item once.
    again = summarise("S124", 2016, Match(a, 0.5), [b])
    assert (again.times_raised, again.years, again.duplicate_of) == (2, (2015, 2016), "S050")
