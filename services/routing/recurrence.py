"""Duplicates and recurrence: "raised many times and never resolved" (BRIEF.md IV.6).

Pure functions, no I/O. A submission's :class:`Fingerprint` is the set of its content words
and word bigrams on :func:`shared.text.normalize_for_matching` text (so accented, unaccented
and abbreviated twins agree), plus MinHash-LSH band keys. Routing finds candidates through the
repeat index (`services/routing/repeat_index.py`: band key -> clusters -> a few representatives
each, all read by `_id`); :func:`best_match` then scores the few candidates exactly and applies
the hamlet and topic rules. :class:`InMemoryIndex` is a plain key -> items index, for tests.

Why these choices (tuned on the 46 labelled sample items, kept general):
- Generic petition words ("đề nghị", "bà con", "xã", "kiến nghị", "cho biết") and function
  words are dropped: two unrelated petitions share them all the time.
- Bigrams make "đèn đường", "lộ đal", "quy hoạch" units, so word salad with the same words in
  another order scores lower than a real repeat.
- The score is the mean of Jaccard and the overlap coefficient (shared / smaller set), with
  bigrams weighing a quarter of a word: a repeat is often a short follow-up of a long first
  petition ("Lộ đal ấp Rạch Tràm hư nặng lắm rồi ... bao giờ làm?"), where plain Jaccard is
  low but most of the short text is shared. The hamlet's own name counts on neither side
  (the hamlets are already required to agree).
- On the sample the three labelled repeats score 0.34-0.52; the closest non-repeat of the
  same hamlet and topic scores 0.23 (two different bridges in one hamlet) and the closest with
  different topics 0.29. The bar sits between: 0.30, and 0.45 when the topics differ.
- Band keys: MinHash over the content words (not bigrams: a paraphrase keeps words, rarely
  word pairs), 32 bands x 2 rows, from one SHAKE-128 digest per word (stable across
  processes and machines, unlike ``hash()``). A pair with word Jaccard J becomes a candidate with
  probability 1-(1-J^2)^32: about 0.73 at J=0.2, 0.95 at J=0.3, 0.9999 at J=0.5. A
  paraphrase sharing fewer words can still be missed by the keys; :func:`best_match` never
  misses a candidate it is given.
- A domain thesaurus folds a resident's words onto the ones other texts use (lộ/đường,
  bê tông/đal, úng/ngập, ổ voi/lủng lỗ chỗ/ổ gà, sổ hồng/giấy chứng nhận/sổ đỏ...), so a
  repeat written in other words shares its content words (tuned on the corpus' tune split).
- Places must agree (:func:`places_agree`): when both texts name a hamlet, a numbered road, a
  canal, a market, a school or a bridge, one of them must be the same; when both name kinds of
  site or paper (road, canal, cemetery, resettlement area, land title, driving licence...), one
  kind must be shared. Shared words about another place are another issue.
- The whole commune ("Toàn xã") and one hamlet are different scopes: such a pair needs the
  bar of differing topics.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from types import MappingProxyType
from typing import Final, Iterable, Sequence

from shared.text import fold, nfc, normalize_for_matching, unify_tone_marks

__all__ = [
    "BANDS",
    "BIGRAM_WEIGHT",
    "BUCKET_CAP",
    "CANDIDATE_LIMIT",
    "DEFAULT_THRESHOLD",
    "ROWS",
    "TOPIC_MISMATCH_THRESHOLD",
    "Candidate",
    "Fingerprint",
    "InMemoryIndex",
    "Match",
    "Recurrence",
    "best_match",
    "commune_wide",
    "fingerprint",
    "hamlet_key",
    "places",
    "places_agree",
    "same_hamlet",
    "similarity",
    "summarise",
]

BANDS: Final = 32
ROWS: Final = 2
# Score needed for a duplicate when both topics are equal, and when they differ. Topics are the
# classifier's suggestion, not a fact: a short follow-up may land in "other" (0), and a text
# that mixes two topics flips between them ("đèn đường hư ... trộm xe" is 3 or 5 depending on
# which words the follow-up repeats). So a differing topic, 0 or not, is allowed but needs a
# clearly closer text. On the sample no non-repeat pair with different topics scores above 0.29.
DEFAULT_THRESHOLD: Final = 0.3
TOPIC_MISMATCH_THRESHOLD: Final = 0.45
# Bigrams make word order count a little; unigrams carry most of the score because a
# paraphrase keeps the words but rarely the word pairs.
BIGRAM_WEIGHT: Final = 0.25
# Candidates scored per look-up in a large store (see InMemoryIndex.candidates).
CANDIDATE_LIMIT: Final = 500
BUCKET_CAP: Final = 2000

# Multi-word generic phrases, removed before single words (folded, as normalize_for_matching).
_STOP_PHRASES: Final = tuple(
    tuple(p.split())
    for p in sorted(
        {
            "de nghi",
            "kien nghi",
            "de xuat",
            "phan anh",
            "cho biet",
            "xin hoi",
            "cho hoi",
            "ba con",
            "nhan dan",
            "nguoi dan",
            "dan cu",
            "chinh quyen",
            "lanh dao",
            "uy ban nhan dan",
            "tra loi",
            "xem xet",
            "quan tam",
            "giai quyet",
            "som",
            "dut diem",
            "hien nay",
            "den nay",
            "toi nay",
            "toi gio",
            "den gio",
            "bao gio",
            "nhu the nao",
            "tai sao",
            "nhieu lan",
            "may lan",
            "lan roi",
            "van chua",
            "nam nao cung",
            "gia dinh",
            "tren dia ban",
            "dia ban",
            "trong ap",
            "to truong",
            "xin lanh dao",
            "yeu cau",
            "san sang",
            "trung tam phuc vu hanh chinh cong",
            "phuc vu hanh chinh cong",
            "tinh trang",
            "kiem tra",
            "xu ly",
            # what a follow-up says about itself, not about the issue
            "noi lai",
            "noi chuyen",
            "lai chuyen",
            "nam ngoai",
            "nam truoc",
            "ky truoc",
            "hop dan",
            "da neu",
            "da noi",
            "tiep xuc cu tri",
            "cu tri",
            "het tron",
            "qua troi",
        },
        key=lambda p: -len(p.split()),
    )
)
_STOP_WORDS: Final = frozenset(
    """
    a ai anh ap ay ba bi ca cac cai chi cho chu chua co con cua cung da dang day de
    du duoc em gi gio hay het hoac hoi hon khi khong kia la lai lam lan len luc mai may
    minh moi mot muon nao nay neu nen nhieu nhu nhung nua o ong phai qua ra rang rat roi
    sao se the thi toi tu va vao van ve vi voi vo vua xa xin xong dan nguoi oi nam viec
    ngay tui hong gium giup nghen ne hoai luon troi tron
    """.split()
)

# Domain thesaurus, folded: a resident's word or phrase -> the word the other texts use, so a
# repeat written in other words (Southern, Northern, lay or official) shares its content words.
# Only phrases that mean one thing in a petition; an ambiguous single word ("lo": lộ, lỗ, lò,
# lo; "kinh": kênh, kinh tế) is rewritten only inside an unambiguous phrase.
_THESAURUS: Final = MappingProxyType(
    {
        # roads (shared.text already turns "lo dal", "tinh lo", "ql 1" into duong ...)
        "con lo": "con duong",
        "ngoai lo": "ngoai duong",
        "ven lo": "ven duong",
        "mep lo": "mep duong",
        "lo xom": "duong xom",
        "lo ap": "duong ap",
        "duong lo": "duong",
        "be tong": "dal",
        "xi mang": "dal",
        "o ga": "o ga",
        "o voi": "o ga",
        "o trau": "o ga",
        "lung lo cho": "o ga",
        "lung lo": "o ga",
        "loi lom": "o ga",
        "sinh lay": "lay",
        "lay loi": "lay",
        "bun lay": "lay",
        "xuong cap": "hu hong",
        "hu hong": "hu hong",
        "cau day": "cau treo",
        "den chieu sang": "den duong",
        # water
        "ngap ung": "ngap",
        "ung ngap": "ngap",
        "ung nuoc": "ngap",
        "ngap nuoc": "ngap",
        "ngap cuc bo": "ngap",
        "nuoc dong": "ngap",
        "tieu thoat nuoc": "thoat nuoc",
        "tieu thoat": "thoat nuoc",
        "con kinh": "con kenh",
        "kinh rach": "kenh rach",
        "muong thoat nuoc": "muong",
        "ranh thoat nuoc": "muong",
        "ranh": "muong",
        "nao vet": "nao vet",
        "khai thong": "nao vet",
        "hoi thoi": "hoi",
        "hoi thui": "hoi",
        "boc mui": "hoi",
        "mui hoi": "hoi",
        # farmland
        "dat ray": "dat canh tac",
        "dat hoa mau": "dat canh tac",
        "dat san xuat": "dat canh tac",
        "dat vuon": "dat canh tac",
        # sand, trucks, noise
        "khuya lac khuya lo": "khuya",
        "hut cat": "hut cat",
        "khai thac cat": "hut cat",
        "cat lau": "hut cat",
        "xe ben": "xe tai",
        "xe cat": "xe tai",
        "xe cho cat": "xe tai",
        "no po": "nep po",
        # papers
        "so hong": "so do",
        "giay do": "so do",
        "giay chung nhan quyen su dung dat": "so do",
        "giay chung nhan": "so do",
        "bang khoan": "so do",
        "giay phep lai xe": "bang lai",
        "can cuoc cong dan": "can cuoc",
        "chung minh nhan dan": "can cuoc",
        "len tho cu": "chuyen dat o",
        # people and places
        "hoc tro": "hoc sinh",
        "nghia dia": "nghia trang",
        "dien yeu": "dien yeu",
        "dien chap chon": "dien yeu",
    }
)
_THESAURUS_RE: Final = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(_THESAURUS, key=len, reverse=True)) + r")\b"
)


def _canonical(folded: str) -> str:
    """``folded`` with the thesaurus' phrases replaced by their canonical words."""
    return _THESAURUS_RE.sub(lambda m: _THESAURUS[m.group(0)], folded)


