"""The development corpus (tests/data/corpus/*.jsonl) and the evaluator that scores it.

The corpus files are labelled data other steps tune and test routing on, so their shape is
checked here: the sample's fields plus the source and the split, valid labels, unique ids,
repeats pointing to an earlier item of the same split, and a split near 60/40 that leaves
every topic and both authority sides in each part. The evaluator's figures are checked on
small streams routed by the real classifier, and its metrics on hand-made pairs.
"""

import json
import unicodedata
from pathlib import Path

import pytest

from scripts.evaluate import (
    CORPUS_DIR,
    SPLITS,
    classify,
    evaluate_set,
    learn,
    main,
    misses,
    model_figures,
    repeat_groups,
    score,
)
from services.demo.seed import demo_commune
from shared.contracts.vocabulary import Source

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "domain" / "sample-submissions.jsonl"
EXTRA_FIELDS = {"source_url", "source_title", "split"}
LEVELS = {"xã", "tỉnh", "trung ương"}
STYLES = {"standard", "no_diacritics", "abbreviations", "dialect", "long", "short"}
FRONT = "Ủy ban MTTQ Việt Nam xã"
CORPUS_FILES = sorted(CORPUS_DIR.glob("*.jsonl"))


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return load(SAMPLE)


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[dict]]:
    return {path.stem: load(path) for path in CORPUS_FILES}


def test_the_corpus_files_are_there():
    assert {p.stem for p in CORPUS_FILES} >= {"real-mail-a"}


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_every_line_has_the_sample_fields_plus_source_and_split(path, sample):
    fields = set(sample[0]) | EXTRA_FIELDS
    for row in load(path):
        assert set(row) == fields, row.get("id")
        assert row["source_url"].startswith(("http://", "https://")), row["id"]
        assert row["source_title"].strip() and row["text"].strip() and row["why"].strip(), row["id"]
        texts = [v for v in row.values() if isinstance(v, str)]
        assert all(unicodedata.normalize("NFC", v) == v for v in texts), row["id"]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_labels_are_valid_values(path, sample):
    topic_names = {r["topic"]: r["topic_name"] for r in sample}
    offices = {o.name for o in demo_commune().offices}
    sources = {r["source"] for r in sample} | {s.value for s in Source}
    for row in load(path):
        rid = row["id"]
        assert row["source"] in sources, rid
        assert topic_names.get(row["topic"]) == row["topic_name"], rid
        assert row["secondary_topic"] is None or (
            row["secondary_topic"] in topic_names and row["secondary_topic"] != row["topic"]
        ), rid
        assert row["responsible_office"] in offices, rid
        assert set(row["coordinating_offices"]) <= offices | {FRONT}, rid
        assert row["responsible_office"] not in row["coordinating_offices"], rid
        assert row["authority_level"] in LEVELS, rid
        above = row["authority_level"] != "xã"
        assert row["beyond_commune_authority"] is above, rid
        assert (row["authority_body"] is not None) is above, rid
        assert row["text_style"] in STYLES, rid
        assert row["split"] in SPLITS, rid
        assert isinstance(row["recurring_claim"], bool), rid


def test_ids_are_unique_across_the_corpus(corpus):
    ids = [row["id"] for rows in corpus.values() for row in rows]
    assert len(ids) == len(set(ids))


def test_no_page_grounds_items_in_two_files(corpus):
    pages = [{row["source_url"] for row in rows} for rows in corpus.values()]
    assert all(not (a & b) for i, a in enumerate(pages) for b in pages[i + 1 :])


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_a_repeat_points_to_an_earlier_item_of_the_same_split(path):
    seen: dict[str, str] = {}
    for row in load(path):
        if row["duplicate_of"] is not None:
            assert seen.get(row["duplicate_of"]) == row["split"], row["id"]
        seen[row["id"]] = row["split"]


# Files made only to grow the tuning data (the README's table): every line is ``tune``.
TUNE_ONLY = {"real-mail-c"}


@pytest.mark.parametrize("path", [p for p in CORPUS_FILES if p.stem not in TUNE_ONLY], ids=lambda p: p.stem)
def test_the_split_is_near_60_40_and_each_part_covers_topics_and_authority(path):
    rows = load(path)
    test_part = [r for r in rows if r["split"] == "test"]
    assert 0.3 <= len(test_part) / len(rows) <= 0.5
    for split in SPLITS:
        part = [r for r in rows if r["split"] == split]
        assert {r["topic"] for r in part} == {r["topic"] for r in rows}, split
        assert {r["beyond_commune_authority"] for r in part} == {True, False}, split


def test_tune_only_files_hold_no_test_item(corpus):
    for stem in TUNE_ONLY & set(corpus):
        assert {r["split"] for r in corpus[stem]} == {"tune"}, stem


