"""Bulk import on the real broker and store (intake + routing): rows are stored in batched
writes and routed, a second upload of the same file imports nothing, a worker that died
half-way is taken over without storing a row twice, and the staff page answers 413/422 to a
file it cannot take, storing nothing of it."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest

from services.demo.seed import demo_commune, seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.import_jobs import IMPORT_JOBS
from services.intake.importer import Importer
from services.intake.repository import SUBMISSIONS
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import running
from tests.integration.test_web_staff import logged_in, token_of

pytestmark = pytest.mark.integration

ROWS = 23  # batches of 5: four full batches and a short one


def meeting_csv(n: int, start: int = 0) -> bytes:
    lines = ["Ấp,Loại,Nội dung"] + [
        f'ấp Chợ,kiến nghị,"Kiến nghị số {start + i}: đường liên ấp xuống cấp, đề nghị xã sửa chữa."'
        for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
async def system(make_settings):
    app = build_app(
        make_settings(DOITHOAI_IMPORT_BATCH_SIZE=5, DOITHOAI_IMPORT_MAX_BYTES=20_000),
        [intake, routing],
        title="t",
    )
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=False)
        yield app, db, app.state.parts["intake"].components["imports"]


async def test_rows_are_stored_in_batches_routed_and_a_second_upload_imports_nothing(system):
    app, db, _ = system
    async with logged_in(app, "demo.apcho") as client:
        token = await token_of(client, "/staff/nhap")
        files = {"file": ("hop.csv", io.BytesIO(meeting_csv(ROWS)), "text/csv")}
        response = await client.post("/staff/nhap", data={"csrf_token": token}, files=files)
        assert response.status_code == 303
        job_url = response.headers["location"]
        page = await eventually(lambda: _done(client, job_url))
        assert f"<strong data-stored>{ROWS}</strong>" in page and "<strong data-errors>0</strong>" in page
        routed = await eventually(
            lambda: _count(
                db, {"import_job": {"$exists": True}, "status": {"$in": ["routed", "office_notified"]}}, ROWS
            ),
            timeout=20,
        )
        assert routed == ROWS
        again = await client.post(
            "/staff/nhap",
            data={"csrf_token": token},
            files={"file": ("hop (1).csv", io.BytesIO(meeting_csv(ROWS)), "text/csv")},
        )
        assert again.headers["location"] == job_url + "?lai=1"
        assert await db[SUBMISSIONS].count_documents({}) == ROWS
        audit = await db["intake_staff_audit"].find_one({"action": "bulk_import"})
        assert audit and audit["target"]["valid"] == ROWS


async def test_a_job_whose_worker_died_half_way_is_taken_over_without_duplicates(system):
    _, db, imports = system
    result = Importer(demo_commune(), frozenset(range(7))).read("a.csv", meeting_csv(12, start=100))
    job_id, new = await imports.create(
        commune_id="demo",
        dialogue_id="demo-2017",
        filename="a.csv",
        content=meeting_csv(12, start=100),
        result=result,
        by="demo.apcho",
    )
    assert new
    # A worker stored the first batch and part of the second, then died before recording progress
    # past batch one.
    job = await db[IMPORT_JOBS].find_one({"_id": job_id})
    first = [imports.build_submission(job, demo_commune(), fields) for fields in job["rows"][:7]]
    await db[SUBMISSIONS].insert_many(first)
    await db[IMPORT_JOBS].update_one(
        {"_id": job_id}, {"$set": {"state": "running", "stored": 5, "lease_until": 0.0}}
    )
    # The lease has run out: intake's takeover pass (every DOITHOAI_OUTBOX_INTERVAL_S) finishes the job.
    progress = await eventually(lambda: _job_done(imports, job_id), timeout=15)
    assert progress.stored == 12 and await db[SUBMISSIONS].count_documents({"import_job": job_id}) == 12
    # the rows the dead worker stored but never published are published by the outbox relay
    await eventually(
        lambda: _count(db, {"import_job": job_id, "status": {"$in": ["routed", "office_notified"]}}, 12),
        timeout=30,
    )


async def test_a_file_too_large_or_unreadable_is_refused_whole_and_nothing_is_stored(system):
    app, db, _ = system
    async with logged_in(app, "demo.apcho") as client:
        token = await token_of(client, "/staff/nhap")
        big = await client.post(
            "/staff/nhap",
            data={"csrf_token": token},
            files={"file": ("big.csv", io.BytesIO(meeting_csv(400)), "text/csv")},
        )
        assert big.status_code == 413 and "Tệp quá lớn" in big.text
        odd = await client.post(
            "/staff/nhap",
            data={"csrf_token": token},
            files={"file": ("a.pdf", io.BytesIO(b"%PDF-1.7"), "application/pdf")},
        )
        assert odd.status_code == 422 and "Chỉ nhận tệp CSV hoặc Excel" in odd.text
        no_text = await client.post(
            "/staff/nhap",
            data={"csrf_token": token},
            files={"file": ("a.csv", io.BytesIO("Ấp,Họ tên\nấp Chợ,A\n".encode()), "text/csv")},
        )
        assert no_text.status_code == 422 and "Nội dung" in no_text.text
    assert await db[IMPORT_JOBS].count_documents({}) == 0 and await db[SUBMISSIONS].count_documents({}) == 0
    async with logged_in(app, "demo.kinhte") as office:  # an office does not import
        assert (await office.get("/staff/nhap")).status_code == 403


async def test_an_upload_is_parsed_off_the_event_loop_and_a_file_already_imported_is_not_parsed(
    system, monkeypatch
):
    """A slow parse (a hostile workbook) no longer stalls the process: /healthz answers while
    the upload is still being parsed; the same file again is answered from its job unparsed."""
    app, _, _ = system
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    parsed: list[str] = []
    read = Importer.read

    def slow_read(self, filename: str, content: bytes):
        parsed.append(filename)
        started.set()
        release.wait(timeout=10)  # before: the event loop itself waited here
        try:
            return read(self, filename, content)
        finally:
            finished.set()

    monkeypatch.setattr(Importer, "read", slow_read)
    async with logged_in(app, "demo.apcho") as client:
        token = await token_of(client, "/staff/nhap")
        upload = asyncio.create_task(
            client.post(
                "/staff/nhap",
                data={"csrf_token": token},
                files={"file": ("hop.csv", io.BytesIO(meeting_csv(3)), "text/csv")},
            )
        )
        for _ in range(1000):
            if started.is_set():
                break
            await asyncio.sleep(0.01)
        health = await client.get("/healthz")
        assert health.status_code == 200 and not finished.is_set()  # answered during the parse
        release.set()
        first = await upload
        assert first.status_code == 303 and "?lai=1" not in first.headers["location"]
        again = await client.post(
            "/staff/nhap",
            data={"csrf_token": token},
            files={"file": ("hop (1).csv", io.BytesIO(meeting_csv(3)), "text/csv")},
        )
        assert again.headers["location"] == first.headers["location"] + "?lai=1"
        assert parsed == ["hop.csv"]  # the second upload was not parsed


async def _job_done(imports, job_id: str):
    progress = await imports.progress("demo", job_id)
    return progress if progress and progress.state == "done" else None


async def _done(client, url: str) -> str | None:
    page = (await client.get(url)).text
    return page if 'data-job-state="done"' in page else None


async def _count(db, match: dict, expected: int) -> int | None:
    n = await db[SUBMISSIONS].count_documents(match)
    return n if n == expected else None


async def test_one_opinion_entered_on_behalf_of_a_resident_is_stored_routed_and_refused_when_wrong(system):
    app, db, _ = system
    async with logged_in(app, "demo.mattran") as front:
        token = await token_of(front, "/staff/y-kien-moi")
        wrong = await front.post(
            "/staff/y-kien-moi",
            data={"csrf_token": token, "hamlet": "", "kind": "kien nghi", "text": "ngắn", "phone": "gọi tôi"},
        )
        assert (
            wrong.status_code == 422
            and "Vui lòng chọn ấp" in wrong.text
            and "Nội dung quá ngắn" in wrong.text
            and "Số điện thoại không hợp lệ" in wrong.text
        )
        assert "gọi tôi" in wrong.text  # what was typed stays in the form
        assert await db[SUBMISSIONS].count_documents({}) == 0
        text = "Đèn đường khu vực chợ bị hư nhiều tháng, đề nghị xã sửa chữa để bà con đi lại an toàn."
        ok = await front.post(
            "/staff/y-kien-moi",
            data={
                "csrf_token": token,
                "hamlet": "ấp Căn Cứ",
                "kind": "kien nghi",
                "text": text,
                "name": "Võ Thị Mười",
                "phone": "0909 111 222",
            },
        )
        assert ok.status_code == 303 and ok.headers["location"].endswith("?xong=moi")
        doc = await db[SUBMISSIONS].find_one({"text": text})
        assert (
            doc["source"] == "fatherland_front"
            and doc["entered_by"] == "demo.mattran"
            and doc["submitter"]["contact"] == "0909 111 222"
        )
        await eventually(
            lambda: _count(db, {"_id": doc["_id"], "status": {"$in": ["routed", "office_notified"]}}, 1)
        )
        page = await front.get(ok.headers["location"])
        assert (
            "Đã tiếp nhận ý kiến" in page.text and "Võ Thị Mười" not in page.text
        )  # the Front does not see identities
    async with logged_in(app, "demo.apcho") as cell:
        token = await token_of(cell, "/staff/y-kien-moi")
        other = await cell.post(
            "/staff/y-kien-moi",
            data={
                "csrf_token": token,
                "hamlet": "ấp Căn Cứ",
                "kind": "y kien",
                "text": "Ý kiến của ấp khác, không thuộc chi bộ ấp Chợ.",
            },
        )
        assert other.status_code == 422 and "chỉ nhập được ý kiến của ấp Chợ" in other.text