_STOP_BY_FIRST: Final = {
    first: tuple(p for p in _STOP_PHRASES if p[0] == first) for first in {p[0] for p in _STOP_PHRASES}
}


def _content_words(text: str) -> list[str]:
    """Folded words with generic ones replaced by "" (a gap: no bigram across it)."""
    words = _canonical(normalize_for_matching(text)).split()
    kept: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        for phrase in _STOP_BY_FIRST.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                kept.append("")
                break
        else:
            kept.append("" if word in _STOP_WORDS else word)
            i += 1
    return kept


def _unigrams_bigrams(text: str) -> tuple[frozenset[str], frozenset[str]]:
    words = _content_words(text)
    unigrams = frozenset(w for w in words if w)
    bigrams = frozenset(f"{a} {b}" for a, b in zip(words, words[1:]) if a and b)
    return unigrams, bigrams


def _weight(tokens: Iterable[str]) -> float:
    """Unigrams weigh 1, bigrams (they contain a space) BIGRAM_WEIGHT."""
    total = 0.0
    for token in tokens:
        total += BIGRAM_WEIGHT if " " in token else 1.0
    return total


_HASHES: Final = BANDS * ROWS
_MASK64: Final = (1 << 64) - 1


@lru_cache(maxsize=1 << 16)
def _word_hashes(word: str) -> tuple[int, ...]:
    """BANDS*ROWS independent 64-bit hashes of one word from a single SHAKE-128 call.

    Stable across processes and machines (``hash()`` is salted per process); cached because the
    vocabulary of petitions is small.
    """
    digest = hashlib.shake_128(b"doithoai-minhash:" + word.encode()).digest(8 * _HASHES)
    return struct.unpack(f"<{_HASHES}Q", digest)


