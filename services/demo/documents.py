"""A demo data set for the documents: the 2017 seed plan (`demo_commune`, `demo_dialogue`), 36
submissions written for this demo, routed offline with `classify_stream`, and the minutes of
the meeting. Composition-level: the CLI (`doithoai render --demo`), the document benchmark and
the tests pass it to reporting; reporting itself never imports it.

The submissions are invented for the demo (fictitious people, places of the made-up commune
Tân Phước): the plan's two hamlets (ấp Chợ, ấp Căn Cứ) and others of the commune, some written
without diacritics, a few beyond commune authority (land compensation, a provincial road, a
national highway, a polluting factory, land-title renewal, a stalled housing project), and
three issues raised in earlier years whose answers are on record (2015, 2016).

Routing knows today's structures (two levels since 1 July 2025); the demo dialogue is of 2017, so
its items beyond the commune go to the bodies of 2017 (`BODIES_2017`: the district, the
provincial departments of that time), and reporting prints the offices' 2017 titles.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from services.demo.seed import DEMO_DISTRICT, demo_commune, demo_dialogue
from services.reporting.documents.common import before_reform
from services.reporting.documents.model import DocumentData, MinutesInput, Speech
from shared.contracts import AuthorityLevel, DocumentKind
from shared.directory import Commune, Dialogue

# Issue dates the CLI uses per kind when none is given (the plan's timeline for 25/03/2017).
DEMO_ISSUED_ON: dict[str, date] = {
    DocumentKind.RADIO_ANNOUNCEMENT: date(2017, 3, 6),
    DocumentKind.SUMMARY_REPORT: date(2017, 3, 17),
    DocumentKind.INVITATION: date(2017, 3, 20),
    DocumentKind.MINUTES: date(2017, 3, 25),
    DocumentKind.CONCLUSION_NOTICE: date(2017, 4, 5),
    DocumentKind.RECOMMENDATION: date(2017, 4, 5),
}

# The body routing names today -> (level, body) in 2017, when the district settled land
# acquisition and compensation, detailed plans and land titles of households, and the provincial
# departments were those before the 2025 mergers.
BODIES_2017: dict[str, tuple[AuthorityLevel, str]] = {
    "UBND tỉnh / Sở Xây dựng (quy hoạch dự án, chủ đầu tư)": (
        AuthorityLevel.DISTRICT,
        f"UBND huyện {DEMO_DISTRICT} (quy hoạch chi tiết, chủ đầu tư dự án)",
    ),
    "UBND tỉnh (thu hồi đất, bồi thường, hỗ trợ, tái định cư)": (
        AuthorityLevel.DISTRICT,
        f"UBND huyện {DEMO_DISTRICT} (thu hồi đất, bồi thường, hỗ trợ, tái định cư)",
    ),
    "Chi nhánh Văn phòng đăng ký đất đai (đo đạc, cấp đổi, đăng ký biến động)": (
        AuthorityLevel.DISTRICT,
        f"Phòng Tài nguyên và Môi trường huyện {DEMO_DISTRICT} (đo đạc, cấp đổi giấy chứng nhận)",
    ),
    "Sở Xây dựng (đường tỉnh)": (AuthorityLevel.PROVINCE, "Sở Giao thông vận tải (đường tỉnh)"),
    "Sở Nông nghiệp và Môi trường (cơ sở sản xuất, khu/cụm công nghiệp gây ô nhiễm)": (
        AuthorityLevel.PROVINCE,
        "Sở Tài nguyên và Môi trường (cơ sở sản xuất gây ô nhiễm)",
    ),
    "Cục Đường bộ Việt Nam / Khu Quản lý đường bộ (biển báo, tín hiệu trên quốc lộ)": (
        AuthorityLevel.CENTRAL,
        "Tổng cục Đường bộ Việt Nam / Cục Quản lý đường bộ IV (biển báo, tín hiệu trên quốc lộ)",
    ),
}

# (id, year, hamlet, text, answer given that year)
HISTORY: tuple[tuple[str, int, str, str, str], ...] = (
    (
        "2015-07",
        2015,
        "ấp Chợ",
        "Cống thoát nước ở đầu chợ ấp Chợ bị nghẹt, mưa xuống là nước ngập vô nhà dân và sạp hàng, đề nghị "
        "xã nạo vét và làm lại cống.",
        "UBND xã đã cho nạo vét tạm thời; việc xây lại cống được đưa vào danh mục đề xuất đầu tư năm 2016.",
    ),
    (
        "2016-04",
        2016,
        "ấp Chợ",
        "Bà con tiếp tục kiến nghị cống thoát nước đầu chợ ấp Chợ vẫn nghẹt, mưa lớn ngập sâu, chưa thấy "
        "làm lại cống.",
        "Đã lập hồ sơ đề xuất xây lại cống, đang chờ bố trí vốn năm 2017.",
    ),
    (
        "2016-11",
        2016,
        "ấp Căn Cứ",
        "Lộ đal tổ 5 ấp Căn Cứ bị lún nứt nhiều đoạn, xe chở lúa đi lại khó khăn, đề nghị xã sửa chữa.",
        "Xã sẽ vận động nhân dân đóng góp cùng ngân sách xã để sửa chữa trong năm 2017.",
    ),
    (
        "2016-15",
        2016,
        "ấp Bến Đò",
        "Dự án khu dân cư Bến Đò quy hoạch từ năm 2010 tới nay chưa triển khai, người dân không được xây "
        "nhà, không được tách thửa.",
        "Xã đã có văn bản báo cáo cấp trên xem xét điều chỉnh hoặc hủy bỏ quy hoạch dự án.",
    ),
)

# (hamlet or None, source, organisation, kind, received day in March 2017, text)
SUBMISSIONS: tuple[tuple[str | None, str, str | None, str, int, str], ...] = (
    (
        "ấp Chợ",
        "hamlet_party_cell",
        None,
        "petition",
        13,
        "Cống thoát nước đầu chợ ấp Chợ đã kiến nghị nhiều lần từ năm 2015 nhưng đến nay vẫn chưa làm lại, "
        "mỗi lần mưa lớn nước ngập vào nhà dân và sạp hàng.",
    ),
    (
        "ấp Chợ",
        "citizen",
        None,
        "complaint",
        2,
        "Rác thải ở khu vực chợ không được thu gom hàng ngày, tiểu thương đổ rác xuống rạch sau chợ gây hôi "
        "thối, đề nghị tăng chuyến xe thu gom rác.",
    ),
    (
        "ấp Chợ",
        "fatherland_front",
        None,
        "complaint",
        10,
        "Tình trạng lấn chiếm lòng lề đường trước chợ để buôn bán, đậu xe gây ùn tắc giao thông vào buổi "
        "sáng, đề nghị lập lại trật tự, an toàn giao thông.",
    ),
    (
        "ấp Chợ",
        "citizen",
        None,
        "complaint",
        3,
        "Den duong khu vuc cho ap Cho hu may thang nay chua sua, buoi toi toi thui, de nghi xa cho sua lai.",
    ),
    (
        "ấp Chợ",
        "mass_organisation",
        "womens_union",
        "petition",
        12,
        "Đề nghị công khai quy hoạch chỉnh trang khu trung tâm chợ để bà con tiểu thương biết, yên tâm sửa "
        "sạp và nhà ở.",
    ),
    (
        "ấp Chợ",
        "citizen",
        None,
        "complaint",
        6,
        "Một số hộ xây nhà lấn ra hành lang rạch sau chợ nhưng chưa thấy xã xử lý, đề nghị kiểm tra trật tự "
        "xây dựng.",
    ),
    (
        "ấp Căn Cứ",
        "hamlet_party_cell",
        None,
        "petition",
        15,
        "Lộ đal tổ 5 ấp Căn Cứ lún nứt, bể nhiều đoạn, năm 2016 đã kiến nghị nhưng chưa sửa chữa, đề nghị "
        "xã sớm sửa lại trước mùa mưa.",
    ),
    (
        "ấp Căn Cứ",
        "citizen",
        None,
        "petition",
        4,
        "Đề nghị xã lắp thêm gờ giảm tốc và biển báo tại ngã ba chợ cá ấp Căn Cứ, xe chạy tốc độ cao rất "
        "nguy hiểm cho người đi đường.",
    ),
    (
        "ấp Căn Cứ",
        "mass_organisation",
        "farmers_union",
        "petition",
        11,
        "Kênh thủy lợi nội đồng ấp Căn Cứ bị lục bình và rác bồi lắng, nước không vô ruộng được, đề nghị "
        "nạo vét trước vụ Hè Thu.",
    ),
    (
        "ấp Căn Cứ",
        "citizen",
        None,
        "complaint",
        5,
        "Tình trạng trộm cắp gà vịt, máy bơm nước xảy ra nhiều về ban đêm ở ấp Căn Cứ, đề nghị công an xã "
        "tăng cường tuần tra.",
    ),
    (
        "ấp Căn Cứ",
        "citizen",
        None,
        "complaint",
        7,
        "Hồ sơ xin cấp giấy phép xây dựng nhà ở của tôi nộp ở bộ phận một cửa hơn một tháng chưa có kết "
        "quả, cán bộ hẹn nhiều lần.",
    ),
    (
        "ấp Căn Cứ",
        "mass_organisation",
        "youth_union",
        "opinion",
        11,
        "Đề nghị xã có kế hoạch xử lý tình trạng thanh niên tụ tập đua xe trên tuyến lộ ấp Căn Cứ vào tối "
        "thứ Bảy, Chủ nhật.",
    ),
    (
        "ấp Căn Cứ",
        "citizen",
        None,
        "complaint",
        8,
        "Nha toi bi nuoc thai tu trai heo ke ben chay qua, mui hoi qua troi, de nghi xa kiem tra xu ly.",
    ),
    (
        "ấp Bến Đò",
        "hamlet_party_cell",
        None,
        "petition",
        14,
        "Dự án khu dân cư Bến Đò quy hoạch treo đã nhiều năm, người dân trong vùng quy hoạch không được xây "
        "dựng, tách thửa, đề nghị cấp trên sớm điều chỉnh hoặc hủy bỏ quy hoạch.",
    ),
    (
        "ấp Bến Đò",
        "citizen",
        None,
        "opinion",
        6,
        "Bến đò ngang qua sông không có áo phao, không có mái che, đề nghị xã kiểm tra bảo đảm an toàn cho "
        "người đi đò.",
    ),
    (
        "ấp Bến Đò",
        "citizen",
        None,
        "complaint",
        9,
        "Gia đình tôi bị thu hồi đất làm đường tỉnh 849 nhưng giá bồi thường thấp hơn giá thị trường nhiều, "
        "đề nghị xem xét lại.",
    ),
    (
        "ấp Mới",
        "citizen",
        None,
        "petition",
        9,
        "Đề nghị nâng cấp, mở rộng đường tỉnh 849 đoạn qua ấp Mới vì mặt đường hẹp, xuống cấp, thường xuyên "
        "xảy ra tai nạn.",
    ),
    (
        "ấp Mới",
        "mass_organisation",
        "veterans_association",
        "opinion",
        13,
        "Một số hộ đốt rác, đốt rơm rạ gần khu dân cư gây khói bụi, đề nghị tuyên truyền, nhắc nhở bà con "
        "giữ gìn vệ sinh môi trường.",
    ),
    (
        "ấp Mới",
        "citizen",
        None,
        "opinion",
        7,
        "Thủ tục chứng thực giấy tờ ở xã phải chờ lâu, đề nghị bố trí thêm người làm vào buổi sáng.",
    ),
    (
        "ấp Kênh Xáng",
        "citizen",
        None,
        "complaint",
        3,
        "Công ty chế biến thủy sản gần ấp Kênh Xáng xả nước thải chưa xử lý ra kênh, nước bốc mùi hôi, cá "
        "chết, đề nghị cơ quan chức năng kiểm tra.",
    ),
    (
        "ấp Kênh Xáng",
        "fatherland_front",
        None,
        "complaint",
        10,
        "Ban công tác Mặt trận ấp Kênh Xáng phản ánh công ty chế biến thủy sản xả nước thải ra kênh Xáng "
        "gây ô nhiễm, mùi hôi, bà con không dám dùng nước kênh.",
    ),
    (
        "ấp Kênh Xáng",
        "citizen",
        None,
        "petition",
        8,
        "Cầu khỉ qua kênh Xáng đã mục, người già và trẻ em đi lại nguy hiểm, đề nghị xã vận động làm cầu bê "
        "tông.",
    ),
    (
        "ấp Bình Hưng",
        "citizen",
        None,
        "opinion",
        2,
        "Xin hoi thu tuc dang ky tam tru cho nguoi thue tro o ap Binh Hung can giay to gi, lam o dau.",
    ),
    (
        "ấp Bình Hưng",
        "citizen",
        None,
        "complaint",
        6,
        "Nhà tôi nộp hồ sơ chuyển mục đích sử dụng đất từ đất trồng cây lâu năm sang đất ở đã 3 tháng chưa "
        "có kết quả.",
    ),
    (
        "ấp Bình Hưng",
        "peoples_committee",
        None,
        "opinion",
        14,
        "Một số tuyến lộ nông thôn ấp Bình Hưng chưa có hệ thống thoát nước, nước đọng lâu ngày làm hư mặt "
        "đường.",
    ),
    (
        "ấp Rạch Tràm",
        "citizen",
        None,
        "petition",
        4,
        "Lộ đal ấp Rạch Tràm quá hẹp, xe cứu thương không vào được, đề nghị mở rộng, bà con sẵn sàng hiến "
        "đất.",
    ),
    (
        "ấp Rạch Tràm",
        "mass_organisation",
        "womens_union",
        "petition",
        12,
        "Hội viên phụ nữ ấp Rạch Tràm phản ánh chưa có điểm tập kết rác, bà con phải đổ rác ven lộ, đề nghị "
        "bố trí thùng rác và xe thu gom.",
    ),
    (
        "ấp Phước Hòa",
        "citizen",
        None,
        "complaint",
        5,
        "Cán bộ tiếp dân ở bộ phận một cửa có thái độ chưa đúng mực, nói chuyện cộc lốc với người dân, đề "
        "nghị chấn chỉnh.",
    ),
    (
        "ấp Phước Hòa",
        "citizen",
        None,
        "complaint",
        9,
        "Tiếng karaoke mở lớn đến khuya ở khu dân cư ấp Phước Hòa ảnh hưởng giấc ngủ người già, trẻ nhỏ, đề "
        "nghị xử lý.",
    ),
    (
        "ấp Tân Long",
        "citizen",
        None,
        "opinion",
        7,
        "Hộ nghèo ở ấp Tân Long muốn vay vốn làm ăn nhưng không biết thủ tục, đề nghị hướng dẫn.",
    ),
    (
        "ấp Tân Long",
        "citizen",
        None,
        "petition",
        8,
        "Quốc lộ 30 đoạn qua ấp Tân Long thiếu biển báo khu dân cư và đèn tín hiệu tại ngã tư, đã xảy ra "
        "nhiều vụ tai nạn.",
    ),
    (
        "ấp Cây Da",
        "citizen",
        None,
        "petition",
        10,
        "Đề nghị xã công bố công khai quy hoạch sử dụng đất đến năm 2020 tại trụ sở ấp để bà con biết, "
        "tránh mua bán đất trong vùng quy hoạch.",
    ),
    (
        "ấp Cây Da",
        "hamlet_party_cell",
        None,
        "complaint",
        16,
        "Một số hộ nuôi heo thả nước thải xuống mương chung, gây mùi hôi cho các hộ xung quanh ở ấp Cây Da.",
    ),
    (
        None,
        "citizen",
        None,
        "petition",
        1,
        "Đề nghị xã đăng tải thủ tục hành chính, lệ phí và thời gian giải quyết trên trang thông tin điện "
        "tử của xã để người dân tiện tra cứu.",
    ),
    (
        "ấp Chợ",
        "citizen",
        None,
        "complaint",
        8,
        "Rac o cho ap Cho do xuong rach hoi qua, xe rac 2-3 ngay moi toi mot lan, de nghi thu gom rac hang "
        "ngay.",
    ),
    (
        "ấp Căn Cứ",
        "citizen",
        None,
        "petition",
        9,
        "Xin cho biết tiến độ cấp đổi giấy chứng nhận quyền sử dụng đất theo đo đạc lại năm 2016, nhiều hộ "
        "ấp Căn Cứ chờ lâu chưa nhận.",
    ),
)

_ICT = timezone(timedelta(hours=7))


def demo_lines() -> list[dict[str, Any]]:
    """The classifier's input: earlier years first (they are history for 2017), then 2017."""
    lines: list[dict[str, Any]] = [
        {"id": sid, "year": year, "hamlet": hamlet, "text": text} for sid, year, hamlet, text, _ in HISTORY
    ]
    for n, (hamlet, source, organisation, kind, day, text) in enumerate(SUBMISSIONS, start=1):
        lines.append(
            {
                "id": f"2017-{n:02d}",
                "year": 2017,
                "hamlet": hamlet,
                "text": text,
                "source": source,
                "organisation": organisation,
                "kind": kind,
                "received_at": datetime(2017, 3, day, 9, 0, tzinfo=_ICT)
                .astimezone(timezone.utc)
                .isoformat()
                .replace("+00:00", "Z"),
            }
        )
    return lines


