"""The dialogue's Party documents in HTML, PDF and DOCX: invitation, summary report, minutes,
conclusion notice, letter to the province and radio announcement (HD 36-HD/VPTW layout), each
kind declared once in `kinds/` (`REGISTRY`).

    data = build_data("thong-bao-ket-luan", commune, dialogue, items, number=5, issued_on=day)
    pdf = render("thong-bao-ket-luan", "pdf", data)
"""

from services.reporting.documents.build import build_data
from services.reporting.documents.kinds import REGISTRY, TYPE_CODES, DocumentKindSpec, spec_of
from services.reporting.documents.model import (
    FORMATS,
    KINDS,
    DocumentData,
    MinutesInput,
    Speech,
    UnknownFormat,
    UnknownKind,
)
from services.reporting.documents.render import render

__all__ = [
    "FORMATS",
    "KINDS",
    "REGISTRY",
    "TYPE_CODES",
    "DocumentData",
    "DocumentKindSpec",
    "MinutesInput",
    "Speech",
    "UnknownFormat",
    "UnknownKind",
    "build_data",
    "render",
    "spec_of",
]
