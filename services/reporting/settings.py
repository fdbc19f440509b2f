"""Reporting's settings: the follow-up reminders' scan and the commune's document templates."""

from __future__ import annotations

from pydantic import Field

from shared.settings import SchedulerSettings


class ReportingSettings(SchedulerSettings):
    # Days before a conclusion's due date that its office is reminded.
    followup_remind_days: int = Field(3, alias="DOITHOAI_FOLLOWUP_REMIND_DAYS", ge=0, le=60)
    # A folder with <commune id>/<template> files that override the built-in document templates.
    templates_dir: str | None = Field(None, alias="DOITHOAI_TEMPLATES_DIR")

    # Intake's API, where new items raised at the meeting are submitted (`inprocess`: this same
    # process serves intake, as in make run and the tests).
    intake_url: str = Field("http://127.0.0.1:8000", alias="DOITHOAI_INTAKE_URL")
    backend_timeout_s: float = Field(30.0, alias="DOITHOAI_BACKEND_TIMEOUT_S", gt=0)