def test_part_c_has_the_promised_size_mix_and_repeats(corpus):
    rows = corpus["real-mail-c"]
    assert len(rows) >= 150
    assert all(r["id"].startswith("RC") for r in rows)
    topics = [r["topic"] for r in rows]
    # every topic, with planning and order/traffic weighted up (the topics the rules missed most)
    assert set(topics) == set(range(7))
    assert topics.count(1) >= 30 and topics.count(5) >= 30 and topics.count(0) >= 20 and topics.count(3) >= 15
    levels = {r["authority_level"] for r in rows}
    assert levels == LEVELS
    assert {r["text_style"] for r in rows} == STYLES
    assert sum(r["text_style"] == "no_diacritics" for r in rows) >= 0.1 * len(rows)
    assert sum(r["duplicate_of"] is not None for r in rows) >= 15


def test_part_a_has_the_promised_size_mix_and_repeats(corpus):
    rows = corpus["real-mail-a"]
    assert len(rows) >= 160
    # 1-3, plus 6 for overdue land and permit dossiers (the README's overdue-dossier rule)
    assert {1, 2, 3} <= {r["topic"] for r in rows} <= {1, 2, 3, 6}
    assert sum(r["beyond_commune_authority"] for r in rows) >= 50
    assert sum(r["text_style"] == "no_diacritics" for r in rows) >= 0.15 * len(rows)
    assert sum(r["duplicate_of"] is not None for r in rows) >= 20
    assert all(r["id"].startswith("RA") for r in rows)


def _line(item_id, text, hamlet, *, topic=3, dup=None, split="tune", level="xã"):
    return {
        "id": item_id,
        "text": text,
        "hamlet": hamlet,
        "topic": topic,
        "responsible_office": "Phòng Kinh tế",
        "authority_level": level,
        "beyond_commune_authority": level != "xã",
        "duplicate_of": dup,
        "split": split,
    }


BRIDGE = "Cây cầu khỉ bắc qua rạch ở {} đã mục, học sinh ngày nào cũng qua lại. Xin xã làm cầu bê tông."


def test_a_repeat_is_linked_within_its_split_only():
    items = [
        _line("T1", BRIDGE.format("thôn Đông Tiến"), "thôn Đông Tiến"),
        _line("T2", BRIDGE.format("thôn Đông Tiến"), "thôn Đông Tiến", dup="T1"),
        _line("X1", BRIDGE.format("thôn Đông Tiến"), "thôn Đông Tiến", split="test"),
    ]
    figures, streams = evaluate_set(items)
    assert figures["errors"] == 0  # a hamlet the demo commune does not have is routed all the same
    assert streams["test"][0][1].get("duplicate_of") is None  # the tune items are not its history
    assert figures["tune"]["duplicate_recall"] == 1.0
    assert figures["test"]["duplicate_pairs"] == 0
    assert figures["items"] == 3 and figures["tune"]["items"] == 2 and figures["test"]["items"] == 1


def test_a_link_to_any_member_of_the_repeat_group_counts():
    chain = [{"id": "A"}, {"id": "B", "duplicate_of": "A"}, {"id": "C", "duplicate_of": "B"}]
    assert repeat_groups(chain) == {"A": "A", "B": "A", "C": "A"}
    gold = [
        _line("A", "x", "ấp Chợ"),
        _line("B", "x", "ấp Chợ", dup="A"),
        _line("C", "x", "ấp Chợ", dup="A"),
        _line("D", "x", "ấp Chợ"),
    ]
    outputs = [{"topic": 3}, {"duplicate_of": "A"}, {"duplicate_of": "B"}, {"duplicate_of": "C"}]
    figures = score(list(zip(gold, outputs, strict=True)))
    assert figures["duplicate_pairs"] == 2
    assert figures["duplicate_recall"] == 1.0
    assert figures["duplicate_precision"] == pytest.approx(2 / 3, abs=1e-4)  # D is no repeat of C


def test_above_commune_precision_recall_and_f1():
    gold = [
        _line("1", "x", None, level="tỉnh"),
        _line("2", "x", None, level="trung ương"),
        _line("3", "x", None),
        _line("4", "x", None),
    ]
    outputs = [
        {"authority_level": "province"},
        {"authority_level": "commune"},
        {"authority_level": "province"},
        {"authority_level": "commune"},
    ]
    figures = score(list(zip(gold, outputs, strict=True)))
    assert (figures["above_commune_gold"], figures["above_commune_predicted"]) == (2, 2)
    assert figures["above_commune_precision"] == 0.5
    assert figures["above_commune_recall"] == 0.5
    assert figures["above_commune_f1"] == 0.5
    assert figures["authority_accuracy"] == 0.5


