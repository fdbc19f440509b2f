"""Reading a request's form: a bounded number of fields, and text read as UTF-8.

Starlette reads a urlencoded body's raw bytes as Latin-1 (only `%XX` escapes as UTF-8), so a
client that sends Vietnamese unescaped (`description=Đường ngập`, which curl and many scripts do)
would have its text stored garbled, and masking would miss the names in it. A urlencoded body is
therefore parsed here: it must be UTF-8 throughout (`FormNotUtf8` otherwise, answered 400).
Multipart forms keep Starlette's parser (each part is decoded as UTF-8 there)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

DEFAULT_FORM_MAX_FIELDS = 100
STARLETTE_TOO_MANY = ("Too many fields", "Too many files")
URLENCODED = "application/x-www-form-urlencoded"
_PARSED = "urlencoded_form"  # request.state: the form parsed once per request


class FormTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} form fields")
        self.limit = limit


class FormNotUtf8(ValueError):
    """A urlencoded body (or one of its `%XX` escapes) that is not UTF-8 text."""


async def read_form(request: Request) -> FormData:
    """The request's form with at most `app.state.form_max_fields` fields and files (default
    100), else `FormTooLarge` (answered 413); a urlencoded one not in UTF-8: `FormNotUtf8`
    (answered 400). A form another layer already parsed is counted too."""
    limit = getattr(request.app.state, "form_max_fields", DEFAULT_FORM_MAX_FIELDS)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == URLENCODED:
        form = await _urlencoded(request, limit)
    else:
        try:
            form = await request.form(max_fields=limit, max_files=limit)
        except StarletteHTTPException as exc:
            if exc.status_code == 400 and str(exc.detail).startswith(STARLETTE_TOO_MANY):
                raise FormTooLarge(limit) from exc
            raise
    if len(form.multi_items()) > limit:
        raise FormTooLarge(limit)
    return form


async def _urlencoded(request: Request, limit: int) -> FormData:
    parsed = getattr(request.state, _PARSED, None)
    if isinstance(parsed, FormData):
        return parsed
    body = await request.body()
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=limit
        )
    except UnicodeDecodeError as exc:
        raise FormNotUtf8("the form is not UTF-8 text") from exc
    except ValueError as exc:  # parse_qsl: more than `max_num_fields`
        raise FormTooLarge(limit) from exc
    form = FormData([(name, value) for name, value in pairs])  # (FormData's list type is invariant)
    setattr(request.state, _PARSED, form)
    return form


def field_of_any_text(body: bytes, name: str) -> str:
    """The field `name` of a urlencoded `body` read leniently (any number of fields, bytes that
    are not UTF-8 replaced): for a credential (ASCII), so a caller is known before its form is
    refused."""
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return next((value for key, value in pairs if key == name), "")
