"""What a reporting use case refuses; the HTTP adapters turn each into its problem response."""

from __future__ import annotations


class NotFound(LookupError):
    """No such commune, dialogue, document or task (or not one the caller may see)."""


class UnknownDocumentKind(ValueError):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class BadTransition(ValueError):
    def __init__(self, current: str, wanted: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"cannot go from {current!r} to {wanted!r}")
        self.current, self.wanted, self.allowed = current, wanted, allowed


class ReasonRequired(ValueError):
    """A task is rejected only with a note saying why."""


class TaskChanged(RuntimeError):
    """The task changed since it was read; the caller reloads and retries."""


class SignerMissing(ValueError):
    """The document would be issued without its signer's full name (HD 36: the name is printed
    under the title); `field` says where to enter it."""

    def __init__(self, kind: str, title: str, field: str, what_vi: str, what_en: str) -> None:
        super().__init__(f"{kind}: no name under {title} ({field})")
        self.kind, self.title, self.field = kind, title, field
        # `what_vi` says what staff enter and where, in their words (`kinds.base.SIGNER_SOURCES`);
        # the field's name is for the API, in `field`
        self.message_vi = (
            f"Chưa thể ban hành: văn bản chưa có họ tên người ký dưới chức danh “{title}”. "
            f"Vui lòng cập nhật {what_vi} rồi ban hành lại."
        )
        self.message_en = (
            f"Cannot issue: the document has no signer's name under “{title}”. "
            f"Enter {what_en} ({field}) and issue it again."
        )


class ItemsIncomplete(RuntimeError):
    """The dialogue's items cannot all be listed now: those routing has not decided yet are
    intake's, and intake did not list them (unreachable, or more than one answer carries). A
    document built without them would undercount the dialogue."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi, self.message_en = message_vi, message_en

    @classmethod
    def intake_unavailable(cls, detail: str) -> ItemsIncomplete:
        return cls(
            "Chưa lấy được từ hệ thống tiếp nhận các ý kiến đang phân loại, nên chưa đếm đủ ý kiến "
            "của đợt đối thoại; vui lòng thử lại sau ít phút.",
            f"Intake did not list the items not classified yet ({detail}); the dialogue's items "
            "would be undercounted. Retry later.",
        )

    @classmethod
    def too_many_unrouted(cls, listed: int) -> ItemsIncomplete:
        number_vi = f"{listed:,}".replace(",", ".")  # 2.000
        return cls(
            f"Còn hơn {number_vi} ý kiến đang chờ phân loại; chưa đếm đủ ý kiến của đợt đối thoại. "
            "Vui lòng thử lại khi phân loại xong.",
            f"More than {listed} items are still waiting to be classified; the dialogue's items "
            "would be undercounted. Retry once they are classified.",
        )
