"""Notification's use cases, one function each, with their dependencies explicit (`Deps`).

- `notify_office`: the office assigned to prepare an answer is e-mailed once per routed event;
  `record_office_failure` records the final failure (also when the event is given up).
- `on_plan_changed`: a changed plan's invitations, updates and cancellations go out at once.
- `notify_follow_up`: residents are told their issue is resolved (contacts from intake's API).
- `remind_follow_up`: offices are reminded of tasks due; overdue ones are escalated.
- `distribute_document`: an issued document goes to its recipients (the PDF from reporting's API).

The consumers that call them are declared in `services/notification/consumers.py`.
"""

from __future__ import annotations

from services.notification.handlers.documents import distribute_document
from services.notification.handlers.followup import notify_follow_up, remind_follow_up
from services.notification.handlers.office import notify_office, record_office_failure
from services.notification.handlers.plans import on_plan_changed
from services.notification.handlers.ports import Deps, Submitter

__all__ = [
    "Deps",
    "Submitter",
    "distribute_document",
    "notify_follow_up",
    "notify_office",
    "on_plan_changed",
    "record_office_failure",
    "remind_follow_up",
]