def routed_items(
    commune: Commune,
    dialogue: Dialogue,
    lines: list[dict[str, Any]] | None = None,
    *,
    review_threshold: float = 0.5,
) -> list[dict[str, Any]]:
    """Route `lines` with `classify_stream` and shape this dialogue's ones like read-model items
    (``services/reporting/projection.py``): office ids, cluster, years raised, earlier answers."""
    from services.routing.batch import classify_stream
    from services.routing.classifier import RuleSet

    lines = demo_lines() if lines is None else lines
    answers = {sid: answer for sid, _, _, _, answer in HISTORY}
    office_id = {o.name: o.id for o in commune.offices}
    by_id = {line["id"]: line for line in lines}
    routed = list(classify_stream(lines, commune=commune, dialogue=dialogue, rules=RuleSet.load_default()))
    cluster_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for line, out in zip(lines, routed, strict=True):
        cluster = cluster_of.get(out.get("duplicate_of") or "", out.get("duplicate_of") or line["id"])
        cluster_of[line["id"]] = cluster
        members.setdefault(cluster, []).append(line["id"])
    items = []
    for line, out in zip(lines, routed, strict=True):
        if line.get("year", dialogue.year) != dialogue.year or "error" in out:
            continue
        cluster = cluster_of[line["id"]]
        earlier = [
            {"year": by_id[m]["year"], "submission_id": m, "text": by_id[m]["text"], "answer": answers.get(m)}
            for m in members[cluster]
            if by_id[m].get("year", dialogue.year) < dialogue.year
        ]
        topic = out["topic"]
        level, body = out["authority_level"], out["authority_body"]
        if before_reform(dialogue) and body in BODIES_2017:
            level, body = BODIES_2017[body]
        items.append(
            {
                "id": line["id"],
                "dialogue_id": dialogue.id,
                "tracking_code": f"DT-{line['id'].replace('-', '')}",
                "source": line.get("source", "citizen"),
                "organisation": line.get("organisation"),
                "kind": line.get("kind", "opinion"),
                "text": line["text"],
                "hamlet": line.get("hamlet"),
                "received_at": line.get("received_at"),
                "topic": topic,
                "topic_name": dialogue.topic_name(topic),
                "secondary_topic": out.get("secondary_topic"),
                "office_id": office_id.get(out["office"], out["office"]),
                "office_name": out["office"],
                "coordinating_office_ids": [office_id.get(o, o) for o in out["coordinating_offices"]],
                "authority_level": str(level),
                "authority_body": body,
                "needs_review": out["confidence"] < review_threshold,
                "recurring_claim": bool(out["recurring"]),
                "cluster_id": cluster,
                "duplicate_of": out["duplicate_of"],
                "times_raised": out["times_raised"],
                "years_raised": sorted({by_id[m].get("year", dialogue.year) for m in members[cluster]})
                if len(members[cluster]) > 1
                else [],
                "earlier": earlier,
            }
        )
    return items