def test_main_prints_figures_per_set_and_split(tmp_path, capsys):
    path = tmp_path / "mini.jsonl"
    lines = [
        _line("M1", BRIDGE.format("ấp Kênh Xáng"), "ấp Kênh Xáng"),
        _line("M2", "Quốc lộ 1 qua ấp Chợ nhiều ổ gà, xin sửa.", "ấp Chợ", split="test", level="trung ương"),
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    assert main([str(SAMPLE), str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["sets"]) == {"sample-submissions", "mini"}
    assert "tune" not in report["sets"]["sample-submissions"]
    assert report["sets"]["mini"]["tune"]["items"] == 1 and report["sets"]["mini"]["test"]["items"] == 1
    assert report["corpus"]["test"]["above_commune_gold"] == 1
    assert main([str(tmp_path / "missing.jsonl")]) == 2


def test_misses_name_the_ids_each_figure_got_wrong():
    gold = [
        _line("A", "x", "ấp Chợ", level="tỉnh"),
        _line("B", "x", "ấp Chợ", dup="A"),
        _line("C", "x", "ấp Chợ", topic=2),
        _line("D", "x", "ấp Chợ", dup="C"),
    ]
    outputs = [
        {"topic": 3, "office": "Phòng Kinh tế", "authority_level": "commune"},
        {"topic": 3, "office": "Công an xã", "authority_level": "province", "duplicate_of": "A"},
        {"topic": 3, "office": "Phòng Kinh tế", "authority_level": "commune", "duplicate_of": "A"},
        {"topic": 3, "office": "Phòng Kinh tế", "authority_level": "commune"},
    ]
    assert misses(list(zip(gold, outputs, strict=True))) == {
        "topic": ["C"],
        "above_commune_missed": ["A"],
        "above_commune_extra": ["B"],
        "office": ["B"],
        "repeat_missed": ["D"],
        "repeat_wrong": ["C"],
    }


def test_misses_are_printed_per_split_only_when_asked(tmp_path, capsys):
    path = tmp_path / "mini.jsonl"
    lines = [
        _line("M1", BRIDGE.format("ấp Kênh Xáng"), "ấp Kênh Xáng"),
        _line("M2", BRIDGE.format("ấp Cây Da"), "ấp Cây Da", split="test"),
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    assert main([str(path)]) == 0
    assert "misses" not in json.loads(capsys.readouterr().out)["sets"]["mini"]["tune"]
    assert main(["--misses", str(path)]) == 0
    mini = json.loads(capsys.readouterr().out)["sets"]["mini"]
    assert set(mini["tune"]["misses"]) == set(mini["test"]["misses"]) >= {"topic", "repeat_missed"}
    assert mini["tune"]["misses"]["repeat_missed"] == []


def _corpus_slice(corpus: dict[str, list[dict]], split: str, per_file: int) -> list[list[dict]]:
    """The first items of each file's `split`, spread over topics (every third item)."""
    return [[row for row in rows if row["split"] == split][::3][:per_file] for rows in corpus.values()]


def test_the_model_learns_from_the_tune_part_only(corpus):
    tune = [row for rows in _corpus_slice(corpus, "tune", 25) for row in rows]
    test_ids = {row["id"] for rows in corpus.values() for row in rows if row["split"] == "test"}
    learned = learn(tune)
    ids = {e.submission_id for e in learned.examples}
    assert ids == {row["id"] for row in tune} and not ids & test_ids
    split_of = {row["id"]: row["split"] for rows in corpus.values() for row in rows}
    assert {split_of[i] for i in ids} == {"tune"}
    # Each example carries the label the office gave it, not the rules' guess.
    label = {row["id"]: row["topic"] for row in tune}
    assert all(e.topic == label[e.submission_id] for e in learned.examples)
    assert learned.training.examples == len(tune) and learned.training.version == 1


def test_test_with_model_scores_the_test_streams_with_the_model_learnt_from_tune(corpus):
    tune = [row for rows in _corpus_slice(corpus, "tune", 25) for row in rows]
    tests = _corpus_slice(corpus, "test", 8)
    figures = model_figures(tune, tests)
    with_model = figures["test_with_model"]
    assert with_model["items"] == sum(len(t) for t in tests) and with_model["errors"] == 0
    model = with_model["model"]
    assert model["trained_on_splits"] == ["tune"] and model["examples"] == len(tune)
    assert figures["tune_cv"]["examples"] == len(tune)
    assert str(model["confidence"]) in figures["tune_cv"]["blend_accuracy_by_confidence"]
    # The memory of corrections per similarity threshold: how often it decided and was right,
    # and how often a tune text's most similar other text shares its topic.
    memory = figures["tune_cv"]["by_memory_threshold"]
    assert str(figures["tune_cv"]["memory_threshold"]) in memory
    for row in memory.values():
        assert 0 <= row["right"] <= row["decided"] <= len(tune)
        fired, same = row["nearest_same_topic"]
        assert 0 <= same <= fired <= len(tune)
    rules_only = score([pair for items in tests for pair in classify(items)])
    if model["activated_by_retraining"]:
        assert model["active_version"] == model["version"]
        assert "test_with_model_activated" not in figures
    else:  # the product refused the model: the rules alone decide, the same figures
        assert model["active_version"] is None
        assert {k: v for k, v in with_model.items() if k != "model"} == rules_only
        assert figures["test_with_model_activated"]["model"]["active_version"] == model["version"]
