"""The config validator of the fix_config task: one function, checked on the host and shipped as a script.

>>> config_problems('{"name": "a", "port": 8080, "debug": false, "workers": 2}')
[]
>>> config_problems('{"name": "a", "port": "8080", "debug": false, "workers": 2}')
['port must be an integer from 1024 to 65535']
"""

# The validator ships as a plain script, so it reads JSON of unknown shape without typing helpers.
# pyright: reportUnknownVariableType=false, reportUnknownArgumentType=false

from __future__ import annotations

import inspect

__all__ = ["VALIDATOR", "config_problems"]


def config_problems(text: str) -> list[str]:
    """What is wrong with a config file's text; empty when the validator accepts it."""
    import json

    try:
        loaded: object = json.loads(text)
    except ValueError as exc:
        return [f"config.json is not valid JSON: {exc}"]
    if not isinstance(loaded, dict):
        return ["config.json must hold a JSON object"]
    config: dict[str, object] = {str(key): value for key, value in loaded.items()}
    problems: list[str] = []
    name, port = config.get("name"), config.get("port")
    if not isinstance(name, str) or not name:
        problems.append("name must be a non-empty string")
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        problems.append("port must be an integer from 1024 to 65535")
    if not isinstance(config.get("debug"), bool):
        problems.append("debug must be true or false")
    workers = config.get("workers")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        problems.append("workers must be a positive integer")
    unknown = sorted(set(config) - {"name", "port", "debug", "workers"})
    if unknown:
        problems.append(f"unknown settings: {', '.join(unknown)}")
    return problems


VALIDATOR = (
    '"""Validate config.json: prints config OK, or the problems found (and exits with status 1)."""\n\n'
    + inspect.getsource(config_problems)
    + "\n\nif __name__ == '__main__':\n"
    "    import sys\n\n"
    "    with open('config.json', encoding='utf-8') as file:\n"
    "        found = config_problems(file.read())\n"
    "    print('\\n'.join(found) or 'config OK')\n"
    "    sys.exit(1 if found else 0)\n"
)
"""The source of validate_config.py, as the agent finds it in the workspace."""
