"""A commune's statistical routing model (pure): trained on the examples its staff made by
confirming or correcting decisions, stored as plain numbers, applied without scikit-learn.

Features are TF-IDF weights of folded character n-grams (2 to 4 letters inside words) and of
folded words and word pairs, each block L2-normalised, plus the topic the rules chose (one
column per topic number): the model learns where the commune's staff agree with the rules and
where they correct them. The classifier is a multinomial
logistic regression (scikit-learn), whose training weighs the examples where staff corrected
the rules' topic `CORRECTION_WEIGHT` times.

Beside it, a memory of the commune's corrections (`Memory`): the vectors of the items whose
topic staff changed from the rules' (and of the confirmed items close to one of them). For a
text the rules put under the same topic as a remembered item, and whose cosine similarity to it
reaches `MEMORY_THRESHOLD`, the memory proposes that item's topic and office; it decides where
the regression is not sure enough (`speaking`), instead of the rules, and the explanation names
the item: the same local place or project the office already placed once comes back under its
local name. A trained model is kept as its vocabularies, IDF weights,
coefficients and intercepts (`to_doc`: JSON-safe lists and little-endian float32 bytes, never a
pickle) and applied by `CommuneModel.predict` with the same analyzers scikit-learn builds, so
a stored model is data that cannot run code when loaded.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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
# Cosine similarity (on the TF-IDF text columns) from which a remembered item speaks: on the
# corpus's tune part (`make eval`, ``tune_cv``), a text's most similar other text at 0.5 or more
# shares its topic 84 times in 84 (at 0.4: 179 in 184).
MEMORY_THRESHOLD = 0.5
# At most this many remembered items (the latest): bounds a stored model's size.
MAX_MEMORY = 1000
# A remembered item speaks only for a text the rules put where they put it: a correction is
# "text like this, when the rules say X, is Y".
SAME_RULES = True
# A remembered item decides before the regression (False: only where the regression is unsure,
# instead of the rules).
MEMORY_FIRST = False
# Weight in the logistic regression's training of an example whose topic staff corrected
# (3.0 measured no better on the tune part's cross-validation nor on the replay).
CORRECTION_WEIGHT = 1.0
# The rules' topic of an example is not known (then it is neither corrected nor one-hot).
UNKNOWN = -1

Analyzer = Callable[[str], list[str]]


@dataclass(frozen=True)
class Example:
    """One item as staff left it: its text and the topic (and office) they confirmed or chose."""

    submission_id: str
    text: str
    topic: int
    office_id: str | None = None
    # The topic the rules choose for the text (filled in for training, never stored).
    rules_topic: int = UNKNOWN

    @property
    def corrected(self) -> bool:
        """Staff put the item under another topic than the rules (known rules' topic only)."""
        return self.rules_topic != UNKNOWN and self.rules_topic != self.topic


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float  # for a remembered item: the cosine similarity to it
    # The earlier item the memory of corrections matched (None: the logistic regression's).
    neighbour: str | None = None
    # On the regression's prediction: what the memory says for the same text, if anything.
    remembered: Prediction | None = None


def speaking(p: Prediction | None, confidence: float, memory_first: bool | None = None) -> Prediction | None:
    """Which prediction decides a text (None: the rules): the regression where it is at least
    `confidence` sure, else a remembered item close enough to the text (with `memory_first`, a
    remembered item before the regression)."""
    if p is None:
        return None
    if MEMORY_FIRST if memory_first is None else memory_first:
        if p.remembered is not None:
            return p.remembered
    if p.probability >= confidence:
        return p
    return p.remembered


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
class Memory:
    """Remembered items of the commune: their labels and their text vectors (a CSR matrix, one
    L2-normalised row per item)."""

    ids: tuple[str, ...]
    topics: tuple[int, ...]
    offices: tuple[str | None, ...]
    rows: Any  # scipy CSR, items x features
    threshold: float
    # The rules' topic of each item when it was remembered; with `same_rules`, an item speaks
    # only for a text the rules put under that same topic.
    rules_topics: tuple[int, ...] = ()
    same_rules: bool = False

    def nearest(self, cols: list[int], weights: list[float], rules_topic: int) -> tuple[int, float] | None:
        """The remembered item most similar to a text (its columns, and the rules' topic for
        it), if at least `threshold`."""
        if not cols or not self.ids:
            return None
        q = np.asarray(weights, dtype=np.float64)
        norm = float(np.sqrt(q @ q))
        if norm == 0.0:
            return None
        query = np.zeros(self.rows.shape[1])
        query[cols] = q / norm
        sims = self.rows @ query  # one sparse matrix-vector product
        if self.same_rules:
            sims = np.where(np.asarray(self.rules_topics) == rules_topic, sims, -1.0)
        best = float(sims.max())
        if best < self.threshold:
            return None
        return int(np.flatnonzero(sims >= best - 1e-9)[-1]), best  # ties: the latest item

    def to_doc(self) -> dict[str, Any]:
        rows = self.rows
        return {
            "threshold": self.threshold,
            "ids": list(self.ids),
            "topics": list(self.topics),
            "offices": list(self.offices),
            "rules_topics": list(self.rules_topics),
            "same_rules": self.same_rules,
            "features": int(rows.shape[1]),
            "indptr": rows.indptr.astype("<i4").tobytes(),
            "indices": rows.indices.astype("<i4").tobytes(),
            "data": rows.data.astype("<f4").tobytes(),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Memory:
        from scipy.sparse import csr_matrix

        ids = tuple(str(x) for x in doc["ids"])
        rows = csr_matrix(
            (
                np.frombuffer(bytes(doc["data"]), dtype="<f4").astype(np.float64),
                np.frombuffer(bytes(doc["indices"]), dtype="<i4"),
                np.frombuffer(bytes(doc["indptr"]), dtype="<i4"),
            ),
            shape=(len(ids), int(doc["features"])),
        )
        return cls(
            ids,
            tuple(int(x) for x in doc["topics"]),
            tuple(None if x is None else str(x) for x in doc["offices"]),
            rows,
            float(doc["threshold"]),
            tuple(int(x) for x in doc.get("rules_topics") or ()),
            bool(doc.get("same_rules")) and bool(doc.get("rules_topics")),
        )

    @classmethod
    def of(cls, rows: Any, examples: Sequence[Example], threshold: float, same_rules: bool) -> Memory:
        """The corrected examples and the confirmed ones within `threshold` of one (the latest
        `MAX_MEMORY`); `rows` are the examples' L2-normalised text vectors."""
        keep = _remembered(rows, [e.corrected for e in examples], threshold)[-MAX_MEMORY:]
        chosen = [examples[i] for i in keep]
        return cls(
            tuple(e.submission_id for e in chosen),
            tuple(e.topic for e in chosen),
            tuple(e.office_id for e in chosen),
            rows[keep].tocsr(),
            threshold,
            tuple(e.rules_topic for e in chosen),
            same_rules,
        )


def _nearness(rows: Any, corrected: Sequence[bool]) -> np.ndarray:
    """Per row, its greatest similarity to a corrected row (1 for a corrected row itself)."""
    marked = [i for i, c in enumerate(corrected) if c]
    near = np.zeros(rows.shape[0])
    if marked:
        near = np.asarray((rows @ rows[marked].T).max(axis=1).todense()).ravel()
        near[marked] = 1.0
    return near


def _remembered(rows: Any, corrected: Sequence[bool], threshold: float) -> list[int]:
    near = _nearness(rows, corrected)
    return [i for i in range(rows.shape[0]) if corrected[i] or near[i] >= threshold]


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
    memory: Memory | None = None

    def _text_columns(self, text: str) -> tuple[list[int], list[float]]:
        folded = features_text(text)
        cols: list[int] = []
        weights: list[float] = []
        for block in self.blocks:
            c, w = block.columns(folded)
            cols += c
            weights += w
        return cols, weights

    def predict(self, text: str, rules_topic: int) -> tuple[Prediction, Prediction | None]:
        """The regression's topic (label: its number as a string) and, when trained, office of
        a text for which the rules chose `rules_topic`; each carries, as `remembered`, the
        labels of the remembered item close enough to the text, if any (`neighbour` names it).
        `speaking` says which decides."""
        text_cols, text_weights = self._text_columns(text)
        cols, weights = text_cols, text_weights
        if 0 <= rules_topic < RULES_COLUMNS:
            cols = [*cols, len(self.vocabularies[0]) + len(self.vocabularies[1]) + rules_topic]
            weights = [*weights, RULES_WEIGHT]
        topic = self.topic.predict(cols, weights)
        office = self.office.predict(cols, weights) if self.office is not None else None
        memory = self.memory
        hit = memory.nearest(text_cols, text_weights, rules_topic) if memory is not None else None
        if memory is None or hit is None:
            return topic, office
        i, similarity = hit
        neighbour = memory.ids[i]
        topic = replace(topic, remembered=Prediction(str(memory.topics[i]), similarity, neighbour))
        office_id = memory.offices[i]
        if office_id:
            remembered_office = Prediction(office_id, similarity, neighbour)
            office = replace(office or remembered_office, remembered=remembered_office)
        return topic, office

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
            "memory": self.memory.to_doc() if self.memory is not None else None,
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
            memory=Memory.from_doc(doc["memory"]) if doc.get("memory") else None,
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
    x: Any  # the training examples' feature matrix


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


def _text_rows(x: Any) -> Any:
    """The text columns of a feature matrix (without the rules' one-hot), rows L2-normalised."""
    from sklearn.preprocessing import normalize

    return normalize(x[:, : x.shape[1] - RULES_COLUMNS]).tocsr()


def _weights(examples: Sequence[Example], weight: float) -> list[float]:
    return [weight if e.corrected else 1.0 for e in examples]


def _fit(
    texts: list[str],
    rules: list[int],
    topics: list[str],
    offices: list[str] | None,
    weights: list[float] | None = None,
) -> _Fitted | None:
    from sklearn.linear_model import LogisticRegression

    if len(set(topics)) < 2:
        return None
    char, word = _char_vectorizer(), _word_vectorizer()
    x = _matrix(char, word, texts, rules, fit=True)
    topic = LogisticRegression(C=C, max_iter=2000).fit(x, topics, sample_weight=weights)
    office = None
    if offices is not None and len(set(offices)) >= 2:
        office = LogisticRegression(C=C, max_iter=2000).fit(x, offices, sample_weight=weights)
    return _Fitted(char, word, topic, office, x)


def fit(
    commune_id: str,
    version: int,
    examples: Sequence[Example],
    *,
    threshold: float = MEMORY_THRESHOLD,
    weight: float = CORRECTION_WEIGHT,
    same_rules: bool = SAME_RULES,
) -> CommuneModel | None:
    """A model trained on every example; None when they hold fewer than two topics."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # BLAS threads on a shared machine slow the fit tenfold
        return _fit_model(commune_id, version, examples, threshold, weight, same_rules)


def _fit_model(
    commune_id: str,
    version: int,
    examples: Sequence[Example],
    threshold: float,
    weight: float,
    same_rules: bool,
) -> CommuneModel | None:
    texts = [features_text(e.text) for e in examples]
    with_office = [e for e in examples if e.office_id]
    offices = [e.office_id or "" for e in examples] if len(with_office) == len(examples) else None
    fitted = _fit(
        texts,
        [e.rules_topic for e in examples],
        [str(e.topic) for e in examples],
        offices,
        _weights(examples, weight),
    )
    if fitted is None:
        return None
    char_terms = _terms(fitted.char)
    word_terms = _terms(fitted.word)
    memory = None
    if any(e.corrected for e in examples):
        memory = Memory.of(_text_rows(fitted.x), examples, threshold, same_rules)
    return CommuneModel(
        commune_id=commune_id,
        version=version,
        examples=len(examples),
        digest=digest(examples),
        blocks=_blocks(char_terms, fitted.char.idf_, word_terms, fitted.word.idf_),
        topic=Head.fitted(fitted.topic),
        office=Head.fitted(fitted.office) if fitted.office is not None else None,
        vocabularies=(char_terms, word_terms),
        memory=memory,
    )


def _terms(vectorizer: TfidfVectorizer) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        terms[column] = term
    return terms


def held_out(
    examples: Sequence[Example],
    *,
    threshold: float = MEMORY_THRESHOLD,
    weight: float = CORRECTION_WEIGHT,
    same_rules: bool = SAME_RULES,
) -> list[Prediction | None]:
    """Each example's topic predicted by a model trained without it (k-fold, fixed seed), its
    memory of corrections included; None where the fold's training part held fewer than two
    topics."""
    return held_out_by_threshold(examples, (threshold,), weight=weight, same_rules=same_rules)[threshold]


def held_out_by_threshold(
    examples: Sequence[Example],
    thresholds: Sequence[float],
    *,
    weight: float = CORRECTION_WEIGHT,
    same_rules: bool = SAME_RULES,
) -> dict[float, list[Prediction | None]]:
    """`held_out` for several memory thresholds at the cost of one (the same folds and fits)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _held_out(examples, thresholds, weight, same_rules)


def _held_out(
    examples: Sequence[Example], thresholds: Sequence[float], weight: float, same_rules: bool
) -> dict[float, list[Prediction | None]]:
    from sklearn.model_selection import KFold

    predictions: dict[float, list[Prediction | None]] = {t: [None] * len(examples) for t in thresholds}
    folds = min(HELD_OUT_FOLDS, len(examples))
    if folds < 2:
        return predictions
    texts = [features_text(e.text) for e in examples]
    topics = [str(e.topic) for e in examples]
    rules = [e.rules_topic for e in examples]
    for train, test in KFold(folds, shuffle=True, random_state=0).split(texts):
        trained = [examples[i] for i in train]
        fitted = _fit(
            [texts[i] for i in train],
            [rules[i] for i in train],
            [topics[i] for i in train],
            None,
            _weights(trained, weight),
        )
        if fitted is None:
            continue
        x = _matrix(fitted.char, fitted.word, [texts[i] for i in test], [rules[i] for i in test], fit=False)
        probs = fitted.topic.predict_proba(x)
        train_rows = _text_rows(fitted.x)
        corrected = [e.corrected for e in trained]
        near = _nearness(train_rows, corrected)
        sims = np.asarray((_text_rows(x) @ train_rows.T).todense())
        if same_rules:  # as `Memory.nearest`: only items the rules put where they put the text
            train_rules = np.array([e.rules_topic for e in trained])
            same = np.array([[examples[i].rules_topic] for i in test]) == train_rules[None, :]
            sims = np.where(same, sims, -1.0)
        for threshold in thresholds:
            # The fold's memory: what `Memory.of` keeps at this threshold.
            kept = np.array([c or n >= threshold for c, n in zip(corrected, near, strict=True)])
            for row, i, sim in zip(probs, test, sims, strict=True):
                masked = np.where(kept, sim, -1.0)
                j = int(np.flatnonzero(masked >= masked.max() - 1e-9)[-1]) if kept.any() else -1
                best = int(row.argmax())
                remembered = None
                if j >= 0 and masked[j] >= threshold:
                    e = trained[j]
                    remembered = Prediction(str(e.topic), float(masked[j]), e.submission_id)
                predictions[threshold][i] = Prediction(
                    str(fitted.topic.classes_[best]), float(row[best]), remembered=remembered
                )
    return predictions


def neighbour_agreement(
    examples: Sequence[Example], thresholds: Sequence[float]
) -> dict[float, tuple[int, int]]:
    """How far a remembered item's label can be trusted, per similarity threshold: among the
    examples whose most similar other example (leave-one-out, vectors fitted on all of them)
    reaches the threshold, how many there are and how many share that example's topic."""
    from threadpoolctl import threadpool_limits

    texts = [features_text(e.text) for e in examples]
    with threadpool_limits(1):
        fitted = _fit(texts, [UNKNOWN] * len(texts), [str(e.topic) for e in examples], None)
    if fitted is None:
        return {t: (0, 0) for t in thresholds}
    rows = _text_rows(fitted.x)
    sims = np.asarray((rows @ rows.T).todense())
    np.fill_diagonal(sims, -1.0)
    nearest = sims.argmax(axis=1)
    best = sims[np.arange(len(examples)), nearest]
    same = np.array([examples[i].topic == examples[j].topic for i, j in enumerate(nearest)])
    return {t: (int((best >= t).sum()), int((same & (best >= t)).sum())) for t in thresholds}
