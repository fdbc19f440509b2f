"""The programme as held, put right on the meeting-day page (`/staff/hoi-nghi` → "Chương trình
hội nghị") on the real broker and store, intake, routing and reporting in one app.

An outside walkthrough pressed the plan's items out of order: they stayed "đã ghi" with no
delete, edit or move, and the minutes (01-BB/ĐU) printed the agenda in click order. Here the
clerk presses items 1, 3, 2 and a break by mistake, moves item 2 up, removes the break and
corrects a time through the page's plain forms (CSRF token, no script); the record's programme
and the minutes' preview print them in the order held, each change is audited with before and
after, a page shown before another change is refused as stale, and once the conclusion notice
is issued every change is refused (the API's 409 locked, the page's own words)."""

from __future__ import annotations

import re

import pytest

from services.demo.seed import SEED_AGENDA
from tests.auth import staff_headers
from tests.integration.test_meeting_page import PAGE, D, meeting, record_of, text_of  # noqa: F401
from tests.integration.test_web_staff import logged_in, token_of

pytestmark = pytest.mark.integration
FIRST, SECOND, THIRD = SEED_AGENDA[:3]
BREAK = "Giải lao 15 phút"
# what each item's line in the minutes starts with (the programme's titles are printed whole)
PRINTED = ("Tuyên bố lý do", "Bí thư Đảng ủy nêu rõ mục đích", "Lãnh đạo UBND xã báo cáo")


def ids_by_title(record: dict) -> dict[str, str]:
    return {p["title"]: p["id"] for p in record["programme"]}


