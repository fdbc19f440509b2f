"""The demo commune, built from the 2017 seed plan (ke-hoach-doi-thoai-2017.txt).

The seed names neither the commune nor the province; `Tân Phước` in `Đồng Tháp` is a made-up
demo name. Hamlets: the plan's two (ấp Chợ, ấp Căn Cứ, at least 70 attendees each) and the
others of the merged commune. Offices are those of a commune after the 2025 reform, each with its
2017 title (`legacy_name`, the sample data's `responsible_office_legacy`; the Văn phòng Đảng ủy
and the Công an xã kept theirs): documents of a dialogue held before 1 July 2025 print those.
In 2017 the commune stood under a district, the made-up huyện `DEMO_DISTRICT`, to whose Party
committee it reports.
Seeding replaces the two documents by id, so running it again changes nothing.
"""

from __future__ import annotations

from datetime import date

from pymongo.asynchronous.database import AsyncDatabase

from services.demo.staff import seed_demo_staff
from services.intake.plan_logic import DEFAULT_TOPICS
from shared.directory import (
    COMMUNES,
    DIALOGUES,
    Commune,
    Delegate,
    Dialogue,
    Hamlet,
    Office,
    OfficeHolders,
    OfficeRule,
    Signature,
    commune_document,
    dialogue_document,
)

DEMO_COMMUNE_ID = "demo"
DEMO_DIALOGUE_ID = "demo-2017"
DEMO_DISTRICT = "Tân Hòa"  # the demo commune's district in 2017 (made up, like the commune)
_MAIL = "tanphuoc.example"  # RFC 2606 reserved name: demo mail never leaves the machine

SEED_TOPICS = DEFAULT_TOPICS  # the seed plan's six topics, a plan's default in intake


SEED_AGENDA = (
    "Tuyên bố lý do, giới thiệu đại biểu; thông qua chương trình, nội quy buổi đối thoại và cử thư ký ghi "
    "biên bản",
    "Bí thư Đảng ủy nêu rõ mục đích, yêu cầu và nội dung chủ đề cần tập trung",
    "Lãnh đạo UBND xã báo cáo tình hình, thực trạng công tác xây dựng đô thị, đời sống văn hóa và nông "
    "thôn mới",
    "Nhân dân phát biểu ý kiến theo thứ tự nội dung được gợi ý hoặc nội dung đã đăng ký",
    "Lãnh đạo UBND xã và công chức liên quan trả lời những vấn đề thuộc thẩm quyền",
    "Bí thư Đảng ủy trả lời, giải thích, trao đổi, tiếp thu ý kiến, kiến nghị của nhân dân",
)


