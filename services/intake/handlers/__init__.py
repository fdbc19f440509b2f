"""Intake's use cases: accepting submissions (`submissions`), following them downstream
(`status`), the plans' and registrations' changes (`plans`, `registrations`), and attendance
at the meeting (`attendance`). Adapters (the APIs, the pages, Open311, the import jobs, the
consumer) parse, call one of these, render."""

from services.intake.handlers.attendance import AttendanceDeps
from services.intake.handlers.plans import PlanDeps
from services.intake.handlers.registrations import RegistrationDeps
from services.intake.handlers.status import StatusDeps
from services.intake.handlers.submissions import SubmitDeps

__all__ = ["AttendanceDeps", "PlanDeps", "RegistrationDeps", "StatusDeps", "SubmitDeps"]
