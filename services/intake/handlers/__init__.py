"""Intake's use cases: accepting submissions (`submissions`), following them downstream
(`status`), and the plans' and registrations' changes (`plans`, `registrations`). Adapters (the
APIs, the pages, Open311, the import jobs, the consumer) parse, call one of these, render."""