def _minhash(words: Iterable[str]) -> tuple[int, ...]:
    rows = [_word_hashes(w) for w in words]
    if not rows:
        return ()
    return tuple(map(min, zip(*rows)))


def _band_keys(signature: tuple[int, ...]) -> tuple[str, ...]:
    if not signature:
        return ()
    keys = []
    for band in range(BANDS):
        mixed = 0
        for value in signature[band * ROWS : (band + 1) * ROWS]:  # FNV-style, 64-bit
            mixed = ((mixed ^ value) * 0x100000001B3) & _MASK64
        keys.append(f"b{band:02d}:{mixed >> 40:06x}")
    return tuple(keys)


# Words that introduce a named place -> the kind of place. The name is the capitalised words (or
# a number, or "số" and a number) that follow in the same clause of the original text: "ấp Bến
# Đò", "kênh Xáng Lớn", "chợ Cây Da", "trường Tiểu học Tân Long", "cầu Rạch Tràm", "tổ 5", "cầu
# số 3" (two road sections "gần cầu số 3" and "gần cầu số 7" are two issues). Matched with diacritics
# (folded "cho", "cau", "truong", "to", "song" are also ordinary words); text typed without
# diacritics names places only through the unambiguous words.
_PLACE_WORDS: Final = MappingProxyType(
    {
        "ấp": "ap",
        "thôn": "ap",
        "xóm": "ap",
        "khóm": "ap",
        "tổ": "to",
        "kênh": "kenh",
        "kinh": "kenh",
        "rạch": "kenh",
        "sông": "kenh",
        "chợ": "cho",
        "trường": "truong",
        "cầu": "cau",
        "ap": "ap",
        "thon": "ap",
        "xom": "ap",
        "kenh": "kenh",
    }
)
_CLAUSES: Final = re.compile(r"[.,;:!?()\[\]\n\-–—\"“”/]+")
_WORD: Final = re.compile(r"\w+")
# Numbered roads on matching text: "quoc lo 1", "duong tinh 741", "duong huyen 3", "duong so 5".
_ROAD_NUMBERS: Final = re.compile(r"\b(quoc lo|duong tinh|duong huyen|duong so) ([0-9]+[a-z]?)\b")
# Kinds of site or paper a petition is about. Two texts that both name some but none of the same
# kind speak of different things (a road and a cemetery, a land title and a driving licence).
# Unambiguous once folded: matched on the matching text (after the thesaurus).
_SITE_KINDS: Final = MappingProxyType(
    {
        "duong": "duong",
        "hem": "duong",
        "quoc lo": "duong",
        "cao toc": "duong",
        "muong": "kenh",
        "kenh": "kenh",
        "nghia trang": "nghia trang",
        "khu tap the": "khu tap the",
        "tai dinh cu": "tai dinh cu",
        "khu dan cu": "khu dan cu",
        "cum cong nghiep": "khu cong nghiep",
        "khu cong nghiep": "khu cong nghiep",
        "nha van hoa": "nha van hoa",
        "tram y te": "tram y te",
        "bai rac": "bai rac",
        "den duong": "den duong",
        "tram bien ap": "dien",
        "dien yeu": "dien",
        "so do": "so do",
        "dang ky dat dai": "so do",
        "sang ten": "so do",
        "bang lai": "bang lai",
        "can cuoc": "can cuoc",
        "khai sinh": "ho tich",
        "ho tich": "ho tich",
        "giay phep xay dung": "giay phep xay dung",
    }
)
# Kinds whose folded word is also an ordinary word (chợ/cho, cống/công, cầu/câu, trường/trưởng,
# sông/song, rạch/rách): matched with diacritics only.
_ACCENTED_SITES: Final = MappingProxyType(
    {"chợ": "cho", "cống": "cong", "cầu": "cau", "trường": "truong", "sông": "kenh", "rạch": "kenh"}
)
_ACCENTED_RE: Final = re.compile(r"\b(?:" + "|".join(_ACCENTED_SITES) + r")\b")
_PLAIN: Final = "plain="  # marks a text typed without diacritics
_SITES_RE: Final = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(_SITE_KINDS, key=len, reverse=True)) + r")\b"
)


