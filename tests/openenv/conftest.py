"""The client scripts import `openenv`, only OpenEnv's own venv has: pytest never collects them."""

collect_ignore = ["clients"]
