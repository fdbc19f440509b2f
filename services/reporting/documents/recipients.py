"""The "Nơi nhận" an issued document printed, read back from its HTML (pure): whom the document
is e-mailed to is what it printed, a commune's own template and edited lines included, never
worked out again from the commune."""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = frozenset({"br", "hr", "img", "wbr", "meta", "link", "input", "col", "source"})


class _NoiNhan(HTMLParser):
    """The lines of the first "Nơi nhận" block of a rendered document: the element of class
    ``recipients`` (``templates/documents/_band.html``), a ``label`` child, then one child per line."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.found = False
        self._depth = 0  # elements open inside the block; 0: outside it
        self._line: list[str] | None = None
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in _VOID:  # never closed: a line break inside a line is a space
            self.handle_data(" ")
        elif self._depth:
            self._depth += 1
            if self._depth == 2:  # a child of the block: the label or one line
                self._line = None if "label" in classes else []
        elif not self._done and "recipients" in classes:
            self.found, self._depth = True, 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._depth or tag in _VOID:
            return
        self._depth -= 1
        if self._depth == 1 and self._line is not None:
            self.lines.append(" ".join("".join(self._line).split()))
            self._line = None
        elif self._depth == 0:
            self._done = True

    def handle_data(self, data: str) -> None:
        if self._line is not None:
            self._line.append(data)


def printed_recipients(html: bytes) -> tuple[str, ...] | None:
    """The "Nơi nhận" of an issued document as its HTML prints it (the PDF is made from the same
    HTML): each line without the dash and the trailing punctuation, the file copy ("Lưu …") left
    out. None when the HTML has no such block (a commune's own template that prints it otherwise)."""
    parser = _NoiNhan()
    parser.feed(html.decode("utf-8", errors="replace"))
    parser.close()
    if not parser.found:
        return None
    lines = (line.lstrip("-–• ").rstrip(",;. ") for line in parser.lines)
    return tuple(line for line in lines if line and line.split()[0].casefold().rstrip(":") != "lưu")
