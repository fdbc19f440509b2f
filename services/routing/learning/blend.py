"""The rules and the commune's model together (pure): the rules decide until the commune's staff
have confirmed or corrected enough items (`Policy.min_examples`) and the model is confident
(`Policy.confidence`), or the text is close to an item staff placed themselves (the model's
memory of corrections, which names that item); the explanation says which spoke and on how many
examples."""

from __future__ import annotations

from dataclasses import dataclass

from services.routing import explain
from services.routing.learning.model import CommuneModel, speaking
from services.routing.offices import assign_office
from shared.contracts import SubmissionRoutedV1
from shared.directory import Commune, Dialogue
from shared.text import normalize_for_matching


@dataclass(frozen=True)
class Policy:
    min_examples: int = 30
    confidence: float = 0.5


def _examples_vi(n: int) -> str:
    return f"{n} lần cán bộ xã xác nhận hoặc chỉnh sửa"


def blend(
    decision: SubmissionRoutedV1,
    model: CommuneModel | None,
    examples: int,
    policy: Policy,
    commune: Commune,
    dialogue: Dialogue,
    *,
    review_threshold: float,
) -> SubmissionRoutedV1:
    """`decision` is the rules' decision for `commune`; `model` must be that commune's active
    model (or None) and `examples` how many examples the commune has."""
    if model is not None and model.commune_id != commune.id:
        raise ValueError(f"model of commune {model.commune_id} offered to commune {commune.id}")
    if model is None or model.examples < policy.min_examples:
        why = f"xã mới có {_examples_vi(examples)}, mô hình cần ít nhất {policy.min_examples}"
        if model is not None:
            why = (
                f"mô hình hiện dùng mới học từ {_examples_vi(model.examples)},"
                f" cần ít nhất {policy.min_examples}"
            )
        return _with_line(decision, f"Theo quy tắc ({why}).")
    regression, office_p = model.predict(decision.text, decision.topic)
    learned = f"Mô hình học từ {_examples_vi(model.examples)} (phiên bản {model.version})"
    spoke = speaking(regression, policy.confidence)
    if spoke is None:
        return _with_line(
            decision,
            f"Theo quy tắc: {learned} chưa đủ tin cậy"
            f" ({regression.probability:.0%} cho nội dung {regression.label}).",
        )
    topic_p = spoke
    topic = int(topic_p.label)
    remembered = regression.remembered
    if topic_p.neighbour is not None:
        # A remembered item decides: staff placed a text this close themselves.
        office_p = office_p.remembered if office_p is not None else None
        learned = (
            f"Giống mục {topic_p.neighbour} cán bộ xã đã xếp ({topic_p.probability:.0%}),"
            f" trong bộ nhớ của mô hình học từ {_examples_vi(model.examples)} (phiên bản {model.version})"
        )
    elif remembered is not None and remembered.label == topic_p.label:
        learned = (
            f"Mô hình học từ {_examples_vi(model.examples)} (phiên bản {model.version};"
            f" giống mục {remembered.neighbour} cán bộ xã đã xếp)"
        )
    if topic == decision.topic and (office_p is None or office_p.label == decision.office_id):
        return _with_line(
            decision.model_copy(update={"confidence": max(decision.confidence, topic_p.probability)}),
            f"{learned} đồng ý với quy tắc ({topic_p.probability:.0%}).",
        )
    if topic != 0 and topic not in {t.number for t in dialogue.topics}:
        return _with_line(decision, f"Theo quy tắc: {learned} chọn nội dung {topic}, kế hoạch này không có.")
    folded = normalize_for_matching(decision.text)
    assignment = assign_office(commune, topic, folded)
    office_id = assignment.office_id
    if (
        office_p is not None
        and (office_p.neighbour is not None or office_p.probability >= policy.confidence)
        and commune.office(office_p.label)
    ):
        office_id = office_p.label
    office = commune.office(office_id)
    if office is None:
        return _with_line(decision, f"Theo quy tắc: {learned} chọn cơ quan không có trong xã.")
    before = assign_office(commune, decision.topic, folded)
    old_office_line = explain.office_line(
        decision.office_name, decision.topic, before.sub_area_term, decision.text
    )
    line = (
        f"{learned} xếp vào nội dung {topic} “{dialogue.topic_name(topic)}” ({topic_p.probability:.0%})"
        + (f"; quy tắc gợi ý nội dung {decision.topic}." if topic != decision.topic else ".")
    )
    office_line = explain.office_line(
        office.name,
        topic,
        assignment.sub_area_term if office_id == assignment.office_id else None,
        decision.text,
    )
    if office_id != assignment.office_id:
        office_line = (
            f"Giao {office.name}: như mục {office_p.neighbour} cán bộ xã đã giao."
            if office_p is not None and office_p.neighbour is not None
            else f"Giao {office.name}: theo mô hình của xã ({office_p.probability if office_p else 0:.0%})."
        )
    secondary = decision.secondary_topic
    if topic != decision.topic and decision.topic != 0:
        secondary = decision.topic
    return decision.model_copy(
        update={
            "topic": topic,
            "topic_name": dialogue.topic_name(topic),
            "secondary_topic": secondary if secondary != topic else None,
            "office_id": office.id,
            "office_name": office.name,
            "coordinating_office_ids": tuple(o for o in assignment.coordinating_office_ids if o != office.id),
            "confidence": topic_p.probability,
            "needs_review": topic_p.probability < review_threshold,
            "explanation": (
                f"{decision.explanation} Commune model v{model.version} ({model.examples} examples):"
                + (
                    f" like item {topic_p.neighbour} staff placed (cosine {topic_p.probability:.2f}),"
                    if topic_p.neighbour is not None
                    else ""
                )
                + f" topic {topic} p={topic_p.probability:.2f}, office {office.id}."
            ),
            "explanation_vi": (
                line,
                office_line,
                *(x for x in decision.explanation_vi if x != old_office_line),
            ),
        }
    )


def _with_line(decision: SubmissionRoutedV1, line: str) -> SubmissionRoutedV1:
    return decision.model_copy(update={"explanation_vi": (*decision.explanation_vi, line)})
