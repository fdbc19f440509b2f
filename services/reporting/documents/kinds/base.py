"""What a document kind declares: its slug, number code, type line, templates, the options it
reads, the default "Nơi nhận" lines, and the builder of its body from the plan and the items."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.reporting.documents.model import Chart, MinutesInput, SignatureBlock
from shared.contracts import DocumentKind
from shared.directory import Commune, Dialogue


@dataclass(frozen=True)
class BuildContext:
    """The inputs every builder may read (pure: no I/O, no clock)."""

    commune: Commune
    dialogue: Dialogue
    items: Sequence[Mapping[str, Any]]
    issued_on: date
    minutes: MinutesInput | None
    options: Mapping[str, Any]


@dataclass(frozen=True)
class Body:
    """A kind's own part of the document; the layout (header, number, date, Nơi nhận) is common."""

    subject: str
    parts: Mapping[str, Any] = field(default_factory=dict)  # DocumentData's part: invitation=…
    intro: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()
    addressees: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    signature: SignatureBlock | None = None  # replaces the commune's (the minutes' CHỦ TRÌ)
    left_signature: SignatureBlock | None = None  # the minutes' THƯ KÝ


@dataclass(frozen=True)
class DocumentKindSpec:
    kind: DocumentKind
    code: str  # the register's type code: TB, BC, BB, GM, CV (HD 36-HD/VPTW)
    type_title: str | None  # "THÔNG BÁO"; None for a letter (CV), whose V/v line is its subject
    build: Callable[[BuildContext], Body]
    recipients: Callable[[Commune], Sequence[str]]  # default "Nơi nhận" lines before "Lưu …"
    options: frozenset[str] = frozenset()  # the build options this kind reads
    numbered_when_issued: bool = True  # False: issued without a number from the register
    opens_follow_up: bool = False  # issuing it opens one follow-up task per conclusion

    @property
    def html_template(self) -> str:
        return f"{self.kind.value}.html"

    @property
    def docx_template(self) -> str:
        return f"{self.kind.value}.docx"

    @property
    def templates(self) -> tuple[str, str]:
        return self.html_template, self.docx_template


def commune_recipients(commune: Commune) -> Sequence[str]:
    return list(commune.recipients)
