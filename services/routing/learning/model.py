"""A commune's statistical routing model (pure): trained on the examples its staff made by
confirming or correcting decisions, stored as plain numbers, applied without scikit-learn.

Features are TF-IDF weights of folded character n-grams (2 to 4 letters inside words) and of
folded words and word pairs, each block L2-normalised, plus the topic the rules chose (one
column per topic number): the model learns where the commune's staff agree with the rules and
where they correct them. The classifier is a multinomial
logistic regression (scikit-learn). A trained model is kept as its vocabularies, IDF weights,
coefficients and intercepts (`to_doc`: JSON-safe lists and little-endian float32 bytes, never a
pickle) and applied by `CommuneModel.predict` with the same analyzers scikit-learn builds, so
a stored model is data that cannot run code when loaded.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from shared.text import normalize_for_matching

if TYPE_CHECKING:  # scikit-learn loads when a model is first built or trained, not on import
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

FORMAT = 1
CHAR_NGRAMS = (2, 4)
WORD_NGRAMS = (1, 2)
WORD_PATTERN = r"(?u)\b\w+\b"
# Inverse regularisation strength, measured on the replay benchmark (bench/bench_replay.py).
C = 10.0
HELD_OUT_FOLDS = 5
# Topic numbers the rules' choice can take (plans have at most 20 topics; 0 = other).
RULES_COLUMNS = 21
RULES_WEIGHT = 0.15
# Columns kept per block (the most frequent): bounds a model's size, whatever the examples.
MAX_FEATURES = 20_000

Analyzer = Callable[[str], list[str]]


@dataclass(frozen=True)
class Example:
    """One item as staff left it: its text and the topic (and office) they confirmed or chose."""

    submission_id: str
    text: str
    topic: int
    office_id: str | None = None
    # The topic the rules choose for the text (filled in for training, never stored).
    rules_topic: int = 0


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float


def features_text(text: str) -> str:
    """What the model reads: the folded matching form (diacritics, abbreviations unified)."""
    return normalize_for_matching(text)


def _char_vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        lowercase=False,
        sublinear_tf=True,
        max_features=MAX_FEATURES,
    )


def _word_vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="word",
        ngram_range=WORD_NGRAMS,
        token_pattern=WORD_PATTERN,
        lowercase=False,
        sublinear_tf=True,
        max_features=MAX_FEATURES,
    )


@dataclass(frozen=True, eq=False)
class _Block:
    """One TF-IDF block: its analyzer, vocabulary (term -> column) and IDF weights."""

    analyzer: Analyzer
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int

    def columns(self, text: str) -> tuple[list[int], list[float]]:
        counts = Counter(t for t in self.analyzer(text) if t in self.vocabulary)
        if not counts:
            return [], []
        cols = [self.vocabulary[t] for t in counts]
        weights = [
            (1.0 + math.log(n)) * float(self.idf[c]) for c, n in zip(cols, counts.values(), strict=True)
        ]
        norm = math.sqrt(sum(w * w for w in weights)) or 1.0
        return [c + self.offset for c in cols], [w / norm for w in weights]


@dataclass(frozen=True, eq=False)
class Head:
    """A linear classifier over the feature columns: `coef` is features x classes."""

    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    def predict(self, cols: list[int], weights: list[float]) -> Prediction:
        scores = self.intercept.astype(np.float64)
        if cols:
            scores = scores + np.asarray(weights, dtype=np.float64) @ self.coef[cols]
        scores = scores - scores.max()
        probs = np.exp(scores)
        probs /= probs.sum()
        best = int(probs.argmax())
        return Prediction(self.classes[best], float(probs[best]))

    def to_doc(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "shape": list(self.coef.shape),
            "coef": self.coef.astype("<f4").tobytes(),
            "intercept": [float(x) for x in self.intercept],
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Head:
        rows, columns = (int(x) for x in doc["shape"])
        coef = np.frombuffer(bytes(doc["coef"]), dtype="<f4").reshape(rows, columns)
        return cls(
            tuple(str(c) for c in doc["classes"]), coef, np.asarray(doc["intercept"], dtype=np.float64)
        )

    @classmethod
    def fitted(cls, classifier: LogisticRegression) -> Head:
        classes = tuple(str(c) for c in classifier.classes_)
        coef, intercept = classifier.coef_, classifier.intercept_
        if len(classes) == 2:  # one score column for the second class: [0, z] gives the same softmax
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        return cls(
            classes, np.ascontiguousarray(coef.T, dtype=np.float32), np.asarray(intercept, dtype=np.float64)
        )


@dataclass(frozen=True, eq=False)
class CommuneModel:
    """A commune's model: never applied to another commune (stored and cached by commune id)."""

    commune_id: str
    version: int
    examples: int
    digest: str
    blocks: tuple[_Block, _Block]
    topic: Head
    office: Head | None
    vocabularies: tuple[list[str], list[str]]

    def _columns(self, text: str, rules_topic: int) -> tuple[list[int], list[float]]:
        folded = features_text(text)
        cols: list[int] = []
        weights: list[float] = []
        for block in self.blocks:
            c, w = block.columns(folded)
            cols += c
            weights += w
        if 0 <= rules_topic < RULES_COLUMNS:
            cols.append(len(self.vocabularies[0]) + len(self.vocabularies[1]) + rules_topic)
            weights.append(RULES_WEIGHT)
        return cols, weights

    def predict(self, text: str, rules_topic: int) -> tuple[Prediction, Prediction | None]:
        """The topic (label: its number as a string) and, when trained, the office, of a text
        for which the rules chose `rules_topic`."""
        cols, weights = self._columns(text, rules_topic)
        office = self.office.predict(cols, weights) if self.office is not None else None
        return self.topic.predict(cols, weights), office

    def to_doc(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "commune_id": self.commune_id,
            "version": self.version,
            "examples": self.examples,
            "digest": self.digest,
            "char_vocabulary": self.vocabularies[0],
            "char_idf": [float(x) for x in self.blocks[0].idf],
            "word_vocabulary": self.vocabularies[1],
            "word_idf": [float(x) for x in self.blocks[1].idf],
            "topic": self.topic.to_doc(),
            "office": self.office.to_doc() if self.office is not None else None,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CommuneModel:
        if doc.get("format") != FORMAT:
            raise ValueError(f"unknown model format {doc.get('format')!r}")
        char_terms = [str(t) for t in doc["char_vocabulary"]]
        word_terms = [str(t) for t in doc["word_vocabulary"]]
        return cls(
            commune_id=str(doc["commune_id"]),
            version=int(doc["version"]),
            examples=int(doc["examples"]),
            digest=str(doc["digest"]),
            blocks=_blocks(char_terms, doc["char_idf"], word_terms, doc["word_idf"]),
            topic=Head.from_doc(doc["topic"]),
            office=Head.from_doc(doc["office"]) if doc.get("office") else None,
            vocabularies=(char_terms, word_terms),
        )


def _blocks(
    char_terms: list[str], char_idf: Sequence[float], word_terms: list[str], word_idf: Sequence[float]
) -> tuple[_Block, _Block]:
    char = _Block(
        _char_vectorizer().build_analyzer(),
        {t: i for i, t in enumerate(char_terms)},
        np.asarray(char_idf, dtype=np.float64),
        0,
    )
    word = _Block(
        _word_vectorizer().build_analyzer(),
        {t: i for i, t in enumerate(word_terms)},
        np.asarray(word_idf, dtype=np.float64),
        len(char_terms),
    )
    return char, word


def digest(examples: Sequence[Example]) -> str:
    """Identifies the training data: the same examples give the same digest."""
    h = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.submission_id):
        h.update(f"{e.submission_id}\x1f{e.topic}\x1f{e.office_id}\x1f{e.text}\x1e".encode())
    return h.hexdigest()


