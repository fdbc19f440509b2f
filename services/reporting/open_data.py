"""Open data: the conclusions of a dialogue and how far each has got, without personal data,
as a public page and as CSV and XLSX files."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from openpyxl import Workbook

from services.reporting.followup import STATUS_LABELS_VI
from services.reporting.followup_repository import FollowUpRepository
from services.reporting.repository import ItemRepository
from shared.auth.guard import GuardedRoute
from shared.clock import utcnow
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.http import problem
from shared.spreadsheets import append_xlsx_row, csv_row

COLUMNS = (
    ("stt", "STT"),
    ("topic", "Nội dung trọng tâm"),
    ("hamlet", "Ấp"),
    ("issue", "Ý kiến, kiến nghị"),
    ("office", "Cơ quan chủ trì"),
    ("authority", "Thẩm quyền"),
    ("due", "Hạn giải quyết"),
    ("status", "Tình trạng"),
    ("times_raised", "Số lần nêu"),
)
AUTHORITY_VI = {"commune": "Cấp xã", "province": "Cấp tỉnh", "central": "Trung ương"}


def open_rows(tasks: list[dict], items: list[dict]) -> list[dict]:
    """Tasks once the conclusion notice is issued; before that, the routed items."""
    source = tasks or [i for i in items if i.get("topic") is not None]
    rows = []
    for n, row in enumerate(
        sorted(source, key=lambda r: (r.get("topic") or 99, r.get("hamlet") or "", r["_id"])), start=1
    ):
        rows.append(
            {
                "stt": n,
                "topic": row.get("topic_name") or "",
                "hamlet": row.get("hamlet") or "Toàn xã",
                "issue": row["text"],
                "office": row.get("office_name") or "",
                "authority": AUTHORITY_VI.get(row.get("authority_level") or "commune", ""),
                "due": date.fromisoformat(row["due"]).strftime("%d/%m/%Y") if row.get("due") else "",
                "status": STATUS_LABELS_VI.get(row.get("status"), "Đang tổng hợp"),
                "times_raised": row.get("times_raised") or 1,
            }
        )
    return rows


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow(csv_row(row[key] for key, _ in COLUMNS))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens Vietnamese CSV correctly


def to_xlsx(rows: list[dict], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ket luan"
    append_xlsx_row(sheet, [title])
    sheet.append([label for _, label in COLUMNS])
    for row in rows:
        append_xlsx_row(sheet, (row[key] for key, _ in COLUMNS))
    for column, width in zip("ABCDEFGHI", (5, 30, 14, 70, 28, 12, 14, 24, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_open_data_router(
    items: ItemRepository, tasks: FollowUpRepository, directory: DirectoryReader, templates: Environment
) -> APIRouter:
    router = APIRouter(tags=["open data"], route_class=GuardedRoute)
    commune_path, dialogue_path = Path(pattern=COMMUNE_ID_PATTERN), Path(max_length=64)

    async def load(commune_id: str, dialogue_id: str):
        commune = await directory.commune(commune_id)
        dialogue = await directory.dialogue(commune_id, dialogue_id) if commune else None
        if dialogue is None:
            return None
        rows = open_rows(
            await tasks.for_dialogue(commune_id, dialogue_id),
            await items.for_dialogue(commune_id, dialogue_id),
        )
        return commune, dialogue, rows

    @router.get(
        "/public/{commune_id}/dialogues/{dialogue_id}",
        response_class=HTMLResponse,
        summary="Public page: the conclusions and their progress",
    )
    async def page(commune_id: str = commune_path, dialogue_id: str = dialogue_path):
        loaded = await load(commune_id, dialogue_id)
        if loaded is None:
            return _not_found()
        commune, dialogue, rows = loaded
        html = templates.get_template("public_conclusions.html").render(
            commune=commune, dialogue=dialogue, rows=rows, columns=COLUMNS, updated=utcnow()
        )
        return HTMLResponse(html)

    @router.get(
        "/api/v1/communes/{commune_id}/dialogues/{dialogue_id}/open-data.{fmt}",
        summary="The same as CSV or XLSX",
    )
    async def download(
        fmt: str = Path(pattern="^(csv|xlsx)$"),
        commune_id: str = commune_path,
        dialogue_id: str = dialogue_path,
    ):
        loaded = await load(commune_id, dialogue_id)
        if loaded is None:
            return _not_found()
        commune, dialogue, rows = loaded
        name = f"ket-luan-doi-thoai-{commune.id}-{dialogue.year}.{fmt}"
        if fmt == "csv":
            return Response(
                to_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'attachment; filename="{name}"'},
            )
        title = f"Kết luận đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year} – {commune.display_name}"
        return Response(
            to_xlsx(rows, title),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    return router


def _not_found():
    return problem(
        404, "not_found", "Không tìm thấy xã/phường hoặc đợt đối thoại.", "Unknown commune or dialogue."
    )
