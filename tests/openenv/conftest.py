"""The client scripts import `openenv`, which only OpenEnv's own venv has: pytest never collects them."""

collect_ignore = ["clients"]
