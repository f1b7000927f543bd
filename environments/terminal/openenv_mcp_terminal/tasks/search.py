"""Tasks that find something in files: a failed request in a log, a count of matching lines."""

from __future__ import annotations

import random
from functools import partial

from openenv_mcp_terminal.tasks.base import CheckContext, Task, TaskInstance, Verdict, answer_file

__all__ = ["COUNT_MATCHES", "LOG_SEARCH"]

_PATHS = ("/api/items", "/api/cart", "/api/users", "/api/search", "/health")
_WORDS = ("parse", "cache", "retry", "index", "render", "flush", "encode", "merge", "sync", "load")


def _log_line(rng: random.Random, minute: int, path: str, status: int) -> str:
    request = f"req-{rng.getrandbits(32):08x}"
    level = "ERROR" if status >= 500 else "INFO"
    return (
        f"2026-03-14T09:{minute // 60:02d}:{minute % 60:02d}Z {level} request_id={request} "
        f"method={rng.choice(('GET', 'POST'))} path={path} status={status} duration_ms={rng.randint(2, 900)}"
    )


def _generate_log(rng: random.Random) -> TaskInstance:
    lines: list[str] = []
    for minute in range(rng.randint(240, 320)):
        path = rng.choice((*_PATHS, "/api/checkout"))
        status = rng.choice((200, 200, 200, 201, 404, 500 if path != "/api/checkout" else 503))
        lines.append(_log_line(rng, minute, path, status))
    failed = rng.randrange(len(lines))
    lines[failed] = _log_line(rng, failed, "/api/checkout", 500)
    secret = lines[failed].split("request_id=")[1].split()[0]
    half = len(lines) // 2
    files = {"logs/app.log.1": "\n".join(lines[:half]) + "\n", "logs/app.log": "\n".join(lines[half:]) + "\n"}
    return TaskInstance(
        statement=(
            "The logs in logs/ (app.log.1 is the older part) record HTTP requests. Exactly one request "
            "to /api/checkout failed with status 500. Write its request id (like req-1a2b3c4d) to "
            "/workspace/answer.txt, then call check()."
        ),
        files=files,
        verify=partial(_verify_request, secret=secret),
        solution=(
            "grep -h 'path=/api/checkout status=500 ' logs/* | sed 's/.*request_id=\\([^ ]*\\).*/\\1/' "
            "> answer.txt",
        ),
    )


async def _verify_request(context: CheckContext, *, secret: str) -> Verdict:
    answer = answer_file(context)
    if answer is None:
        return Verdict(False, "answer.txt is missing: write the request id to /workspace/answer.txt")
    if answer == secret:
        return Verdict(True, "correct: that is the failed checkout request")
    if not answer.startswith("req-"):
        return Verdict(False, f"answer.txt holds {answer[:40]!r}, which is not a request id (req-...)")
    return Verdict(False, f"{answer[:40]} is not the checkout request that failed with status 500")


def _source_lines(rng: random.Random) -> list[str]:
    lines: list[str] = []
    for _ in range(rng.randint(8, 30)):
        word = rng.choice(_WORDS)
        roll = rng.random()
        if roll < 0.15:
            lines.append(f"    # TODO: {word} the input before use")
        elif roll < 0.2:
            lines.append(f"    # TODO: {word} twice; TODO: measure it")
        elif roll < 0.3:
            lines.append(f"    # todo (lower case, not counted): {word}")
        else:
            lines.append(f"    {word}_value = {word}(data, {rng.randint(0, 99)})")
    return lines


def _generate_count(rng: random.Random) -> TaskInstance:
    files: dict[str, str] = {}
    for index in range(rng.randint(4, 6)):
        files[f"project/src/{rng.choice(_WORDS)}_{index}.py"] = "\n".join(_source_lines(rng)) + "\n"
    for index in range(rng.randint(2, 3)):
        files[f"project/docs/notes_{index}.md"] = "\n".join(_source_lines(rng)) + "\n"
    count = sum(line.count("TODO") > 0 for text in files.values() for line in text.splitlines())
    return TaskInstance(
        statement=(
            "Count the lines, across every file under project/ (subdirectories included), that contain "
            "TODO: case-sensitive, and a line with two TODOs counts once. Write the number to "
            "/workspace/answer.txt, then call check()."
        ),
        files=files,
        verify=partial(_verify_count, count=count),
        solution=("grep -r TODO project | wc -l > answer.txt",),
    )


async def _verify_count(context: CheckContext, *, count: int) -> Verdict:
    answer = answer_file(context)
    if answer is None:
        return Verdict(False, "answer.txt is missing: write the count to /workspace/answer.txt")
    if not answer.isdigit():
        return Verdict(False, f"answer.txt holds {answer[:40]!r}, which is not a whole number")
    if int(answer) == count:
        return Verdict(True, "correct")
    return Verdict(False, f"{int(answer)} is not the number of matching lines (is the match case-sensitive?)")


LOG_SEARCH = Task("log_search", "Find the failed checkout request in a log", _generate_log)
COUNT_MATCHES = Task("count_matches", "Count lines matching a pattern across files", _generate_count)
