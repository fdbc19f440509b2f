"""The document-kind registry: every `DocumentKind` is declared exactly once, with its number
code, type line and template files; reporting's modules never import the demo data or another
service, and its consumer keeps the deployment's queue and keys."""

from __future__ import annotations

import ast
from pathlib import Path

from services.reporting.consumers import SUBSCRIPTIONS
from services.reporting.documents import KINDS, REGISTRY, TYPE_CODES
from services.reporting.documents.build import COMMON_OPTIONS, OPTIONS
from services.reporting.documents.kinds import _SPECS
from services.reporting.documents.render import TEMPLATES
from shared.contracts import DocumentKind
from shared.topology import ConsumerSpec

REPORTING = Path(__file__).resolve().parents[2] / "services" / "reporting"


def test_every_kind_has_exactly_one_spec_under_its_own_key():
    assert [spec.kind for spec in _SPECS] == list(DocumentKind)  # one each, in the plan's order
    assert list(REGISTRY) == list(DocumentKind)
    assert all(key is spec.kind for key, spec in REGISTRY.items())
    assert KINDS == tuple(kind.value for kind in DocumentKind)


def test_every_kinds_templates_exist():
    for spec in REGISTRY.values():
        for name in spec.templates:
            assert (TEMPLATES / name).is_file(), name


def test_codes_numbering_and_follow_up_per_kind():
    assert TYPE_CODES == {
        "giay-moi": "GM",
        "bao-cao-tong-hop": "BC",
        "bien-ban": "BB",
        "thong-bao-ket-luan": "TB",
        "kien-nghi-cap-tren": "CV",
        "thong-bao-truyen-thanh": "TB",
    }
    assert [k for k, s in REGISTRY.items() if not s.numbered_when_issued] == [DocumentKind.RADIO_ANNOUNCEMENT]
    assert [k for k, s in REGISTRY.items() if s.opens_follow_up] == [DocumentKind.CONCLUSION_NOTICE]
    assert [k for k, s in REGISTRY.items() if s.type_title is None] == [DocumentKind.RECOMMENDATION]


def test_options_are_the_common_ones_and_each_kinds_own():
    assert OPTIONS == COMMON_OPTIONS | {
        "invitees",
        "proposals",
        "charts",
        "resolution_working_days",
        "resolution_working_days_by_topic",
        "addressees",
        "registration_hint",
    }


def test_reporting_imports_no_other_service_and_no_demo_data():
    for path in REPORTING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("services."):
                    assert name.startswith("services.reporting"), f"{path}: imports {name}"


def test_the_read_model_consumer_keeps_its_queue_and_keys():
    # the meeting record's attendance has its own queue after it (tests/unit/test_meeting_record.py)
    assert [sub.spec for sub in SUBSCRIPTIONS][:1] == [
        ConsumerSpec(
            "reporting",
            "read-model",
            ("submission.routed.v1",),
            retired_keys=("notification.sent.v1", "notification.failed.v1", "submission.received.v1"),
        )
    ]
    read_model = SUBSCRIPTIONS[0]
    assert read_model.bind(object()).self_deduplicating == frozenset(read_model.spec.routing_keys)