def clauses(text: str) -> list[str]:
    """The text's clauses (NFC, tone marks unified): split at sentence ends, commas, colons,
    brackets, line breaks, dashes, quotes and slashes; a short phrase lies within one."""
    return _CLAUSES.split(unify_tone_marks(nfc(text)))


def places(text: str) -> frozenset[str]:
    """The places ``text`` names, as "kind=name" ("ap=ben do", "duong=quoc lo 1", "kenh=xang"),
    plus the kinds of site it is about ("site=duong", "site=nghia trang")."""
    found: set[str] = set()
    rest: list[str] = []  # the words outside place names, where sites are looked for
    for clause in clauses(text):
        words = _WORD.findall(clause)
        i = 0
        while i < len(words):
            kind = _PLACE_WORDS.get(words[i].lower())
            rest.append(words[i])
            i += 1
            if kind is None:
                continue
            name: list[str] = []
            while i < len(words) and len(name) < 3:
                follower = words[i]
                if follower.isdigit() and not name:
                    name.append(follower)
                    i += 1
                    break
                # "cầu số 5", "tổ số 3": the number after "số" names the place.
                numbered = i + 1 < len(words) and words[i + 1].isdigit()
                if not name and follower.lower() in ("số", "so") and numbered:
                    name.append(words[i + 1])
                    i += 2
                    break
                if not follower[0].isupper():
                    break
                name.append(fold(follower).lower())
                i += 1
            if name:
                found.add(f"{kind}={' '.join(name)}")
        rest.append(",")
    outside = " ".join(rest)
    if text.isascii():  # typed without diacritics: the accented kinds cannot be seen
        found.add(_PLAIN)
    found.update(f"asite={_ACCENTED_SITES[m.group(0)]}" for m in _ACCENTED_RE.finditer(outside))
    matching = _canonical(normalize_for_matching(outside))
    found.update(f"site={_SITE_KINDS[m.group(0)]}" for m in _SITES_RE.finditer(matching))
    # "QL1A" is what residents call "QL1": the suffix A is dropped on national highways.
    found.update(
        f"duong={m.group(1)} {m.group(2).rstrip('a') if m.group(1) == 'quoc lo' else m.group(2)}"
        for m in _ROAD_NUMBERS.finditer(matching)
    )
    return frozenset(found)


