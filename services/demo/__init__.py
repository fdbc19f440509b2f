"""Demo data: the demo commune and its 2017 dialogue (`seed`), and what tools build from them.
Only composition roots, tools, benchmarks and tests import this package; no service does."""
