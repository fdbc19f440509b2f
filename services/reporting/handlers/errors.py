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