@lru_cache(maxsize=4096)
def _places_of(text: str) -> frozenset[str]:
    return places(text)


def places_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """False when both texts name a place of one kind and no place of that kind agrees (two
    hamlets, two road numbers, two canals, markets, schools or bridges), or both name sites
    and none of the same kind."""
    if not a or not b:
        return True
    # Sites seen only with diacritics count when both texts have them.
    accented = _PLAIN not in a and _PLAIN not in b
    kinds: dict[str, tuple[set[str], set[str]]] = {}
    for side, names in ((0, a), (1, b)):
        for place in names:
            kind, _, name = place.partition("=")
            if kind == "asite":
                if not accented:
                    continue
                kind = "site"
            if kind != "plain":
                kinds.setdefault(kind, (set(), set()))[side].add(name)
    return all(not (x and y) or bool(x & y) for x, y in kinds.values())


@dataclass(frozen=True)
class Fingerprint:
    tokens: frozenset[str]
    keys: tuple[str, ...]  # MinHash-LSH band keys, e.g. "b07:9f3a1c"; empty for an empty text
    # What the text names (see :func:`places`); not part of equality: twins typed with and
    # without diacritics have the same fingerprint, though the plain one shows fewer sites.
    places: frozenset[str] = field(default=frozenset(), compare=False)


def fingerprint(text: str) -> Fingerprint:
    """Content words and bigrams of ``text``; band keys from a MinHash of the content words.

    The keys use words only: a paraphrase keeps more words than word pairs, so its MinHash
    agrees more often.
    """
    unigrams, bigrams = _unigrams_bigrams(text)
    return Fingerprint(unigrams | bigrams, _band_keys(_minhash(sorted(unigrams))), places(text))


def _score(ta: frozenset[str], wa: float, tb: frozenset[str], wb: float, ignore: frozenset[str]) -> float:
    shared = ta & tb
    if not shared:
        return 0.0
    if ignore:
        if shared <= ignore:
            return 0.0
        wa, wb = wa - _weight(ta & ignore), wb - _weight(tb & ignore)
        shared = shared - ignore
    inter = _weight(shared)
    jaccard = inter / (wa + wb - inter)
    overlap = inter / min(wa, wb)
    return (jaccard + overlap) / 2


