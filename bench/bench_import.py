"""Bulk import benchmark: a hamlet meeting file of 10,000 rows through intake's importer.

Run ``.venv/bin/python -m bench.bench_import``; prints one JSON line (`make bench` runs it inside
``bench_pipeline``, whose line carries it as ``bulk_import``). Intake runs in this process
(its lifespan: real RabbitMQ on 127.0.0.1:5672, or RABBITMQ_URL; the nx-27017 wire server with
its data on disk in a temporary folder, as `make run` keeps it, or MONGODB_URL). Timed, as the
staff page does it: read and check the CSV, store the job, then store every row in batched
writes and publish its `submission.received.v1` until the job is done. ``check_seconds`` is the
part before the page answers (read + check + store the job); ``seconds`` is upload to done.
Target (issue 7): under 30 s for 10,000 rows.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

from services.demo.seed import demo_commune, seed_demo
from services.deployment import CONSUMERS, Settings, build_app
from services.intake.app import build_service as intake
from services.intake.importer import Importer
from services.intake.repository import SUBMISSIONS
from services.local.wire_store import start_wire_store
from shared.topology import remove as topology_remove

ROWS = 10_000
TARGET_SECONDS = 30.0
HAMLETS = ("ấp Chợ", "ấp Căn Cứ", "ap Tan Hoa", "")
TEXTS = (
    "Đường liên ấp xuống cấp, mưa xuống ngập sâu, đề nghị xã sửa chữa và nạo vét cống thoát nước.",
    "Rác thải sinh hoạt chưa được thu gom thường xuyên, đề nghị tăng chuyến thu gom.",
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất còn chậm, đề nghị rút ngắn thời gian giải quyết.",
    "Tình trạng xe chở cát chạy quá tốc độ qua khu dân cư, đề nghị tăng cường kiểm tra.",
)


def meeting_file(rows: int) -> bytes:
    hamlets = [h.name for h in demo_commune().hamlets] + [""]
    lines = ["Ấp,Loại,Nội dung,Họ tên,Điện thoại,Lĩnh vực"]
    for i in range(rows):
        lines.append(
            f'{hamlets[i % len(hamlets)]},kiến nghị,"{TEXTS[i % len(TEXTS)]} (ý kiến số {i + 1})",'
            f"Người dân {i},09{i:08d},"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


async def bulk_import(settings: Settings, rows: int = ROWS) -> dict:
    # Routing does not run here, so its queue only fills: load shedding would pause the import.
    settings = settings.model_copy(update={"max_queued_s": 0})
    app = build_app(settings, [intake], title="bench-import")
    content = meeting_file(rows)
    try:
        async with app.router.lifespan_context(app):
            db = app.state.runtime.db
            await seed_demo(db)
            imports = app.state.parts["intake"].components["imports"]
            commune = demo_commune()
            started = time.perf_counter()
            result = Importer(commune, frozenset(range(7)), max_rows=settings.import_max_rows).read(
                "hop.csv", content
            )
            job_id, _ = await imports.create(
                commune_id="demo",
                dialogue_id="demo-2017",
                filename="hop.csv",
                content=content,
                result=result,
                by="bench",
            )
            checked = time.perf_counter()
            await imports.run(job_id)
            done = time.perf_counter()
            stored = await db[SUBMISSIONS].count_documents({"import_job": job_id})
            pending = await db[SUBMISSIONS].count_documents({"import_job": job_id, "outbox_pending": True})
    finally:
        await topology_remove(
            settings.rabbitmq_url, settings.amqp_prefix, CONSUMERS
        )  # its 10,000 events have no consumer here
    return {
        "rows": rows,
        "valid": len(result.rows),
        "errors": len(result.errors),
        "stored": stored,
        "unpublished_after": pending,
        "file_bytes": len(content),
        "batch_size": settings.import_batch_size,
        "check_seconds": round(checked - started, 3),
        "seconds": round(done - started, 3),
        "rows_per_second": round(rows / (done - started)),
        "target_seconds": TARGET_SECONDS,
        "meets_target": done - started < TARGET_SECONDS,
    }


def main() -> int:
    env = {
        "DOITHOAI_AMQP_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "MONGODB_DB": f"bench_import_{uuid.uuid4().hex[:8]}",
        **os.environ,
    }
    store = None
    with tempfile.TemporaryDirectory() as tmp:
        if "MONGODB_URL" not in os.environ:
            store = start_wire_store(Path(tmp) / "run", data_dir=Path(tmp) / "mongo")
            env["MONGODB_URL"] = store.url
        try:
            settings = Settings(**{k: v for k, v in env.items() if k.isupper()})
            figures = asyncio.run(bulk_import(settings))
        finally:
            if store is not None:
                store.stop()
    print(
        json.dumps(
            {
                "bench": "bulk_import",
                **figures,
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
            }
        )
    )
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
