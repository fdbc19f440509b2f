"""Who is calling, and what they may do: principals, signed tokens, API keys' format, and the
per-route access policies every service declares (`services/<name>/access.py`)."""
