"""Word lists the personal-data masker (:mod:`shared.personal_data`) recognises names by (pure data,
standard library only). All in lower case, with and without diacritics; compared after
``str.lower()``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["BIRTH_ORDER", "MIDDLE_NAMES", "NOT_A_NAME", "NOT_IN_A_NAME", "NOT_A_STREET", "SURNAMES"]

# Family names: the common Kinh ones, the Khmer (Mekong delta), Hoa, Chăm and Tày-Thái ones met in
# communes, with and without diacritics. Used where a name has no other sign (a lower-case name, a
# name written in capitals or after "tôi là"); "Út", "Hai" … (`BIRTH_ORDER`) stand for a name too.
SURNAMES: Final = (
    "nguyễn|nguyen|trần|tran|lê|le|phạm|pham|hoàng|hoang|huỳnh|huynh|phan|vũ|vu|võ|vo|đặng|dang|"
    "bùi|bui|đỗ|do|hồ|ho|ngô|ngo|dương|duong|lý|ly|trương|truong|đinh|dinh|lâm|lam|mai|tạ|ta|cao|"
    "kiều|kieu|thạch|thach|danh|sơn|son|kim|châu|chau|lưu|luu|triệu|trieu|trịnh|trinh|tô|to|tăng|"
    "tang|quách|quach|lương|luong|đoàn|doan|đào|dao|đàm|dam|hà|ha|la|lạc|lac|lục|luc|mạc|mac|"
    "nông|nong|phùng|phung|quan|tôn|ton|thái|thai|từ|tu|vương|vuong|vi|yên|yen|"
    "âu|au|bạch|bach|cù|cu|chu|diệp|diep|giang|giáp|giap|hứa|hua|hầu|hau|khổng|khong|khúc|khuc|"
    "kha|lò|lo|lỗ|lường|luong|mã|ma|mạch|mach|nghiêm|nghiem|ninh|quang|tiêu|tieu|thân|than|"
    "trà|tra|trang|trầm|tram|đàng|thông|thong|thiên|thien|quảng|quang|cầm|cam|sầm|sam|hoa|hán|han|"
    "ka|y|siu|ksor|rơ|ro|rmah|kpă|kpa|nie|êban|eban|néang|neang|chau|lữ|lu|lã|khương|khuong|"
    "đồng|dong|đậu|dau|hàn|khưu|khuu|mẫn|man|ngũ|ngu|phí|phi|tất|tat|"
    "tiết|tiet|uông|uong|vưu|vuu"
)

# The usual middle names: after a family name they make a run of words a person's name even in
# lower case ("tôi là trần thị bích", "toi la tran thi bich") or in capitals.
MIDDLE_NAMES: Final = frozenset(
    "văn van thị thi hữu huu đình dinh đức duc bá ba công cong quang ngọc ngoc minh xuân xuan "
    "thanh kim hoàng hoang quốc quoc trọng trong tấn tan phước phuoc thế the duy mạnh manh "
    "thành thanh hồng hong như nhu thu mỹ my bích bich tuyết tuyet khánh khanh".split()
)

# A person's name by birth order, alone or before a given name ("Út Mười", "Tư Hùng").
BIRTH_ORDER: Final = frozenset("út ut cả hai ba tư bảy bay tám chín mười muoi".split())

# The first word of a capitalised run after "tôi là" that is a role, a group or a place, not a
# name ("Tôi là Đảng Viên", "Chúng tôi là Hội Nông Dân", "tôi là Trưởng Ấp Chợ"); a family name
# followed by a middle name ("Đoàn Văn Hậu") is a name even so.
NOT_A_NAME: Final = frozenset(
    "đảng trưởng phó pho hội hoi chi ban cán bí chủ tổ đoàn cựu cuu giáo giao người nguoi cư cử "
    "hộ nông công cong dân dan mẹ me vợ con cha bố bo thương thuong liệt liet gia đại dai ủy uỷ uy "
    "thành viên hưu huu học hoc sinh bác bac kỹ ky doanh ông bà anh chị cô chú em cháu cụ tiểu "
    "trường ấp xã thôn khóm xóm khu ubnd mttq hđnd phòng phong ngành nganh nhân nhan "
    "niên chiến chien mặt mat tổng trung hợp hop tập tap cơ co đơn don".split()
)

# Words that end a lower-case name ("tôi là trần văn an ở ấp Chợ", "… năm nay 70 tuổi").
NOT_IN_A_NAME: Final = frozenset(
    "ở o tại tai nhà nha xin sống song cư ngụ ngu hiện hien năm nam tuổi tuoi là la có co đề de "
    "kiến kien phản phan ấp ap thôn xóm xom tổ to khóm khom khu sinh và va đang dang muốn muon "
    "thấy thay được duoc bị bi vì vi do người nguoi con cháu chau gửi gui làm lam hộ ho số so "
    "đt sđt sdt điện dien địa dia email xã xa đã da sẽ se rất rat cũng cung thì nay hỏi hoi "
    "mong kính kinh trình trinh báo bao phường phuong huyện huyen tỉnh tinh của cua với voi "
    "cho đến den từ tu trong ngoài ngoai ạ a nhé nhe ngày tháng hôm sáng sang chiều chieu tối toi "
    "cccd cmnd đường duong hẻm hem".split()
)

# The capitalised word after "ở/tại <number>" that is a place, a unit or a count, not a street:
# "ở 3 Ấp thiếu nước", "tại 2 Xã Phú An".
NOT_A_STREET: Final = frozenset(
    "ấp ap xã xa thôn thon tổ to khóm khom xóm xom khu bản ban buôn buon phường phuong huyện huyen "
    "tỉnh tinh quận quan thị thi năm nam tháng thang ngày ngay giờ gio hộ ho người nguoi lần lan "
    "nhà nha trường truong cái cai con".split()
)
