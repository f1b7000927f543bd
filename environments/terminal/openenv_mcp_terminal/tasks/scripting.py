"""A task that writes a tool: an executable shell script, checked on inputs the agent never sees."""

from __future__ import annotations

import random
import shlex
from functools import partial

from openenv_mcp_terminal.tasks.base import CheckContext, Task, TaskInstance, Verdict

__all__ = ["SHELL_SCRIPT"]

_SCRIPT = "bin/count-word.sh"
_WORDS = ("ERROR", "timeout", "retry", "WARN", "denied")
_FILLER = ("all good", "started worker", "cache warm", "request served", "shutting down", "tick")


def _text(rng: random.Random, word: str) -> tuple[str, int]:
    """Lines of which some hold `word` (some as part of a longer word, some in another case)."""
    lines: list[str] = []
    for _ in range(rng.randint(6, 20)):
        roll = rng.random()
        if roll < 0.3:
            lines.append(f"{rng.choice(_FILLER)} {word} {rng.randint(0, 9)}")
        elif roll < 0.4:
            lines.append(f"{word}{word.lower()} twice")
        elif roll < 0.5:
            lines.append(f"{rng.choice(_FILLER)} {word.swapcase()}")
        else:
            lines.append(rng.choice(_FILLER))
    return "\n".join(lines) + "\n", sum(word in line for line in lines)


def _generate(rng: random.Random) -> TaskInstance:
    word = rng.choice(_WORDS)
    sample, count = _text(rng, word)
    hidden = [_text(rng, word) for _ in range(2)]
    return TaskInstance(
        statement=(
            f"Write a shell script {_SCRIPT} that prints the number of lines of the file named by its "
            f"first argument that contain {word} (case-sensitive, also as part of a longer word), and "
            f"nothing else; file names may contain spaces. Make it executable. For example "
            f"`./{_SCRIPT} samples/app.log` must print {count}. The check runs it on other files. "
            "Then call check()."
        ),
        files={"samples/app.log": sample},
        verify=partial(_verify, hidden=hidden),
        solution=(
            f"mkdir -p bin && printf '#!/bin/sh\\ngrep -c -- {word} \"$1\"\\n' > {_SCRIPT}",
            f"chmod +x {_SCRIPT}",
        ),
    )


async def _verify(context: CheckContext, *, hidden: list[tuple[str, int]]) -> Verdict:
    if not context.workspace.exists(_SCRIPT):
        return Verdict(False, f"{_SCRIPT} does not exist")
    if not context.workspace.is_executable(_SCRIPT):
        return Verdict(False, f"{_SCRIPT} is not an executable file (chmod +x)")
    for text, count in hidden:
        ran = await context.run(
            f'dir=$(mktemp -d) && printf %s {shlex.quote(text)} > "$dir/check input.txt" '
            f'&& ./{_SCRIPT} "$dir/check input.txt"; code=$?; rm -rf "$dir"; exit $code'
        )
        # What the script printed on a hidden file is never shown: it could carry the file out.
        if ran.exit_code != 0 and not ran.stdout.strip():
            return Verdict(False, f"{_SCRIPT} failed on a check file; try it on samples/app.log")
        if ran.stdout.strip() != str(count):
            return Verdict(False, f"{_SCRIPT} printed a wrong count for a check file")
    return Verdict(True, f"{_SCRIPT} counts right")


SHELL_SCRIPT = Task("shell_script", "Write an executable shell script", _generate)
