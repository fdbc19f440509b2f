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
"""

from __future__ import annotations

import hashlib
import struct
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Final, Iterable, Sequence

from shared.text import fold, normalize_for_matching

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
    "fingerprint",
    "hamlet_key",
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
    ngay
    """.split()
)


_STOP_BY_FIRST: Final = {
    first: tuple(p for p in _STOP_PHRASES if p[0] == first) for first in {p[0] for p in _STOP_PHRASES}
}


def _content_words(text: str) -> list[str]:
    """Folded words with generic ones replaced by "" (a gap: no bigram across it)."""
    words = normalize_for_matching(text).split()
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


@dataclass(frozen=True)
class Fingerprint:
    tokens: frozenset[str]
    keys: tuple[str, ...]  # MinHash-LSH band keys, e.g. "b07:9f3a1c"; empty for an empty text


def fingerprint(text: str) -> Fingerprint:
    """Content words and bigrams of ``text``; band keys from a MinHash of the content words.

    The keys use words only: a paraphrase keeps more words than word pairs, so its MinHash
    agrees more often.
    """
    unigrams, bigrams = _unigrams_bigrams(text)
    return Fingerprint(unigrams | bigrams, _band_keys(_minhash(sorted(unigrams))))


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
    # Derived once, so scoring thousands of candidates does no string work per candidate.
    _weight: float = field(init=False, repr=False, compare=False, default=0.0)
    _hamlet_key: str | None = field(init=False, repr=False, compare=False, default=None)
    _hamlet_tokens: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "_weight", _weight(self.tokens))
        object.__setattr__(self, "_hamlet_key", hamlet_key(self.hamlet))
        object.__setattr__(self, "_hamlet_tokens", _hamlet_tokens(self.hamlet))


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
    for candidate in candidates:
        if own_key is not None and candidate._hamlet_key not in (None, own_key):
            continue
        other_hamlet = candidate._hamlet_tokens
        ignore = own_hamlet if other_hamlet == own_hamlet else own_hamlet | other_hamlet
        score = _score(tokens, weight, candidate.tokens, candidate._weight, ignore)
        if score < (threshold if candidate.topic == topic else mismatch_bar):
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
