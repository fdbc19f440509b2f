"""What every service answers for an unknown address, a refusal or a failure: a small Vietnamese
page for a person at a browser (who asked for `text/html`), bilingual JSON for any other client.

The page is self-contained (inline style, no template loader, no other request) so that a
service without pages of its own, or one whose templates fail to load, can still show it.
Every dynamic text in it is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from starlette.datastructures import Headers


@dataclass(frozen=True)
class ErrorText:
    code: str  # the JSON `error` code
    title_vi: str  # the page's title and heading
    what_vi: str  # what happened, for the person
    message_vi: str  # the JSON `message_vi`
    message_en: str  # the JSON `message_en`


ERRORS: Mapping[int, ErrorText] = {
    400: ErrorText(
        "bad_request",
        "Yêu cầu không hợp lệ",
        "Trình duyệt đã gửi một yêu cầu mà hệ thống không hiểu được.",
        "Yêu cầu không hợp lệ.",
        "Bad request.",
    ),
    401: ErrorText(
        "unauthenticated",
        "Cần đăng nhập",
        "Trang này chỉ dành cho người đã đăng nhập.",
        "Cần đăng nhập hoặc khóa truy cập hợp lệ.",
        "Authentication required.",
    ),
    403: ErrorText(
        "forbidden",
        "Không có quyền truy cập",
        "Tài khoản của bạn không được xem hoặc làm việc này. Nếu cần, hãy liên hệ quản trị của xã.",
        "Không có quyền thực hiện việc này.",
        "Forbidden.",
    ),
    404: ErrorText(
        "not_found",
        "Không tìm thấy trang",
        "Địa chỉ này không có trên hệ thống: có thể đường dẫn bị gõ sai hoặc trang đã được chuyển đi.",
        "Không tìm thấy.",
        "Not found.",
    ),
    405: ErrorText(
        "method_not_allowed",
        "Không thực hiện được",
        "Địa chỉ này không nhận cách gửi đó. Hãy quay lại trang trước và dùng nút trên trang.",
        "Phương thức không được hỗ trợ tại địa chỉ này.",
        "Method not allowed.",
    ),
    413: ErrorText(
        "body_too_large",
        "Nội dung gửi lên quá lớn",
        "Hệ thống không nhận được vì nội dung gửi lên quá lớn. Nếu bạn dán một văn bản dài, hãy rút gọn "
        "hoặc chia thành nhiều ý kiến. Bấm nút quay lại của trình duyệt để lấy lại nội dung đã gõ.",
        "Dữ liệu gửi lên quá lớn.",
        "Request body too large.",
    ),
    500: ErrorText(
        "internal_error",
        "Hệ thống gặp lỗi",
        "Đã có lỗi ngoài ý muốn khi xử lý yêu cầu của bạn. Việc bạn vừa làm có thể chưa được lưu; "
        "vui lòng thử lại sau ít phút. Nếu lỗi lặp lại, hãy báo cho quản trị kèm mã tra cứu dưới đây.",
        "Hệ thống gặp lỗi ngoài ý muốn; vui lòng thử lại sau. Mã tra cứu: {correlation_id}.",
        "Internal error; retry later. Correlation id: {correlation_id}.",
    ),
}


def error_text(status: int) -> ErrorText:
    """The texts of `status`; a status without its own falls back to its class (4xx/5xx)."""
    if status in ERRORS:
        return ERRORS[status]
    if status >= 500:
        return ErrorText(
            "server_error",
            "Hệ thống tạm thời gián đoạn",
            "Hệ thống chưa xử lý được yêu cầu của bạn. Vui lòng thử lại sau ít phút.",
            "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau.",
            f"Server error ({status}); retry later.",
        )
    return ErrorText(
        "request_refused",
        "Không thực hiện được",
        "Hệ thống không nhận yêu cầu này.",
        "Yêu cầu không được chấp nhận.",
        f"Request refused ({status}).",
    )


def wants_html(headers: Headers) -> bool:
    """A person at a browser: the request names `text/html` among what it accepts. API clients
    (no Accept, `*/*`, `application/json`) keep JSON."""
    return "text/html" in headers.get("accept", "").lower()


def is_staff_path(path: str) -> bool:
    return path == "/staff" or path.startswith(("/staff/", "/login", "/logout"))


def error_json(status: int, correlation_id: str = "") -> dict[str, str]:
    text = error_text(status)
    body = {
        "error": text.code,
        "message_vi": text.message_vi.format(correlation_id=correlation_id),
        "message_en": text.message_en.format(correlation_id=correlation_id),
    }
    if correlation_id and status >= 500:
        body["correlation_id"] = correlation_id
    return body


_STYLE = (
    "body{margin:0;font:17px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
    "color:#1f1d24;background:#f6f4f1}"
    "header{background:#b3261e;color:#fff;padding:.8rem 1rem}"
    "header a{color:#fff;text-decoration:none;font-weight:600}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    ".card{background:#fff;border-radius:10px;padding:1rem 1.2rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    "h1{font-size:1.4rem;margin:.2rem 0 .6rem;color:#8c1d18}"
    ".status{color:#5f5b66;font-size:.95rem;margin:0}"
    ".links{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0 0;padding:0;list-style:none}"
    ".links a{display:inline-flex;align-items:center;min-height:44px;padding:.35rem 1rem;border-radius:8px;"
    "border:2px solid #b3261e;color:#b3261e;font-weight:600;text-decoration:none}"
    ".links a.primary{background:#b3261e;color:#fff}"
    ".ref{font-family:ui-monospace,monospace;background:#f1eeea;padding:.1rem .35rem;border-radius:4px;"
    "overflow-wrap:anywhere}"
)


def error_page(status: int, path: str, *, correlation_id: str = "", has_home: bool = True) -> str:
    """The Vietnamese page for `status` at `path`: what happened, and where to go from here
    (the staff area's start and login under /staff, else the residents' home)."""
    text = error_text(status)
    if is_staff_path(path):
        links = [("/staff/", "Về trang tổng quan cán bộ", True), ("/login", "Đăng nhập", False)]
        brand = ("/staff/", "Khu vực cán bộ")
    else:
        links = [("/", "Về trang chủ", True)] if has_home else []
        brand = ("/" if has_home else "", "Đối thoại với nhân dân")
    reference = ""
    if correlation_id and status >= 500:
        reference = (
            '<p>Mã tra cứu: <span class="ref" data-correlation-id>' + escape(correlation_id) + "</span></p>"
        )
    items = "".join(
        '<li><a href="%s"%s>%s</a></li>' % (href, ' class="primary"' if primary else "", label)
        for href, label, primary in links
    )
    link_list = '<ul class="links">' + items + "</ul>" if items else ""
    brand_html = '<a href="%s">%s</a>' % brand if brand[0] else brand[1]
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{text.title_vi} – Đối thoại với nhân dân</title><style>{_STYLE}</style></head>"
        f"<body><header>{brand_html}</header>"
        f'<main><section class="card" aria-labelledby="loi"><p class="status">Lỗi {status}</p>'
        f'<h1 id="loi">{text.title_vi}</h1><p>{text.what_vi}</p>{reference}{link_list}'
        "</section></main></body></html>"
    )