# Speakers at the meeting, in speaking order: (name, submission id, answer, answered by).
_SPEAKERS: tuple[tuple[str, str, str, str], ...] = (
    (
        "Ông Lê Văn Tám",
        "2017-01",
        "Công trình xây lại cống thoát nước đầu chợ đã được bố trí vốn năm 2017; UBND xã sẽ khởi công trong "
        "quý II, trước mùa mưa.",
        "Đồng chí Chủ tịch UBND xã",
    ),
    (
        "Bà Nguyễn Thị Hoa",
        "2017-02",
        "Từ tháng 4/2017 xe thu gom rác vào chợ hằng ngày; Ban quản lý chợ bố trí thêm thùng rác và xử lý "
        "tiểu thương đổ rác xuống rạch.",
        "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",
    ),
    (
        "Ông Trần Văn Út",
        "2017-07",
        "Tuyến lộ đal tổ 5 được đưa vào kế hoạch sửa chữa năm 2017 theo phương thức Nhà nước và nhân dân "
        "cùng làm.",
        "Đồng chí Phó Chủ tịch UBND xã",
    ),
    (
        "Ông Võ Minh Sang",
        "2017-10",
        "Công an xã tăng cường tuần tra ban đêm, phối hợp tổ an ninh nhân dân ấp; đề nghị bà con báo tin "
        "kịp thời qua số điện thoại trực ban.",
        "Trưởng Công an xã",
    ),
    (
        "Bà Phạm Thị Lệ",
        "2017-14",
        "Vấn đề vượt thẩm quyền cấp xã; Ban Thường vụ Đảng ủy tiếp thu và kiến nghị cấp trên xem xét điều "
        "chỉnh hoặc hủy bỏ quy hoạch.",
        "Đồng chí Bí thư Đảng ủy",
    ),
    (
        "Ông Huỳnh Văn Bé",
        "2017-20",
        "UBND xã đã lập biên bản, báo cáo cơ quan chuyên môn cấp tỉnh kiểm tra; sẽ thông tin kết quả cho bà "
        "con.",
        "Đồng chí Chủ tịch UBND xã",
    ),
    (
        "Ông Đặng Công Lý",
        "2017-28",
        "Tiếp thu ý kiến; UBND xã kiểm điểm, chấn chỉnh tác phong cán bộ bộ phận một cửa, công khai đường "
        "dây nóng.",
        "Đồng chí Chủ tịch UBND xã",
    ),
    (
        "Bà Lâm Thị Mỹ",
        "2017-31",
        "Vấn đề thuộc thẩm quyền quản lý quốc lộ; xã sẽ kiến nghị cấp trên, trước mắt Công an xã tăng cường "
        "tuần tra, nhắc nhở tại ngã tư.",
        "Trưởng Công an xã",
    ),
)