@dataclass(frozen=True, eq=False)
class _Fitted:
    char: TfidfVectorizer
    word: TfidfVectorizer
    topic: LogisticRegression
    office: LogisticRegression | None


def _matrix(
    char: TfidfVectorizer, word: TfidfVectorizer, texts: list[str], rules: list[int], fit: bool
) -> Any:
    from scipy.sparse import csr_matrix, hstack

    chosen = [t if 0 <= t < RULES_COLUMNS else None for t in rules]
    rows = [i for i, t in enumerate(chosen) if t is not None]
    one_hot = csr_matrix(
        ([RULES_WEIGHT] * len(rows), (rows, [chosen[i] for i in rows])), shape=(len(texts), RULES_COLUMNS)
    )
    if fit:
        return hstack([char.fit_transform(texts), word.fit_transform(texts), one_hot]).tocsr()
    return hstack([char.transform(texts), word.transform(texts), one_hot]).tocsr()


def _fit(texts: list[str], rules: list[int], topics: list[str], offices: list[str] | None) -> _Fitted | None:
    from sklearn.linear_model import LogisticRegression

    if len(set(topics)) < 2:
        return None
    char, word = _char_vectorizer(), _word_vectorizer()
    x = _matrix(char, word, texts, rules, fit=True)
    topic = LogisticRegression(C=C, max_iter=2000).fit(x, topics)
    office = None
    if offices is not None and len(set(offices)) >= 2:
        office = LogisticRegression(C=C, max_iter=2000).fit(x, offices)
    return _Fitted(char, word, topic, office)


