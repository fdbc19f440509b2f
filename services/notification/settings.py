"""Notification's settings: outgoing mail and SMS, the scheduler's reminders, invitations and
overdue notices, and where the services it reads from answer."""

from __future__ import annotations

from pydantic import Field

from shared.settings import DirectoryCacheSettings, SchedulerSettings


class NotificationSettings(DirectoryCacheSettings, SchedulerSettings):
    smtp_url: str = Field("smtp://127.0.0.1:1025", alias="SMTP_URL")
    # Where staff reach the site (scheme, host and any path prefix): the office's e-mail links to
    # the item's staff page under it. `make run` sets it to its own address.
    public_url: str = Field(
        "http://127.0.0.1:8000", alias="DOITHOAI_PUBLIC_URL", pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$"
    )
    smtp_from: str = Field("Văn phòng Đảng ủy <doithoai@localhost>", alias="SMTP_FROM")
    smtp_timeout_s: float = Field(10.0, alias="SMTP_TIMEOUT_S")
    # E-mails on their way at once, each on its own kept connection to the SMTP server.
    smtp_connections: int = Field(8, alias="SMTP_CONNECTIONS", ge=1, le=100)
    sms_webhook_url: str | None = Field(None, alias="SMS_WEBHOOK_URL")
    sms_webhook_token: str | None = Field(None, alias="SMS_WEBHOOK_TOKEN")

    # Days before each deadline that its reminders go out.
    reminder_offsets_days: str = Field(
        "3,1,0", alias="DOITHOAI_REMINDER_OFFSETS_DAYS", pattern=r"^\d{1,3}(,\d{1,3})*$"
    )
    # Invitations go out this many days before the last day the plan allows.
    invitation_lead_days: int = Field(2, alias="DOITHOAI_INVITATION_LEAD_DAYS", ge=0, le=60)
    overdue_window_days: int = Field(30, alias="DOITHOAI_OVERDUE_WINDOW_DAYS", ge=0)

    # Residents' contacts and registrants' phones come from intake's API, issued PDFs from
    # reporting's: where those services answer inside the deployment, or `inprocess` when this
    # same process serves them (make run without RabbitMQ, tests).
    intake_url: str = Field("http://127.0.0.1:8000", alias="DOITHOAI_INTAKE_URL")
    reporting_url: str = Field("http://127.0.0.1:8003", alias="DOITHOAI_REPORTING_URL")
    backend_timeout_s: float = Field(30.0, alias="DOITHOAI_BACKEND_TIMEOUT_S", gt=0)

    @property
    def reminder_offsets(self) -> tuple[int, ...]:
        """`reminder_offsets_days` as distinct numbers, largest first."""
        return tuple(sorted({int(x) for x in self.reminder_offsets_days.split(",")}, reverse=True))
