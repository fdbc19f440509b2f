"""The demo commune's staff users (`doithoai seed-demo` creates them only with DOITHOAI_DEMO=1).

THE PASSWORDS ARE FOR THE DEMO ONLY: never seed them on a deployment that real people use;
each must be changed at its first login.

    username          role            scope                              password
    demo.admin        commune_admin   xã Tân Phước                       demo-admin-2017
    demo.vanphong     party_office    xã Tân Phước                       demo-vanphong-2017
    demo.kinhte       office_staff    Phòng Kinh tế (phong-kinh-te)      demo-kinhte-2017
    demo.apcho        hamlet_cell     ấp Chợ (ap-cho)                    demo-apcho-2017
    demo.mattran      front_org       xã Tân Phước                       demo-mattran-2017
    demo.hoinongdan   front_org       Hội Nông dân xã (farmers_union)    demo-hoinongdan-2017
    demo.operator     operator        every commune, no personal data    demo-operator-2017
"""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.intake.web.staff.users import STAFF_USERS, ensure_staff_indexes, user_document
from shared.contracts import Organisation

DEMO_STAFF = (
    # username, password, role, commune, extra scope
    ("demo.admin", "demo-admin-2017", "commune_admin", "demo", {"display_name": "Quản trị xã Tân Phước"}),
    (
        "demo.vanphong",
        "demo-vanphong-2017",
        "party_office",
        "demo",
        {"display_name": "Văn phòng Đảng ủy xã Tân Phước"},
    ),
    (
        "demo.kinhte",
        "demo-kinhte-2017",
        "office_staff",
        "demo",
        {"display_name": "Phòng Kinh tế", "office_id": "phong-kinh-te"},
    ),
    (
        "demo.apcho",
        "demo-apcho-2017",
        "hamlet_cell",
        "demo",
        {"display_name": "Chi bộ ấp Chợ", "hamlet_id": "ap-cho"},
    ),
    ("demo.mattran", "demo-mattran-2017", "front_org", "demo", {"display_name": "Ủy ban MTTQ xã Tân Phước"}),
    (  # a mass organisation: reads and enters only what it sends (`organisation_items`)
        "demo.hoinongdan",
        "demo-hoinongdan-2017",
        "front_org",
        "demo",
        {"display_name": "Hội Nông dân xã Tân Phước", "organisation": Organisation.FARMERS_UNION.value},
    ),
    ("demo.operator", "demo-operator-2017", "operator", None, {"display_name": "Vận hành hệ thống"}),
)


async def seed_demo_staff(db: AsyncDatabase, *, must_change_password: bool = True) -> list[str]:
    """The demo commune's staff users (module docstring: demo passwords, demo only). Idempotent:
    an existing username is left as it is (its password is not reset). Their passwords are
    published, so each must be changed at the first login (`must_change_password=False` only
    for tests that log in with them). Returns the names created."""
    await ensure_staff_indexes(db)
    created = []
    for username, password, role, commune_id, scope in DEMO_STAFF:
        if await db[STAFF_USERS].find_one({"username": username}, {"_id": 1}):
            continue
        doc = user_document(
            username, password, role, commune_id, must_change_password=must_change_password, **scope
        )
        try:
            await db[STAFF_USERS].insert_one(doc)
        except DuplicateKeyError:  # another replica seeded it at the same moment
            continue
        created.append(username)
    return created
