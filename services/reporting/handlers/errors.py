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
        self.message_vi = (
            f"Chưa thể ban hành: văn bản chưa có họ tên người ký dưới chức danh “{title}”. "
            f"Vui lòng cập nhật {what_vi} ({field}) rồi ban hành lại."
        )
        self.message_en = (
            f"Cannot issue: the document has no signer's name under “{title}”. "
            f"Enter {what_en} ({field}) and issue it again."
        )
