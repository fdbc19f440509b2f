"""Reporting's settings: the follow-up reminders' scan and the commune's document templates."""

from __future__ import annotations

from pydantic import Field

from shared.settings import SchedulerSettings


class ReportingSettings(SchedulerSettings):
    # Days before a conclusion's due date that its office is reminded.
    followup_remind_days: int = Field(3, alias="DOITHOAI_FOLLOWUP_REMIND_DAYS", ge=0, le=60)
    # A folder with <commune id>/<template> files that override the built-in document templates.
    templates_dir: str | None = Field(None, alias="DOITHOAI_TEMPLATES_DIR")