def demo_commune() -> Commune:
    hamlet_names = (
        "Chợ",
        "Căn Cứ",
        "Bến Đò",
        "Mới",
        "Kênh Xáng",
        "Bình Hưng",
        "Rạch Tràm",
        "Phước Hòa",
        "Tân Long",
        "Cây Da",
    )
    slugs = (
        "cho",
        "can-cu",
        "ben-do",
        "moi",
        "kenh-xang",
        "binh-hung",
        "rach-tram",
        "phuoc-hoa",
        "tan-long",
        "cay-da",
    )
    hamlets = tuple(
        Hamlet(id=f"ap-{slug}", name=f"ấp {name}", min_attendance=70 if slug in ("cho", "can-cu") else 0)
        for slug, name in zip(slugs, hamlet_names, strict=True)
    )
    offices = (
        Office(id="van-phong-dang-uy", name="Văn phòng Đảng ủy", email=f"vanphongdanguy@{_MAIL}"),
        Office(
            id="van-phong-hdnd-ubnd",
            name="Văn phòng HĐND và UBND",
            legacy_name="Công chức Văn phòng - Thống kê, Tư pháp - Hộ tịch",
            email=f"vanphong@{_MAIL}",
        ),
        Office(
            id="phong-kinh-te",
            name="Phòng Kinh tế",
            legacy_name="Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",
            email=f"kinhte@{_MAIL}",
        ),
        Office(
            id="phong-van-hoa-xa-hoi",
            name="Phòng Văn hóa - Xã hội",
            legacy_name="Công chức Văn hóa - Xã hội",
            email=f"vanhoaxahoi@{_MAIL}",
        ),
        Office(
            id="trung-tam-phvhcc",
            name="Trung tâm Phục vụ hành chính công",
            legacy_name="Bộ phận Tiếp nhận và Trả kết quả",
            email=f"motcua@{_MAIL}",
        ),
        Office(id="cong-an-xa", name="Công an xã", email=f"congan@{_MAIL}"),
        Office(
            id="ban-chqs",
            name="Ban Chỉ huy Quân sự xã",
            legacy_name="Chỉ huy trưởng Ban Chỉ huy Quân sự xã",
            email=f"quansu@{_MAIL}",
        ),
    )
    office_rules = (
        OfficeRule(
            topic=5,
            terms=("biển báo", "gờ giảm tốc", "gờ giảm xóc", "vạch sơn", "đèn tín hiệu"),
            office_id="phong-kinh-te",
            coordinating_office_ids=("cong-an-xa",),
        ),
        OfficeRule(
            topic=5, terms=("đèn đường", "đèn chiếu sáng"), coordinating_office_ids=("phong-kinh-te",)
        ),
        OfficeRule(
            topic=3,
            terms=("kinh phí", "đóng góp", "huy động", "vốn"),
            coordinating_office_ids=("van-phong-hdnd-ubnd",),
        ),
        OfficeRule(
            topic=6,
            terms=("hộ tịch", "khai sinh", "khai tử", "kết hôn", "chứng thực", "hòa giải"),
            office_id="van-phong-hdnd-ubnd",
        ),
        OfficeRule(
            topic=6,
            terms=("cư trú", "tạm trú", "thường trú", "căn cước", "cccd", "định danh"),
            office_id="cong-an-xa",
        ),
        OfficeRule(
            topic=6,
            terms=("thái độ", "hách dịch", "nhũng nhiễu", "gây phiền hà", "vòi vĩnh", "tác phong"),
            office_id="phong-van-hoa-xa-hoi",
        ),
        OfficeRule(
            topic=6,
            terms=(
                "thông tin liên hệ",
                "trang thông tin điện tử",
                "cổng thông tin",
                "bảng tin",
                "công khai thông tin",
            ),
            office_id="van-phong-hdnd-ubnd",
        ),
        OfficeRule(
            topic=0,
            terms=(
                "bảo hiểm y tế",
                "bhyt",
                "trường",
                "học sinh",
                "trạm y tế",
                "người có công",
                "thương binh",
                "liệt sĩ",
                "trợ cấp",
                "bảo trợ xã hội",
            ),
            office_id="phong-van-hoa-xa-hoi",
        ),
        OfficeRule(topic=0, terms=("nghĩa vụ quân sự", "quân sự", "dân quân"), office_id="ban-chqs"),
        OfficeRule(
            topic=0,
            terms=("sóng điện thoại", "trạm phát sóng", "internet", "viễn thông", "truyền thanh"),
            office_id="phong-van-hoa-xa-hoi",
        ),
        OfficeRule(
            topic=0,
            terms=("sạt lở", "thiên tai", "lụt bão", "triều cường", "an toàn thực phẩm", "kiểm dịch"),
            office_id="phong-kinh-te",
        ),
        OfficeRule(
            topic=0,
            terms=("hộ nghèo", "cận nghèo", "nông nghiệp", "thủy lợi", "điện", "nước sạch"),
            office_id="phong-kinh-te",
        ),
    )
    return Commune(
        id=DEMO_COMMUNE_ID,
        name="Tân Phước",
        province="Đồng Tháp",
        district=DEMO_DISTRICT,
        hamlets=hamlets,
        offices=offices,
        topic_offices={
            "1": "phong-kinh-te",
            "2": "phong-kinh-te",
            "3": "phong-kinh-te",
            "4": "phong-kinh-te",
            "5": "cong-an-xa",
            "6": "trung-tam-phvhcc",
            "0": "van-phong-hdnd-ubnd",
        },
        office_rules=office_rules,
        current_dialogue_id=DEMO_DIALOGUE_ID,
        signature=Signature(authority="T/M BAN THƯỜNG VỤ", title="BÍ THƯ", name=""),
        office_holders=OfficeHolders(  # fictitious, like the commune
            secretary="Nguyễn Văn Minh",
            deputy_secretaries=("Lê Văn Hai",),
            chief_of_office="Võ Thị Hạnh",
        ),
        bodies={
            "peoples_committee": f"ubnd@{_MAIL}",
            "fatherland_front": f"mttq@{_MAIL}",
            "mass_organisations": f"doanthe@{_MAIL}",
            "hamlet_party_cells": f"chibo-ap@{_MAIL}",
            "party_office": f"vanphongdanguy@{_MAIL}",
            "standing_committee": f"thuongtruc@{_MAIL}",
        },
        party_term="2015-2020",
        recipient_emails={
            "Thường trực Tỉnh ủy Đồng Tháp (b/c)": "thuongtruc@tinhuy.example",
            "Ban Dân vận Tỉnh ủy (b/c)": "bandanvan@tinhuy.example",
            f"Thường trực Huyện ủy {DEMO_DISTRICT} (b/c)": "thuongtruc@huyenuy.example",
            "Ban Dân vận Huyện ủy (b/c)": "bandanvan@huyenuy.example",
            "Các đồng chí Đảng ủy viên": f"danguyvien@{_MAIL}",
            "UBND, UBMTTQ Việt Nam xã": f"ubnd@{_MAIL}",
            "Các cơ quan, đoàn thể xã": f"doanthe@{_MAIL}",
            "Chi bộ các ấp": f"chibo-ap@{_MAIL}",
            # what the other documents print in their Nơi nhận (the report, the minutes, the letter)
            "Thường trực Đảng ủy (b/c)": f"thuongtruc@{_MAIL}",
            "Thường trực Đảng ủy": f"thuongtruc@{_MAIL}",
            "Các cơ quan, đơn vị liên quan": f"doanthe@{_MAIL}",
            "UBND xã Tân Phước": f"ubnd@{_MAIL}",
            "Chi bộ các ấp liên quan": f"chibo-ap@{_MAIL}",
        },
        # since the 2025 reform the commune's Party committee reports to the province's
        recipients=(
            "Thường trực Tỉnh ủy Đồng Tháp (b/c)",
            "Ban Dân vận Tỉnh ủy (b/c)",
            "Các đồng chí Đảng ủy viên",
            "UBND, UBMTTQ Việt Nam xã",
            "Các cơ quan, đoàn thể xã",
            "Chi bộ các ấp",
        ),
        recipients_before_reform=(
            f"Thường trực Huyện ủy {DEMO_DISTRICT} (b/c)",  # 2017: the commune reports to the district
            "Ban Dân vận Huyện ủy (b/c)",
            "Các đồng chí Đảng ủy viên",
            "UBND, UBMTTQ Việt Nam xã",
            "Các cơ quan, đoàn thể xã",
            "Chi bộ các ấp",
        ),
    )


