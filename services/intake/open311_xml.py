"""GeoReport v2's XML form of Open311's answers (pure): the same fields as the JSON form, each
one element, in the spec's containers (`<services><service>`, `<service_requests><request>`,
`<service_definition>`, `<errors><error>`); None is an empty element, booleans read true/false.
Characters XML 1.0 cannot carry (control characters) are left out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
MEDIA_TYPE = "application/xml; charset=utf-8"


class Format(StrEnum):
    JSON = "json"
    XML = "xml"


class Answer(StrEnum):
    """What an answer holds, which names its XML containers."""

    SERVICES = "services"
    DEFINITION = "service_definition"
    REQUESTS = "service_requests"


_ITEM = {Answer.SERVICES: "service", Answer.REQUESTS: "request"}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(parent: ET.Element, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        child = ET.SubElement(parent, name)
        if isinstance(value, list | tuple):
            for entry in value:  # a definition's attributes (none so far)
                _fill(ET.SubElement(child, "attribute"), entry)
        else:
            child.text = _text(value)


def _document(root: ET.Element) -> bytes:
    return (DECLARATION + ET.tostring(root, encoding="unicode")).encode()


def render(answer: Answer, data: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> bytes:
    root = ET.Element(answer.value)
    if isinstance(data, Mapping):
        _fill(root, data)
    else:
        for row in data:
            _fill(ET.SubElement(root, _ITEM[answer]), row)
    return _document(root)


def errors(items: Sequence[Mapping[str, Any]]) -> bytes:
    root = ET.Element("errors")
    for item in items:
        _fill(
            ET.SubElement(root, "error"), {"code": item.get("code"), "description": item.get("description")}
        )
    return _document(root)
