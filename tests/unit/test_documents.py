"""The dialogue documents: data built from the demo plan and items, and their HTML (fast).

PDF, DOCX and the LibreOffice round trip are in tests/integration/test_document_formats.py."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from services.cli import main as cli_main
from services.demo.documents import demo_dataset, demo_document
from services.demo.seed import demo_commune
from services.reporting.documents import FORMATS, KINDS, TYPE_CODES, build_data, render
from services.reporting.documents.build import party_signature
from services.reporting.documents.kinds.invitation import venue_line
from services.reporting.documents.model import DocumentData, UnknownFormat, UnknownKind
from services.reporting.documents.render import FONTS, FONTS_URL, render_html, served_html
from shared.directory import Signature

LAST_LINE = "- Lưu Văn phòng Đảng ủy."


# --- helpers shared with the integration tests ----------------------------------------------


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def expected_sequence(data: DocumentData) -> list[str]:
    """The HD 36 elements, in reading order."""
    seq = [data.province_line, data.committee_line, "*"]
    if data.number_line:
        seq.append(data.number_line)
    if data.vv_line:
        seq.append(data.vv_line)
    seq += ["ĐẢNG CỘNG SẢN VIỆT NAM", data.date_line]
    if data.type_title:
        seq += [data.type_title, data.subject]
    if data.addressees:
        seq.append("Kính gửi:")
    if data.left_signature:
        seq.append(data.left_signature.title)
    if data.signature.authority:
        seq.append(data.signature.authority)
    seq += [data.signature.title, "Nơi nhận:", LAST_LINE]
    return seq


def assert_in_order(text: str, needles: list[str]) -> None:
    text = squash(text)
    position = 0
    for needle in needles:
        found = text.find(squash(needle), position)
        assert found >= 0, (
            f"{needle!r} missing after position {position}: …{text[max(0, position - 80) : position + 200]}…"
        )
        position = found + len(squash(needle))


def assert_layout(text: str, data: DocumentData) -> None:
    assert_in_order(text, expected_sequence(data))
    lines = [line.strip() for line in unicodedata.normalize("NFC", text).splitlines() if line.strip()]
    assert lines[-1] == LAST_LINE
    assert "Số:" not in text  # Party numbers have no colon (state documents do)
    if data.draft:
        assert "DỰ THẢO" in text


class _Text(HTMLParser):
    BLOCK = {"div", "p", "h3", "h4", "tr", "td", "th", "br", "li", "table", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "head"):
            self._skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "head"):
            self._skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    return html_lib.unescape("".join(parser.parts))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset():
    return demo_dataset()


@pytest.fixture(scope="module")
def documents(dataset) -> dict[str, DocumentData]:
    return {kind: demo_document(kind, dataset, number=5) for kind in KINDS}


@pytest.fixture(scope="module")
def html(documents) -> dict[str, str]:
    return {kind: render(kind, "html", data).decode("utf-8") for kind, data in documents.items()}


# --- demo data -----------------------------------------------------------------------------


def test_demo_dataset_is_rich_enough(dataset) -> None:
    commune, dialogue, items, minutes = dataset
    assert len(items) >= 32
    hamlets = {i["hamlet"] for i in items}
    assert {"ấp Chợ", "ấp Căn Cứ"} <= hamlets and len(hamlets) >= 6
    assert len({i["source"] for i in items}) >= 4
    assert sum(1 for i in items if i["authority_level"] != "commune") >= 3
    assert sum(1 for i in items if i["earlier"]) >= 2
    assert all(any(e["answer"] for e in i["earlier"]) for i in items if i["earlier"])
    assert any(i["text"].isascii() for i in items)  # written without diacritics
    assert all(unicodedata.is_normalized("NFC", i["text"]) for i in items)
    assert len(minutes.speeches) >= 5
    assert all(s.hamlet and s.issue and s.answer for s in minutes.speeches)


# --- numbers, dates, signatures -------------------------------------------------------------


def test_type_codes() -> None:
    assert TYPE_CODES == {
        "giay-moi": "GM",
        "bao-cao-tong-hop": "BC",
        "bien-ban": "BB",
        "thong-bao-ket-luan": "TB",
        "kien-nghi-cap-tren": "CV",
        "thong-bao-truyen-thanh": "TB",
    }


def test_number_and_date_line(documents) -> None:
    notice = documents["thong-bao-ket-luan"]
    assert notice.number_line == "Số 05-TB/ĐU"
    assert notice.date_line == "Tân Phước, ngày 05 tháng 04 năm 2017"
    assert documents["bao-cao-tong-hop"].number_line == "Số 05-BC/ĐU"
    assert documents["kien-nghi-cap-tren"].vv_line.startswith("V/v kiến nghị")
    assert documents["kien-nghi-cap-tren"].type_title is None


def test_draft_and_unnumbered(dataset) -> None:
    commune, dialogue, items, _ = dataset
    draft = build_data(
        "thong-bao-ket-luan", commune, dialogue, items, number=None, issued_on=date(2017, 4, 5)
    )
    assert draft.draft and draft.number_line == "Số    -TB/ĐU"
    markup = render("thong-bao-ket-luan", "html", draft).decode()
    assert "DỰ THẢO" in markup and "Số    -TB/ĐU" in markup
    invitation = build_data(
        "giay-moi",
        commune,
        dialogue,
        items,
        number=None,
        issued_on=date(2017, 3, 20),
        options={"numbered": False},
    )
    assert invitation.number_line is None
    assert "-GM/ĐU" not in render("giay-moi", "html", invitation).decode()
    with pytest.raises(ValueError):
        build_data("giay-moi", commune, dialogue, items, number=0, issued_on=date(2017, 3, 20))
    with pytest.raises(ValueError, match="unknown document options"):
        build_data(
            "giay-moi",
            commune,
            dialogue,
            items,
            number=1,
            issued_on=date(2017, 3, 20),
            options={"numbred": False},
        )


@pytest.mark.parametrize(
    ("given", "authority", "title"),
    [
        (
            Signature(authority="T/M BAN THƯỜNG VỤ", title="BÍ THƯ", name="Nguyễn Văn Minh"),
            "T/M BAN THƯỜNG VỤ",
            "BÍ THƯ",
        ),
        (
            Signature(authority="K/T BÍ THƯ", title="PHÓ BÍ THƯ", name="Lê Văn Hai"),
            "K/T BÍ THƯ",
            "PHÓ BÍ THƯ",
        ),
        (
            Signature(authority="T/L BAN THƯỜNG VỤ", title="CHÁNH VĂN PHÒNG", name="Trần Thị Thu"),
            "T/L BAN THƯỜNG VỤ",
            "CHÁNH VĂN PHÒNG",
        ),
        (
            Signature(authority="KT. Bí thư", title="Phó Bí thư", name="Lê Văn Hai"),
            "K/T BÍ THƯ",
            "PHÓ BÍ THƯ",
        ),
    ],
)
def test_signature_variants(dataset, given, authority, title) -> None:
    block = party_signature(given)
    assert (block.authority, block.title, block.name) == (authority, title, given.name)
    commune, dialogue, items, _ = dataset
    data = build_data(
        "thong-bao-ket-luan",
        commune,
        dialogue,
        items,
        number=5,
        issued_on=date(2017, 4, 5),
        options={"signature": given},
    )
    text = html_text(render("thong-bao-ket-luan", "html", data).decode())
    assert_in_order(text, [authority, title, given.name, "Nơi nhận:", LAST_LINE])


def test_recipients_end_with_the_party_office(documents) -> None:
    for data in documents.values():
        assert data.recipient_lines[-1] == LAST_LINE
        assert all(line.startswith("- ") for line in data.recipient_lines)
        assert sum("Lưu Văn phòng Đảng ủy" in line for line in data.recipient_lines) == 1


# --- HTML of every kind ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_html_layout(kind, documents, html) -> None:
    data, markup = documents[kind], html[kind]
    assert_layout(html_text(markup), data)
    assert '<div class="date-line"><em>' in markup  # italic date line
    assert "@font-face" not in markup and "file:" not in markup  # served: the fallback font stack
    assert '"Times New Roman", "Tinos", "Liberation Serif", serif' in markup


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_pdf_renderer_gets_the_bundled_fonts_file_urls(kind, documents) -> None:
    for_pdf = render_html(documents[kind], fonts_url=FONTS_URL)
    assert for_pdf.count("@font-face") == 4 and f'url("{FONTS_URL}Tinos-Regular.ttf")' in for_pdf
    assert FONTS_URL.startswith("file:///") and (FONTS / "Tinos-Regular.ttf").is_file()


def test_html_issued_with_local_fonts_is_served_without_them(documents) -> None:
    for_pdf = render_html(documents["thong-bao-ket-luan"], fonts_url=FONTS_URL).encode()
    served = served_html(for_pdf)
    assert b"file:" not in served and b"@font-face" not in served
    assert served.splitlines() == [line for line in for_pdf.splitlines() if b"@font-face" not in line]


def test_html_escapes_item_text(dataset) -> None:
    commune, dialogue, items, _ = dataset
    hostile = [dict(items[0], text="Cống <b>nghẹt</b> & ngập", cluster_id="x", duplicate_of=None)]
    data = build_data("thong-bao-ket-luan", commune, dialogue, hostile, number=1, issued_on=date(2017, 4, 5))
    markup = render("thong-bao-ket-luan", "html", data).decode()
    assert "Cống &lt;b&gt;nghẹt&lt;/b&gt; &amp; ngập" in markup


def test_item_texts_survive_in_html(dataset, html) -> None:
    _, _, items, _ = dataset
    text = squash(html_text(html["bao-cao-tong-hop"]))
    shown = [i for i in items if i["duplicate_of"] is None or i["earlier"]]
    for item in shown[:12]:
        assert squash(item["text"]) in text


# --- contents per kind ----------------------------------------------------------------------


def test_conclusion_notice_one_conclusion_per_issue(dataset, documents, html) -> None:
    _, _, items, _ = dataset
    notice = documents["thong-bao-ket-luan"].notice
    issues = {i["cluster_id"]: i for i in items}
    within = {k for k, i in issues.items() if i["authority_level"] == "commune"}
    above = set(issues) - within
    assert len(notice.conclusions) == len(within)
    assert len(notice.escalations) == len(above) >= 3
    numbers = [c.number for c in notice.conclusions] + [e.number for e in notice.escalations]
    assert numbers == list(range(1, len(issues) + 1))
    for c in notice.conclusions:
        assert c.office and c.deadline and c.deadline > date(2017, 4, 5) and c.deadline_working_days == 30
    assert notice.conclusion_due == date(2017, 4, 10)  # 10 working days after 25/03/2017 (6/4 Giỗ Tổ off)
    markup = html["thong-bao-ket-luan"]
    assert markup.count('class="conclusion"') == len(within)
    assert markup.count('class="escalation"') == len(above)
    text = html_text(markup)
    assert_in_order(
        text, ["I. CÁC VẤN ĐỀ THUỘC THẨM QUYỀN CẤP XÃ", "II. KIẾN NGHỊ CẤP TRÊN", "III. TỔ CHỨC THỰC HIỆN"]
    )
    # repeated issues carry their mark first (bold), raised this year only or carried over
    assert "[Nêu 3 lần, kéo dài từ năm 2015] Ý kiến của nhân dân ấp Chợ" in text
    assert "[Nêu 2 lần, kéo dài từ năm 2016]" in text and "[Nêu 2 lần] Ý kiến" in text
    assert markup.count('<strong class="repeat">') == sum(
        c.repeated for c in (*notice.conclusions, *notice.escalations)
    )


def test_resolution_deadline_options(dataset) -> None:
    commune, dialogue, items, _ = dataset
    data = build_data(
        "thong-bao-ket-luan",
        commune,
        dialogue,
        items,
        number=5,
        issued_on=date(2017, 4, 5),
        options={"resolution_working_days": 15, "resolution_working_days_by_topic": {5: 5}},
    )
    for c in data.notice.conclusions:
        assert c.deadline_working_days == (5 if c.topic == 5 else 15)
    # 5 working days after Wed 05/04/2017: 6/4 is Giỗ Tổ, so 7, 10, 11, 12, 13.
    assert next(c for c in data.notice.conclusions if c.topic == 5).deadline == date(2017, 4, 13)


def test_summary_report(dataset, documents, html) -> None:
    _, _, items, _ = dataset
    report = documents["bao-cao-tong-hop"].report
    assert report.total_items == len(items)
    assert sum(r.count for r in report.by_source) == len(items)
    numbers = [g.number for g in report.groups]
    assert numbers == sorted(n for n in numbers if n) + [0] * (0 in numbers)  # topics 1-6, then khác
    assert report.total_issues == len({i["cluster_id"] for i in items})
    assert report.above and all(i.authority_level != "commune" for i in report.above)
    assert report.long_running and all(i.long_running for i in report.long_running)
    assert any(i.count == 2 for g in report.groups for i in g.issues)
    assert report.proposals and report.deadlines
    assert any(row.late for row in report.deadlines)  # ấp Căn Cứ sent its report on 15/03, due before 15/03
    assert {c.name for c in documents["bao-cao-tong-hop"].charts} == {
        "topics",
        "hamlets",
        "sources",
        "repeats",
        "deadlines",
    }
    assert all(c.png.startswith(b"\x89PNG") for c in documents["bao-cao-tong-hop"].charts)  # for the DOCX
    assert all(b"<svg" in c.svg for c in documents["bao-cao-tong-hop"].charts)
    markup = html["bao-cao-tong-hop"]
    assert markup.count('src="data:image/svg+xml;base64,') == 5  # vector in the HTML and PDF
    text = html_text(markup)
    assert_in_order(
        text,
        [
            "1. Số lượng ý kiến",
            "2. Tổng hợp ý kiến theo nội dung",
            "3. Các vấn đề vượt thẩm quyền cấp xã",
            "kéo dài",
            "4. Đề xuất",
        ],
    )


def test_minutes(dataset, documents, html) -> None:
    _, _, _, minutes = dataset
    data = documents["bien-ban"]
    assert data.left_signature.title == "THƯ KÝ" and data.signature.title == "CHỦ TRÌ HỘI NGHỊ"
    text = html_text(html["bien-ban"])
    needles = [
        "Vào lúc 07 giờ 30, thứ Bảy, ngày 25/03/2017",
        "Chủ trì:",
        "Thư ký:",
        "Tổng số đại biểu tham dự: 176 người",
    ]
    for s in minutes.speeches:
        needles += [s.name, s.hamlet, s.issue, s.answer]
    needles += [minutes.conclusion[0], "kết thúc vào lúc 11 giờ 15", "THƯ KÝ", "CHỦ TRÌ HỘI NGHỊ"]
    assert_in_order(text, needles)


def test_blank_minutes_form(dataset) -> None:
    commune, dialogue, items, _ = dataset
    data = build_data("bien-ban", commune, dialogue, items, number=None, issued_on=date(2017, 3, 25))
    text = html_text(render("bien-ban", "html", data).decode())
    assert "Vào lúc …… giờ ……" in text and "THƯ KÝ" in text


def test_invitation(documents, html) -> None:
    text = html_text(html["giay-moi"])
    assert_in_order(
        text,
        [
            "GIẤY MỜI",
            "trân trọng kính mời:",
            "Thời gian:",
            "07 giờ 30, thứ Bảy, ngày 25/03/2017",
            "Địa điểm:",
            "Nhà văn hóa xã Tân Phước.",
            "Nội dung:",
        ],
    )
    assert "xã xã" not in text


@pytest.mark.parametrize(
    ("venue", "printed"),
    [
        ("Nhà văn hóa xã", "Nhà văn hóa xã Tân Phước"),
        ("Hội trường Đảng ủy xã Tân Phước", "Hội trường Đảng ủy xã Tân Phước"),
        ("Hội trường UBND", "Hội trường UBND xã Tân Phước"),
        ("Nhà văn hóa Xã ", "Nhà văn hóa Xã Tân Phước"),
    ],
)
def test_the_invitation_names_the_commune_once_in_its_venue(venue: str, printed: str) -> None:
    assert venue_line(venue, demo_commune()) == printed


def test_escalation_letter(dataset, documents, html) -> None:
    _, _, items, _ = dataset
    letter = documents["kien-nghi-cap-tren"]
    # the 2017 demo commune recommends to its district, as before the 2025 reform
    assert letter.addressees == ("Ban Thường vụ Huyện ủy Tân Hòa", "Ủy ban nhân dân huyện Tân Hòa")
    bodies = {g.body for g in letter.escalation.groups}
    assert bodies == {i["authority_body"] for i in items if i["authority_level"] != "commune"}
    text = html_text(html["kien-nghi-cap-tren"])
    for body in bodies:
        assert body in text


def test_radio_announcement_reuses_the_radio_script(html) -> None:
    text = html_text(html["thong-bao-truyen-thanh"])
    assert_in_order(
        text,
        [
            "THÔNG BÁO",
            "Về việc tổ chức",
            "Kính thưa bà con nhân dân xã Tân Phước",
            "Thời gian: 07 giờ 30 phút, thứ Bảy, ngày 25 tháng 3 năm 2017",
            "trước ngày 15 tháng 3 năm 2017",
            "Trân trọng cảm ơn",
        ],
    )


# --- templates, errors, CLI -----------------------------------------------------------------


def test_commune_template_overrides(tmp_path: Path, documents) -> None:
    (tmp_path / "giay-moi.html").write_text(
        '{% extends "base.html" %}{% block body %}<p>MẪU RIÊNG CỦA XÃ</p>{% endblock %}', encoding="utf-8"
    )
    markup = render("giay-moi", "html", documents["giay-moi"], template_dirs=[tmp_path]).decode()
    assert "MẪU RIÊNG CỦA XÃ" in markup and "ĐẢNG CỘNG SẢN VIỆT NAM" in markup
    assert (
        "MẪU RIÊNG"
        not in render("bien-ban", "html", documents["bien-ban"], template_dirs=[tmp_path]).decode()
    )


def test_unknown_kind_and_format(documents) -> None:
    with pytest.raises(UnknownKind):
        render("cong-van", "html", documents["giay-moi"])
    with pytest.raises(UnknownFormat):
        render("giay-moi", "odt", documents["giay-moi"])
    with pytest.raises(ValueError):
        render("bien-ban", "html", documents["giay-moi"])
    assert FORMATS == ("html", "pdf", "docx")


def test_cli_render(tmp_path: Path, capsys) -> None:
    out = tmp_path / "tb.html"
    assert (
        cli_main(
            ["render", "thong-bao-ket-luan", "--demo", "--format", "html", "-o", str(out), "--number", "5"]
        )
        == 0
    )
    text = html_text(out.read_text(encoding="utf-8"))
    assert "Số 05-TB/ĐU" in text and "Tân Phước, ngày 05 tháng 04 năm 2017" in text
    assert cli_main(["render", "thong-bao", "--demo", "--format", "html", "-o", str(out)]) == 2
    assert (
        "doithoai render: không có loại văn bản 'thong-bao' / unknown document kind 'thong-bao'; "
        "chọn một trong / choose one of: giay-moi" in capsys.readouterr().err
    )
    assert cli_main(["render", "giay-moi", "--demo", "--format", "odt", "-o", str(out)]) == 2
    assert "không có định dạng 'odt' / unknown format 'odt'" in capsys.readouterr().err
    assert cli_main(["render", "giay-moi", "--format", "html", "-o", str(out)]) == 2
    assert "hãy thêm --demo / only the built-in demo data set" in capsys.readouterr().err


def test_a_report_draws_no_chart_of_nothing(dataset) -> None:
    """Seen by an outside walkthrough: with no body's report received through the system the
    report printed an empty "Báo cáo gửi đúng hạn theo kế hoạch" chart, its axis 0.0 … 1.0."""
    commune, dialogue, items, *_ = dataset
    citizens = [{**i, "source": "citizen"} for i in items]  # no report of any body came in
    data = build_data("bao-cao-tong-hop", commune, dialogue, citizens, number=1, issued_on=date(2017, 3, 20))
    assert data.report is not None and all(r.received == 0 for r in data.report.deadlines)
    assert "deadlines" not in {c.name for c in data.charts} and "topics" in {c.name for c in data.charts}
