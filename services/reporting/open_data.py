"""Open data: the conclusions of a dialogue and how far each has got, without personal data,
as a public page and as CSV, XLSX and JSON files (rows from `handlers.open_data`: reviewed,
masked summaries only). The residents' site (intake, `/xa/{commune}/ket-luan`) reads the JSON;
the page here stays as it is for old links and for a deployment without intake's site.

The "Ấp" column lists every hamlet that raised the issue, `HAMLETS_SEPARATOR` ("; ") between them,
so the files keep one column per fact; `?hamlet=` (the JSON and the page) keeps the rows whose
list names that hamlet, so a resident finds an issue under each of its hamlets."""

from __future__ import annotations

import asyncio
import csv
import io

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment
from openpyxl import Workbook

from services.reporting import handlers
from services.reporting.handlers import FollowUpDeps, NotFound
from services.reporting.handlers.open_data import NOT_CONCLUDED, row_hamlets
from services.reporting.published import Busy, PublicReads, ReadLimits
from shared.auth.guard import GuardedRoute
from shared.clock import utcnow
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.http import problem
from shared.spreadsheets import append_xlsx_row, csv_row
from shared.text import nfc

MAX_JSON_ROWS = 500  # rows of one JSON page (`?limit=`); without a limit, every row
HAMLET_MAX_CHARS = 100  # `?hamlet=`: a hamlet's name
COLUMNS = (
    ("stt", "STT"),
    ("topic", "Nội dung trọng tâm"),
    ("hamlet", "Ấp"),
    ("issue", "Ý kiến, kiến nghị"),
    ("office", "Cơ quan chủ trì"),
    ("authority", "Thẩm quyền"),
    ("due", "Hạn giải quyết"),
    ("status", "Tình trạng"),
    ("conclusion", "Nội dung kết luận"),  # the published conclusion, masked (an answer given at the meeting)
    ("times_raised", "Số lần nêu"),
)


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow(csv_row(row.get(key, "") for key, _ in COLUMNS))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens Vietnamese CSV correctly


def of_hamlet(rows: list[dict], hamlet: str | None) -> list[dict]:
    """The rows whose hamlets (`row_hamlets`) name `hamlet` (same letters, any case); every row
    for none."""
    wanted = nfc(hamlet or "").strip().casefold()
    if not wanted:
        return rows
    return [r for r in rows if any(nfc(h).casefold() == wanted for h in row_hamlets(r))]


def concluded(rows: list[dict]) -> bool:
    """True once the conclusion notice is issued: the rows are its tasks, each with a follow-up
    status, and the issues closed at the meeting, each with its conclusion's; before that they are
    the items being compiled (`NOT_CONCLUDED`)."""
    return any(row["status"] != NOT_CONCLUDED for row in rows)


def to_json(
    rows: list[dict],
    commune_id: str,
    dialogue_id: str,
    year: int,
    offset: int = 0,
    limit: int | None = None,
    hamlet: str | None = None,
) -> dict:
    """Every row, or `limit` rows from `offset` (a page of the residents' site), of `hamlet`'s
    issues only when one is named (`of_hamlet`); `concluded` speaks of the whole dialogue, `total`
    of the rows chosen (of the hamlet, else all)."""
    chosen = of_hamlet(rows, hamlet)
    shown = chosen[offset : offset + limit] if limit is not None else chosen[offset:]
    return {
        "commune_id": commune_id,
        "dialogue_id": dialogue_id,
        "year": year,
        "concluded": concluded(rows),
        "total": len(chosen),
        "offset": offset,
        "columns": [{"key": key, "label": label} for key, label in COLUMNS],
        "rows": [{key: row.get(key, "") for key, _ in COLUMNS} for row in shown],
        "updated_at": utcnow().isoformat(),
    }


def to_xlsx(rows: list[dict], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ket luan"
    append_xlsx_row(sheet, [title])
    sheet.append([label for _, label in COLUMNS])
    for row in rows:
        append_xlsx_row(sheet, (row.get(key, "") for key, _ in COLUMNS))
    for column, width in zip("ABCDEFGHIJ", (5, 30, 28, 70, 28, 12, 14, 24, 60, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_open_data_router(deps: FollowUpDeps, templates: Environment, limits: ReadLimits) -> APIRouter:
    """`limits`: the process's bound on public reads (shared with the meeting's published view):
    identical reads arriving together share one, and a read that cannot start in time is 503."""
    router = APIRouter(tags=["open data"], route_class=GuardedRoute)
    commune_path, dialogue_path = Path(pattern=COMMUNE_ID_PATTERN), Path(max_length=64)

    async def read(key: tuple[str, str]) -> handlers.OpenData:
        return await handlers.open_data(deps, *key)

    reads = PublicReads(read, limits, name="open-data-read")

    async def rows_of(commune_id: str, dialogue_id: str) -> handlers.OpenData | JSONResponse:
        try:
            return await reads.get((commune_id, dialogue_id))
        except NotFound:
            return _not_found()
        except Busy as busy:
            return busy.response()

    @router.get(
        "/public/{commune_id}/dialogues/{dialogue_id}",
        response_class=HTMLResponse,
        summary="Public page: the conclusions and their progress",
    )
    async def page(
        commune_id: str = commune_path,
        dialogue_id: str = dialogue_path,
        hamlet: str | None = Query(None, max_length=HAMLET_MAX_CHARS, description="One hamlet's issues"),
    ):
        data = await rows_of(commune_id, dialogue_id)
        if isinstance(data, JSONResponse):
            return data
        html = templates.get_template("public_conclusions.html").render(
            commune=data.commune,
            dialogue=data.dialogue,
            rows=of_hamlet(data.rows, hamlet),
            columns=COLUMNS,
            concluded=concluded(data.rows),
            updated=utcnow(),
        )
        return HTMLResponse(html)

    @router.get(
        "/api/v1/communes/{commune_id}/dialogues/{dialogue_id}/open-data.{fmt}",
        summary="The same as CSV, XLSX or JSON (the residents' site reads the JSON)",
    )
    async def download(
        fmt: str = Path(pattern="^(csv|xlsx|json)$"),
        commune_id: str = commune_path,
        dialogue_id: str = dialogue_path,
        offset: int = Query(0, ge=0, le=10_000_000, description="JSON only: the first row's index"),
        limit: int | None = Query(None, ge=1, le=MAX_JSON_ROWS, description="JSON only: rows at most"),
        hamlet: str | None = Query(
            None,
            max_length=HAMLET_MAX_CHARS,
            description="JSON only: the issues one hamlet raised (among others)",
        ),
    ):
        data = await rows_of(commune_id, dialogue_id)
        if isinstance(data, JSONResponse):
            return data
        commune, dialogue = data.commune, data.dialogue
        if fmt == "json":
            return JSONResponse(
                to_json(data.rows, commune.id, dialogue.id, dialogue.year, offset, limit, hamlet)
            )
        name = f"ket-luan-doi-thoai-{commune.id}-{dialogue.year}.{fmt}"
        # a big dialogue's file takes seconds to build: off the event loop, which serves the others
        if fmt == "csv":
            return Response(
                await asyncio.to_thread(to_csv, data.rows),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'attachment; filename="{name}"'},
            )
        title = (
            f"Kết luận đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year} "
            f"– {commune.display_name}"
        )
        return Response(
            await asyncio.to_thread(to_xlsx, data.rows, title),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    return router


def _not_found() -> JSONResponse:
    return problem(
        404, "not_found", "Không tìm thấy xã/phường hoặc đợt đối thoại.", "Unknown commune or dialogue."
    )
