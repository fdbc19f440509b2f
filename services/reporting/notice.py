"""The conclusion notice's time rules (seed IV.3)."""

from __future__ import annotations

CONCLUSION_DUE_WORKING_DAYS = 10  # the notice: no later than 10 working days after the meeting
RESOLUTION_WORKING_DAYS = 30  # default deadline for an office to settle an issue, from the notice