def fit(commune_id: str, version: int, examples: Sequence[Example]) -> CommuneModel | None:
    """A model trained on every example; None when they hold fewer than two topics."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # BLAS threads on a shared machine slow the fit tenfold
        return _fit_model(commune_id, version, examples)


def _fit_model(commune_id: str, version: int, examples: Sequence[Example]) -> CommuneModel | None:
    texts = [features_text(e.text) for e in examples]
    with_office = [e for e in examples if e.office_id]
    offices = [e.office_id or "" for e in examples] if len(with_office) == len(examples) else None
    fitted = _fit(texts, [e.rules_topic for e in examples], [str(e.topic) for e in examples], offices)
    if fitted is None:
        return None
    char_terms = _terms(fitted.char)
    word_terms = _terms(fitted.word)
    return CommuneModel(
        commune_id=commune_id,
        version=version,
        examples=len(examples),
        digest=digest(examples),
        blocks=_blocks(char_terms, fitted.char.idf_, word_terms, fitted.word.idf_),
        topic=Head.fitted(fitted.topic),
        office=Head.fitted(fitted.office) if fitted.office is not None else None,
        vocabularies=(char_terms, word_terms),
    )


def _terms(vectorizer: TfidfVectorizer) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        terms[column] = term
    return terms


def held_out(examples: Sequence[Example]) -> list[Prediction | None]:
    """Each example's topic predicted by a model trained without it (k-fold, fixed seed);
    None where the fold's training part held fewer than two topics."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _held_out(examples)


def _held_out(examples: Sequence[Example]) -> list[Prediction | None]:
    from sklearn.model_selection import KFold

    predictions: list[Prediction | None] = [None] * len(examples)
    folds = min(HELD_OUT_FOLDS, len(examples))
    if folds < 2:
        return predictions
    texts = [features_text(e.text) for e in examples]
    topics = [str(e.topic) for e in examples]
    rules = [e.rules_topic for e in examples]
    for train, test in KFold(folds, shuffle=True, random_state=0).split(texts):
        fitted = _fit([texts[i] for i in train], [rules[i] for i in train], [topics[i] for i in train], None)
        if fitted is None:
            continue
        probs = fitted.topic.predict_proba(
            _matrix(fitted.char, fitted.word, [texts[i] for i in test], [rules[i] for i in test], fit=False)
        )
        for row, i in zip(probs, test, strict=True):
            best = int(row.argmax())
            predictions[i] = Prediction(str(fitted.topic.classes_[best]), float(row[best]))
    return predictions
