"""Reporting's use cases, each a named function with its dependencies passed in (`ports`):
the read model (`read_model`), documents and issuing (`documents`), follow-up (`followup`) and
open data (`open_data`). The HTTP routers, the consumer and the follow-up scanner call them."""

from services.reporting.handlers.documents import (
    IssueDocument,
    dialogue_items,
    draft_conclusion_notice,
    issue_document,
    issued_file,
    issuing_readiness,
    list_documents,
    preview_document,
    radio_text,
)
from services.reporting.handlers.errors import (
    BadTransition,
    ItemsIncomplete,
    NotFound,
    ReasonRequired,
    SignerMissing,
    TaskChanged,
    UnknownDocumentKind,
)
from services.reporting.handlers.followup import (
    BoardPage,
    ChangeFollowUp,
    ReopenFollowUp,
    Viewer,
    change_follow_up,
    follow_up_board,
    open_follow_up,
    reopen_follow_up,
    scan_follow_up,
)
from services.reporting.handlers.open_data import OpenData, open_data
from services.reporting.handlers.ports import DocumentDeps, FollowUpDeps, ReadModelDeps
from services.reporting.handlers.read_model import project_routed

__all__ = [
    "BadTransition",
    "ChangeFollowUp",
    "DocumentDeps",
    "FollowUpDeps",
    "IssueDocument",
    "ItemsIncomplete",
    "NotFound",
    "OpenData",
    "ReadModelDeps",
    "ReasonRequired",
    "ReopenFollowUp",
    "SignerMissing",
    "TaskChanged",
    "UnknownDocumentKind",
    "BoardPage",
    "Viewer",
    "change_follow_up",
    "dialogue_items",
    "draft_conclusion_notice",
    "follow_up_board",
    "issue_document",
    "issued_file",
    "issuing_readiness",
    "list_documents",
    "open_data",
    "open_follow_up",
    "preview_document",
    "project_routed",
    "radio_text",
    "reopen_follow_up",
    "scan_follow_up",
]
