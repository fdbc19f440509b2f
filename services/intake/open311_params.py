"""Open311 GeoReport v2 parameters as a client sends them, parsed (pure): every wrong value is
one `FieldProblem` naming its field and, for a closed set, the valid choices, in Vietnamese and
English; the endpoint answers them all at once in the spec's `[{code, description}]` form, never
as a 422 of its own or a 500."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

MAX_IDS = 200  # service_request_id values in one query
ID_MAX_LENGTH = 64
CODE_MAX_LENGTH = 8
# A "+07:00" offset sent unencoded in a query string arrives as " 07:00".
_UNENCODED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")
W3C_EXAMPLE = "2017-03-25T07:30:00+07:00"
# Years a date filter may name: any dialogue on record, with room on both sides.
DATE_YEARS = range(1900, 3000)


class RequestStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    vi: str
    en: str

    @property
    def description(self) -> str:
        return f"{self.field}: {self.vi} / {self.en}"


def not_one_of(field: str, value: str, choices: Sequence[str]) -> FieldProblem:
    listed = ", ".join(choices)
    return FieldProblem(
        field,
        f"Giá trị '{value}' không hợp lệ; chọn một trong: {listed}.",
        f"Invalid value '{value}'; expected one of: {listed}.",
    )


def not_text(field: str) -> FieldProblem:
    return FieldProblem(field, "Phải là chuỗi ký tự.", "Must be a string.")


@dataclass(frozen=True)
class RequestFilter:
    """`GET requests.json`'s filters; `ids` given, the others are ignored (as the spec says)."""

    ids: tuple[str, ...] | None = None
    codes: tuple[int, ...] | None = None
    statuses: frozenset[RequestStatus] | None = None
    start: datetime | None = None  # UTC, inclusive
    end: datetime | None = None  # UTC, inclusive

    def query(self) -> dict[str, Any]:
        """The store's filter on submissions (`statuses` apply to the public views)."""
        if self.ids is not None:
            return {"_id": {"$in": list(self.ids)}}
        query: dict[str, Any] = {}
        if self.codes is not None:
            query["topic"] = {"$in": list(self.codes)}
        received = {op: at for op, at in (("$gte", self.start), ("$lte", self.end)) if at is not None}
        if received:
            query["received_at"] = received
        return query


def _values(raw: str) -> list[str]:
    return [v.strip() for v in raw.split(",") if v.strip()]


def parse_ids(raw: str) -> tuple[str, ...] | FieldProblem:
    ids = tuple(dict.fromkeys(_values(raw)))
    if len(ids) > MAX_IDS:
        return FieldProblem(
            "service_request_id",
            f"Tối đa {MAX_IDS} mã trong một lần tra cứu.",
            f"At most {MAX_IDS} ids in one query.",
        )
    if too_long := next((i for i in ids if len(i) > ID_MAX_LENGTH), None):
        return FieldProblem(
            "service_request_id",
            f"Mã '{too_long[:ID_MAX_LENGTH]}…' quá dài: tối đa {ID_MAX_LENGTH} ký tự.",
            f"Id too long: at most {ID_MAX_LENGTH} characters.",
        )
    return ids


def parse_code(raw: str, choices: Sequence[str]) -> int | FieldProblem:
    """One service_code: the digits of a topic number (`choices` are named when it is not)."""
    code = raw.strip()
    if not (code.isascii() and code.isdigit() and len(code) <= CODE_MAX_LENGTH):
        return not_one_of("service_code", code[:CODE_MAX_LENGTH], choices)
    return int(code)


def parse_statuses(raw: str) -> frozenset[RequestStatus] | FieldProblem:
    found: set[RequestStatus] = set()
    for value in _values(raw) or [raw]:
        try:
            found.add(RequestStatus(value.lower()))
        except ValueError:
            return not_one_of("status", value[:20], [s.value for s in RequestStatus])
    return frozenset(found)


def parse_datetime(field: str, raw: str, tz: ZoneInfo, *, end_of_day: bool) -> datetime | FieldProblem:
    """An ISO 8601 (W3C) datetime, in UTC. Without an offset it is the commune's local time; a
    bare date is that local day's start (`start_date`) or its end (`end_date`, `end_of_day`).
    Years outside `DATE_YEARS` are refused (their UTC time may not exist: 0001-01-01 at +01:00)."""
    text = _UNENCODED_OFFSET.sub(r"+\1", raw.strip())
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(), tz)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return FieldProblem(
            field,
            f"Ngày giờ '{raw[:40]}' không đúng định dạng ISO 8601 (W3C), ví dụ {W3C_EXAMPLE}.",
            f"'{raw[:40]}' is not a W3C ISO 8601 datetime, e.g. {W3C_EXAMPLE}.",
        )
    if moment.year not in DATE_YEARS:
        first, last = DATE_YEARS[0], DATE_YEARS[-1]
        return FieldProblem(
            field,
            f"Năm {moment.year} nằm ngoài khoảng {first}–{last}.",
            f"the year {moment.year} is outside {first}-{last}.",
        )
    if len(text) == 10 and end_of_day:  # the local day's last microsecond
        moment = datetime.combine(moment.date() + timedelta(days=1), time(), tz) - timedelta(microseconds=1)
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(UTC)


def parse_filter(
    params: Mapping[str, str | None], choices: Sequence[str], tz: ZoneInfo
) -> RequestFilter | list[FieldProblem]:
    """`GET requests.json`'s query parameters, or every problem found in them."""
    if raw_ids := params.get("service_request_id"):
        ids = parse_ids(raw_ids)
        return [ids] if isinstance(ids, FieldProblem) else RequestFilter(ids=ids)
    problems: list[FieldProblem] = []
    codes: list[int] | None = None
    if raw_codes := params.get("service_code"):
        codes = []
        for value in _values(raw_codes) or [raw_codes]:
            code = parse_code(value, choices)
            if isinstance(code, FieldProblem):
                problems.append(code)
                break
            codes.append(code)
    statuses = parse_statuses(raw) if (raw := params.get("status")) else None
    if isinstance(statuses, FieldProblem):
        problems.append(statuses)
    bounds: dict[str, datetime | None] = {}
    for field in ("start_date", "end_date"):
        raw = params.get(field)
        parsed = parse_datetime(field, raw, tz, end_of_day=field == "end_date") if raw else None
        if isinstance(parsed, FieldProblem):
            problems.append(parsed)
        else:
            bounds[field] = parsed
    start, end = bounds.get("start_date"), bounds.get("end_date")
    if start is not None and end is not None and end < start:
        problems.append(FieldProblem("end_date", "Phải sau start_date.", "Must not be before start_date."))
    if problems:
        return problems
    return RequestFilter(
        codes=tuple(codes) if codes is not None else None,
        statuses=statuses if isinstance(statuses, frozenset) else None,
        start=start,
        end=end,
    )


def w3c(value: datetime | str | None) -> str | None:
    """A stored time (a datetime, naive ones being UTC, or an ISO string) as W3C ISO 8601 in
    UTC to the second: `2017-03-25T00:30:00Z`."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def latest(*times: datetime | str | None) -> datetime | None:
    """The latest of stored times (datetimes or ISO strings; naive ones are UTC), None for none."""
    found = []
    for value in times:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                continue
        if isinstance(value, datetime):
            found.append(value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))
    return max(found, default=None)