def similarity(
    a: frozenset[str] | Fingerprint,
    b: frozenset[str] | Fingerprint,
    *,
    ignore: frozenset[str] = frozenset(),
) -> float:
    """Weighted mean of Jaccard and the overlap coefficient on token sets, in [0, 1].

    Bigrams weigh BIGRAM_WEIGHT, words 1. ``ignore`` tokens (the hamlet's own name, already
    required to agree) count on neither side.
    """
    ta = a.tokens if isinstance(a, Fingerprint) else a
    tb = b.tokens if isinstance(b, Fingerprint) else b
    return _score(ta, _weight(ta), tb, _weight(tb), ignore)


@lru_cache(maxsize=1024)
def _hamlet_tokens(hamlet: str | None) -> frozenset[str]:
    if not hamlet:
        return frozenset()
    unigrams, bigrams = _unigrams_bigrams(hamlet)
    return unigrams | bigrams


_HAMLET_PREFIXES: Final = (("khu", "pho"), ("ap",), ("thon",), ("khom",), ("xom",), ("to", "dan", "pho"))
_COMMUNE_WIDE: Final = frozenset({"toan xa", "toan phuong", "xa", "phuong", "chung"})


@lru_cache(maxsize=1024)
def hamlet_key(hamlet: str | None) -> str | None:
    """The comparable form of a hamlet name: "ấp Bến Đò", "Ap Ben Do", "Bến Đò" -> "ben do".

    None for no hamlet or a commune-wide item ("Toàn xã"), which matches any hamlet.
    """
    words = tuple(fold(hamlet or "").split())
    for prefix in _HAMLET_PREFIXES:
        if words[: len(prefix)] == prefix and len(words) > len(prefix):
            words = words[len(prefix) :]
            break
    key = " ".join(words)
    return None if not key or key in _COMMUNE_WIDE else key


def commune_wide(hamlet: str | None) -> bool:
    """True for an item that says it concerns the whole commune ("Toàn xã"), not for one whose
    hamlet is unknown."""
    return bool(hamlet) and hamlet_key(hamlet) is None


def same_hamlet(a: str | None, b: str | None) -> bool:
    """True unless both hamlets are known and differ (diacritic- and "ấp"-insensitive)."""
    ka, kb = hamlet_key(a), hamlet_key(b)
    return ka is None or kb is None or ka == kb


@dataclass(frozen=True)
class Candidate:
    submission_id: str
    dialogue_id: str
    year: int
    hamlet: str | None
    topic: int
    tokens: frozenset[str]
    cluster_id: str
    text: str
    answer: str | None = None
    # The places its text names (`places`), when the index kept them; None: read from `text`.
    places: frozenset[str] | None = field(default=None, compare=False)
    # Derived once, so scoring thousands of candidates does no string work per candidate.
    _weight: float = field(init=False, repr=False, compare=False, default=0.0)
    _hamlet_key: str | None = field(init=False, repr=False, compare=False, default=None)
    _hamlet_tokens: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    _commune_wide: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_weight", _weight(self.tokens))
        object.__setattr__(self, "_hamlet_key", hamlet_key(self.hamlet))
        object.__setattr__(self, "_hamlet_tokens", _hamlet_tokens(self.hamlet))
        object.__setattr__(self, "_commune_wide", commune_wide(self.hamlet))


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float


