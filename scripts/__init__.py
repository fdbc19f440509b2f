"""Developer scripts run as modules: ``.venv/bin/python -m scripts.evaluate``."""