def demo_minutes(items: list[dict[str, Any]]) -> MinutesInput:
    text = {i["id"]: (i.get("hamlet") or "Toàn xã", i["text"]) for i in items}
    speeches = tuple(
        Speech(name=name, hamlet=text[sid][0], issue=text[sid][1], answer=answer, answered_by=by)
        for name, sid, answer, by in _SPEAKERS
        if sid in text
    )
    return MinutesInput(
        started_at=time(7, 30),
        ended_at=time(11, 15),
        chair="Nguyễn Văn Minh, Bí thư Đảng ủy xã",
        secretary="Trần Thị Thu, cán bộ Văn phòng Đảng ủy",
        attendance=176,
        attendance_by_hamlet={"ấp Chợ": 78, "ấp Căn Cứ": 74},
        speeches=speeches,
        conclusion=(
            "Đồng chí Bí thư Đảng ủy ghi nhận, đánh giá cao tinh thần thẳng thắn, xây dựng của bà con; các "
            "ý kiến tập trung vào hạ tầng giao thông, thoát nước, vệ sinh môi trường, trật tự an toàn giao "
            "thông và thủ tục hành chính.",
            "Những vấn đề thuộc thẩm quyền cấp xã, giao UBND xã chỉ đạo các cơ quan chuyên môn giải quyết "
            "dứt điểm, nhất là các vấn đề kéo dài từ các năm trước; các vấn đề vượt thẩm quyền, Văn phòng "
            "Đảng ủy tham mưu văn bản kiến nghị cấp trên.",
            "Ban Thường vụ Đảng ủy sẽ ban hành thông báo kết luận trong thời hạn 10 ngày làm việc và giao "
            "Ủy ban MTTQ xã giám sát việc thực hiện.",
        ),
    )


def demo_dataset() -> tuple[Commune, Dialogue, list[dict[str, Any]], MinutesInput]:
    commune, dialogue = demo_commune(), demo_dialogue()
    items = routed_items(commune, dialogue)
    return commune, dialogue, items, demo_minutes(items)


def demo_document(
    kind: str,
    dataset: tuple[Commune, Dialogue, list[dict[str, Any]], MinutesInput] | None = None,
    *,
    number: int | None = None,
    issued_on: date | None = None,
) -> DocumentData:
    """One document of the demo data set, as `doithoai render --demo` prints it: numbered
    `number` (None: a draft), dated `issued_on` or the plan's date for that kind."""
    from services.reporting.documents import build_data

    commune, dialogue, items, minutes = dataset or demo_dataset()
    when = issued_on or DEMO_ISSUED_ON[kind]
    return build_data(kind, commune, dialogue, items, number=number, issued_on=when, minutes=minutes)