async def test_the_programme_pressed_out_of_order_is_put_right_and_the_minutes_follow(meeting):  # noqa: F811
    app, api, _ = meeting
    async with logged_in(app, "demo.vanphong") as client:
        token = await token_of(client, PAGE)
        for title in (FIRST, THIRD, SECOND):
            pressed = await client.post(f"{PAGE}/chuong-trinh", data={"csrf_token": token, "title": title})
            assert pressed.status_code == 303, pressed.text
        typed = await client.post(f"{PAGE}/chuong-trinh", data={"csrf_token": token, "title": BREAK})
        assert typed.status_code == 303
        record = await record_of(api)
        assert [p["title"] for p in record["programme"]] == [FIRST, THIRD, SECOND, BREAK]
        ids = ids_by_title(record)

        # -- the page offers Lên, Xuống and Xóa on each item, as plain forms with the revision ----
        page = await client.get(PAGE)
        shown = re.findall(r'data-programme-item="([^"]+)" data-position="(\d+)"', page.text)
        assert shown == [(ids[t], str(n)) for n, t in enumerate((FIRST, THIRD, SECOND, BREAK), 1)]
        second = page.text.split(f'id="ct-{ids[SECOND]}"', 1)[1].split("</li>", 1)[0]
        assert 'name="position" value="2"' in second and ">Lên</button>" in second
        assert 'name="position" value="4"' in second and ">Xuống</button>" in second
        assert 'formaction="/staff/hoi-nghi/chuong-trinh/xoa' in second and ">Xóa</button>" in second
        assert f'name="revision" value="{record["revision"]}"' in second
        first = page.text.split(f'id="ct-{ids[FIRST]}"', 1)[1].split("</li>", 1)[0]
        assert ">Lên</button>" not in first  # the first item has nowhere to go up
        shown_at = record["revision"]

        # -- item 2 moved up, the break removed, the opening's time corrected ---------------------
        up = await client.post(
            f"{PAGE}/chuong-trinh/sua",
            data={"csrf_token": token, "id": ids[SECOND], "revision": str(shown_at), "position": "2"},
        )
        assert up.status_code == 303, up.text
        assert "xong=chuong-trinh-sua" in up.headers["location"]
        assert up.headers["location"].endswith(f"#ct-{ids[SECOND]}")
        stale = await client.post(  # the page shown before the move: refused, the latest shown
            f"{PAGE}/chuong-trinh/xoa",
            data={"csrf_token": token, "id": ids[BREAK], "revision": str(shown_at)},
        )
        assert stale.status_code == 409 and "cập nhật ở nơi khác" in text_of(stale.text)
        assert f'name="revision" value="{shown_at + 1}"' in stale.text
        removed = await client.post(
            f"{PAGE}/chuong-trinh/xoa",
            data={"csrf_token": token, "id": ids[BREAK], "revision": str(shown_at + 1)},
        )
        assert removed.status_code == 303, removed.text
        blank = await client.post(
            f"{PAGE}/chuong-trinh/sua",
            data={
                "csrf_token": token,
                "id": ids[FIRST],
                "revision": str(shown_at + 2),
                "title": "",
                "at": "25h",
            },
        )
        assert blank.status_code == 422
        assert "tên mục chương trình" in text_of(blank.text) and "giờ:phút" in text_of(blank.text)
        corrected = await client.post(
            f"{PAGE}/chuong-trinh/sua",
            data={
                "csrf_token": token,
                "id": ids[FIRST],
                "revision": str(shown_at + 2),
                "title": FIRST,
                "at": "7g30",
            },
        )
        assert corrected.status_code == 303, corrected.text
        page = await client.get(corrected.headers["location"])
        assert "Đã lưu thay đổi chương trình." in text_of(page.text)

        record = await record_of(api)
        assert [p["title"] for p in record["programme"]] == [FIRST, SECOND, THIRD]
        assert record["programme"][0]["at"].startswith("2017-03-25T00:30:00")
        assert record["revision"] == shown_at + 3

        db = app.state.runtime.db
        audited = (
            await db["reporting_audit"]
            .find({"action": {"$in": ["meeting.programme.edit", "meeting.programme.delete"]}})
            .sort("revision", 1)
            .to_list()
        )
        assert [(e["action"], e["revision"]) for e in audited] == [
            ("meeting.programme.edit", shown_at + 1),
            ("meeting.programme.delete", shown_at + 2),
            ("meeting.programme.edit", shown_at + 3),
        ]
        assert audited[0]["before"] == {"position": 3} and audited[0]["after"] == {"position": 2}
        assert audited[1]["before"]["title"] == BREAK and audited[1]["after"] is None
        assert audited[2]["before"]["at"] is None and audited[2]["after"]["at"].startswith("2017-03-25T00:30")

        # -- the minutes print the programme in the order held -------------------------------------
        preview = await api.get(f"{D}/documents/bien-ban/preview.html", headers=staff_headers())
        assert preview.status_code == 200, preview.text
        minutes = text_of(preview.text)
        where = [minutes.index(fragment) for fragment in PRINTED]
        assert where == sorted(where), minutes
        assert BREAK not in minutes and f"07 giờ 30: {PRINTED[0]}" in minutes

        # -- once the conclusion notice is issued, the programme is kept as it was -----------------
        issued = await api.post(
            f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"}, headers=staff_headers()
        )
        assert issued.status_code == 201, issued.text
        record = await record_of(api)
        assert record["locked"] is True
        api_refused = await api.delete(
            f"{D}/meeting/programme/{ids[THIRD]}",
            params={"revision": record["revision"]},
            headers=staff_headers(),
        )
        assert api_refused.status_code == 409 and api_refused.json()["error"] == "locked"
        page = await client.get(PAGE)
        assert "data-locked" in page.text
        actions = page.text.split(f'id="ct-{ids[THIRD]}"', 1)[1].split("</form>", 1)[0]
        assert "<fieldset disabled>" in actions
        for path, data in (
            ("/chuong-trinh/xoa", {}),
            ("/chuong-trinh/sua", {"position": "1"}),
            ("/chuong-trinh/sua", {"title": "Khác", "at": ""}),
        ):
            locked = await client.post(
                f"{PAGE}{path}",
                data={"csrf_token": token, "id": ids[THIRD], "revision": str(record["revision"]), **data},
            )
            assert locked.status_code == 409, (path, data)
            assert "biên bản hội nghị không còn được sửa" in text_of(locked.text)  # reporting's words
        assert [p["title"] for p in (await record_of(api))["programme"]] == [FIRST, SECOND, THIRD]


async def test_only_those_who_edit_the_meeting_record_may_change_its_programme(meeting):  # noqa: F811
    app, api, _ = meeting
    created = await api.post(f"{D}/meeting/programme", json={"title": FIRST}, headers=staff_headers())
    assert created.status_code == 201, created.text
    item = created.json()["id"]
    for role in ("office_staff", "hamlet_cell"):
        put = await api.put(
            f"{D}/meeting/programme/{item}", json={"revision": 1, "position": 1}, headers=staff_headers(role)
        )
        delete = await api.delete(
            f"{D}/meeting/programme/{item}", params={"revision": 1}, headers=staff_headers(role)
        )
        assert (put.status_code, delete.status_code) == (403, 403), role
    anonymous = await api.delete(f"{D}/meeting/programme/{item}", params={"revision": 1})
    assert anonymous.status_code == 401
    bad_body_anonymous = await api.put(f"{D}/meeting/programme/{item}", json={"position": "x"})
    assert bad_body_anonymous.status_code == 401  # refused before the body is read
    for username in ("demo.kinhte", "demo.apcho"):
        async with logged_in(app, username) as client:
            token = await token_of(client, "/staff/mat-khau")
            for path in ("/chuong-trinh/sua", "/chuong-trinh/xoa"):
                response = await client.post(
                    f"{PAGE}{path}", data={"csrf_token": token, "id": item, "revision": "1", "position": "1"}
                )
                assert response.status_code == 403, (username, path)
    assert [p["title"] for p in (await record_of(api))["programme"]] == [FIRST]
