"""The document-kind registry: one module per kind declares its builder, templates, number code
and options; everything that differs between kinds is read from `REGISTRY`, never branched on."""

from __future__ import annotations

from collections.abc import Mapping

from services.reporting.documents.kinds import (
    conclusion_notice,
    invitation,
    minutes,
    radio_announcement,
    recommendation,
    summary_report,
)
from services.reporting.documents.kinds.base import Body, BuildContext, DocumentKindSpec
from services.reporting.documents.model import check_kind
from shared.contracts import DocumentKind

_SPECS = (
    invitation.SPEC,
    summary_report.SPEC,
    minutes.SPEC,
    conclusion_notice.SPEC,
    recommendation.SPEC,
    radio_announcement.SPEC,
)
REGISTRY: Mapping[DocumentKind, DocumentKindSpec] = {spec.kind: spec for spec in _SPECS}


TYPE_CODES: Mapping[str, str] = {kind.value: spec.code for kind, spec in REGISTRY.items()}


def spec_of(kind: str) -> DocumentKindSpec:
    """The kind's declaration; `UnknownKind` for a slug that names none."""
    return REGISTRY[DocumentKind(check_kind(kind))]


__all__ = ["REGISTRY", "TYPE_CODES", "Body", "BuildContext", "DocumentKindSpec", "spec_of"]
