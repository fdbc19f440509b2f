"""Plain timing scripts: ``.venv/bin/python -m bench.bench_routing``."""