def best_match(
    fp: Fingerprint,
    *,
    hamlet: str | None,
    topic: int,
    candidates: Iterable[Candidate],
    threshold: float = DEFAULT_THRESHOLD,
    mismatch_threshold: float | None = None,
) -> Match | None:
    """The most similar candidate scoring at least the bar, or None.

    The hamlet must agree when both sides name one (see :func:`same_hamlet`). Equal topics need
    ``threshold``; different topics (0 or not) need ``mismatch_threshold``, by default
    ``max(threshold, TOPIC_MISMATCH_THRESHOLD)``. Ties go to the earlier year, then the smaller
    submission id, so the answer does not depend on the store's order.
    """
    mismatch_bar = (
        mismatch_threshold if mismatch_threshold is not None else max(threshold, TOPIC_MISMATCH_THRESHOLD)
    )
    best: Candidate | None = None
    best_score = 0.0
    tokens, weight = fp.tokens, _weight(fp.tokens)
    own_key, own_hamlet = hamlet_key(hamlet), _hamlet_tokens(hamlet)
    own_wide = commune_wide(hamlet)
    for candidate in candidates:
        if own_key is not None and candidate._hamlet_key not in (None, own_key):
            continue
        other_hamlet = candidate._hamlet_tokens
        ignore = own_hamlet if other_hamlet == own_hamlet else own_hamlet | other_hamlet
        score = _score(tokens, weight, candidate.tokens, candidate._weight, ignore)
        # The whole commune vs one hamlet is another scope: only a clearly closer text links.
        other_scope = (own_wide and candidate._hamlet_key is not None) or (
            candidate._commune_wide and own_key is not None
        )
        bar = threshold if candidate.topic == topic and not other_scope else mismatch_bar
        if score < bar:
            continue
        # Read only for the few candidates over the bar: the places of a text cost more than
        # its score.
        named = candidate.places if candidate.places is not None else _places_of(candidate.text)
        if not places_agree(fp.places, named):
            continue
        if (
            best is None
            or score > best_score
            or (
                score == best_score
                and (candidate.year, candidate.submission_id) < (best.year, best.submission_id)
            )
        ):
            best, best_score = candidate, score
    return None if best is None else Match(best, round(best_score, 4))


class InMemoryIndex:
    """Band key -> stored candidates: the in-memory twin of a ``match_keys`` multikey index."""

    def __init__(self) -> None:
        self._items: list[Candidate] = []
        self._by_key: dict[str, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, candidate: Candidate, keys: Sequence[str]) -> None:
        position = len(self._items)
        self._items.append(candidate)
        for key in dict.fromkeys(keys):
            self._by_key[key].append(position)

    def candidates(self, keys: Sequence[str], *, limit: int | None = None) -> list[Candidate]:
        """Stored candidates sharing at least one key, each once.

        Without ``limit``: all of them, in insertion order. With ``limit``: at most that many,
        those sharing the most keys first (the number of shared bands grows with similarity),
        and from a key shared by more than ``BUCKET_CAP`` stored items only the latest
        ``BUCKET_CAP`` count: such a key stands for a very common pair of words, not for one
        issue, and recurrence is mostly about recent petitions. This bounds the work of a
        look-up in a store full of similar petitions. A store does the same with
        ``$setIntersection`` on ``match_keys``, ``$size``, ``$sort`` and ``$limit``.
        """
        lists = [self._by_key[key] for key in dict.fromkeys(keys) if key in self._by_key]
        if limit is None:
            return [self._items[p] for p in sorted(set(chain.from_iterable(lists)))]
        recent = (positions[-BUCKET_CAP:] for positions in lists)
        # most_common is a stable sort: ties keep first-seen order, so results are repeatable.
        return [self._items[p] for p, _ in Counter(chain.from_iterable(recent)).most_common(limit)]


@dataclass(frozen=True)
class Recurrence:
    cluster_id: str
    duplicate_of: str  # the earliest submission of the cluster
    times_raised: int  # including the new one
    years: tuple[int, ...]  # sorted, distinct
    earlier: tuple[tuple[int, str, str, str | None], ...]  # (year, submission id, text, answer)


def summarise(new_id: str, new_year: int, match: Match, members: Iterable[Candidate]) -> Recurrence:
    """How often the matched issue was raised before, for a new item ``new_id``.

    ``members`` are the stored items of the match's cluster (the matched candidate is added if
    missing); the new item itself is counted once even if already stored.
    """
    by_id = {c.submission_id: c for c in members if c.submission_id != new_id}
    by_id.setdefault(match.candidate.submission_id, match.candidate)
    earlier = sorted(by_id.values(), key=lambda c: (c.year, c.submission_id))
    return Recurrence(
        cluster_id=match.candidate.cluster_id,
        duplicate_of=earlier[0].submission_id,
        times_raised=len(earlier) + 1,
        years=tuple(sorted({c.year for c in earlier} | {new_year})),
        earlier=tuple((c.year, c.submission_id, c.text, c.answer) for c in earlier),
    )