def demo_dialogue() -> Dialogue:
    return Dialogue(
        id=DEMO_DIALOGUE_ID,
        commune_id=DEMO_COMMUNE_ID,
        year=2017,
        title="Kế hoạch tổ chức đối thoại giữa Bí thư Đảng ủy với nhân dân năm 2017",
        theme=(
            "Thực trạng và giải pháp nâng cao hiệu quả công tác vận động nhân dân tham gia xây dựng đô "
            "thị, xây dựng đời sống văn hóa và nông thôn mới"
        ),
        meeting_date=date(2017, 3, 25),
        venue="Nhà văn hóa xã",
        topics=SEED_TOPICS,
        legal_bases=(
            "Quyết định 218-QĐ/TW, ngày 12/12/2013 của Bộ Chính trị (khóa XI)",
            "Quyết định 2242-QĐ/TU ngày 03/02/2015 của Ban Thường vụ Tỉnh ủy",
        ),
        hamlet_ids=("ap-cho", "ap-can-cu"),
        min_attendance={"ap-cho": 70, "ap-can-cu": 70},  # seed III.2: at least 70 per hamlet
        status="collecting",
        agenda=SEED_AGENDA,
        participants=(
            "Đại biểu ở xã: Bí thư Đảng ủy; Trưởng Khối vận; lãnh đạo Ủy ban nhân dân, Mặt trận Tổ quốc, "
            "các đoàn thể; công chức trực thuộc Ủy ban nhân dân xã; cán bộ Văn phòng Đảng ủy",
            "Đại biểu ấp: Chi ủy chi bộ ấp, Ban công tác Mặt trận ấp, Ban quản lý tổ tự quản và nhân dân "
            "ấp Chợ, ấp Căn Cứ (mỗi ấp tối thiểu 70 đại biểu)",
        ),
        delegates=tuple(
            Delegate(id=slug, name=role, role=role, email=f"{slug}@{_MAIL}")
            for slug, role in (
                ("chu-tich-ubnd", "Chủ tịch UBND xã"),
                ("chu-tich-mttq", "Chủ tịch Ủy ban MTTQ Việt Nam xã"),
                ("truong-khoi-van", "Trưởng Khối vận"),
                ("bi-thu-chi-bo-ap-cho", "Bí thư Chi bộ ấp Chợ"),
                ("bi-thu-chi-bo-ap-can-cu", "Bí thư Chi bộ ấp Căn Cứ"),
                ("truong-cong-an-xa", "Trưởng Công an xã"),
            )
        ),
    )


async def seed_demo(db: AsyncDatabase, *, staff: bool = False) -> None:
    """The demo commune and its 2017 dialogue; with `staff`, also the demo staff logins, whose
    passwords are published (each must be changed at its first login)."""
    commune, dialogue = demo_commune(), demo_dialogue()
    await db[COMMUNES].replace_one({"_id": commune.id}, commune_document(commune), upsert=True)
    doc = dialogue_document(dialogue)
    await db[DIALOGUES].replace_one({"_id": doc["_id"], "commune_id": commune.id}, doc, upsert=True)
    if staff:
        await seed_demo_staff(db)
