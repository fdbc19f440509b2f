"""The demo documents the document tests read (test_document_formats, test_document_layout):
each of the six kinds rendered once per format for the run, and every DOCX they read back
through LibreOffice converted by one LibreOffice run (its start-up is most of a conversion)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from typing import Any

import pytest

from services.demo.documents import demo_dataset, demo_document
from services.reporting.documents import KINDS, build_data, render
from services.reporting.documents.model import DocumentData

LONG_NOTICE_SIZES = range(25, 31)  # issues in the long notice: the band crosses a page end


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail(
            "LibreOffice (soffice) is missing: run `make deps` "
            "(apt-get install -y --no-install-recommends libreoffice-writer-nogui)"
        )
    return found


@pytest.fixture(scope="session")
def dataset():
    return demo_dataset()


@pytest.fixture(scope="session")
def documents(dataset) -> dict[str, DocumentData]:
    return {kind: demo_document(kind, dataset, number=5) for kind in KINDS}


@pytest.fixture(scope="session")
def pdfs(documents) -> dict[str, bytes]:
    return {kind: render(kind, "pdf", data) for kind, data in documents.items()}


@pytest.fixture(scope="session")
def docxs(documents) -> dict[str, bytes]:
    return {kind: render(kind, "docx", data) for kind, data in documents.items()}


def _many_issues(items: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    first = items[0]
    return [
        {
            **first,
            "id": f"long-{i}",
            "cluster_id": f"long-{i}",
            "duplicate_of": None,
            "earlier": [],
            "years_raised": [],
            "topic": 3,
            "authority_level": "commune",
            "text": f"Tuyến lộ đal tổ {i} xuống cấp, nhiều ổ gà, đề nghị sửa chữa trước mùa mưa để bà con "
            "đi lại, chở lúa thuận tiện.",
        }
        for i in range(n)
    ]


@pytest.fixture(scope="session")
def long_notices(dataset) -> dict[int, DocumentData]:
    commune, dialogue, items, _ = dataset
    return {
        n: build_data(
            "thong-bao-ket-luan",
            commune,
            dialogue,
            _many_issues(items, n),
            number=9,
            issued_on=date(2017, 4, 5),
        )
        for n in LONG_NOTICE_SIZES
    }


@pytest.fixture(scope="session")
def converted(tmp_path_factory, dataset, docxs, long_notices) -> dict[str, bytes]:
    """Every DOCX (the six kinds, by kind, the long notices, as `long-<n>`, and the draft
    invitation, as `giay-moi-draft`) converted to PDF by one LibreOffice run, with a profile of
    its own (parallel runs do not collide). A DOCX LibreOffice made no PDF of is missing from the
    result."""
    work = tmp_path_factory.mktemp("libreoffice")
    names = dict(docxs)
    names |= {f"long-{n}": render("thong-bao-ket-luan", "docx", data) for n, data in long_notices.items()}
    names["giay-moi-draft"] = render("giay-moi", "docx", demo_document("giay-moi", dataset))
    for name, blob in names.items():
        (work / f"{name}.docx").write_bytes(blob)
    out = work / "pdf"
    result = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(work / 'lo-profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *(str(work / f"{name}.docx") for name in names),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HOME": str(work)},
    )
    assert result.returncode == 0, result.stderr
    return {name: (out / f"{name}.pdf").read_bytes() for name in names if (out / f"{name}.pdf").is_file()}
