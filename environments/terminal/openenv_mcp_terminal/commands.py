"""Shell commands run inside the episode's sandbox, through its Python worker.

The worker runs a small program that starts ``/bin/sh -c COMMAND`` in /workspace in a
session of its own, with output going to files in the sandbox's private /tmp (so a
background process holding the output open cannot stall it). When the command ends or
its timeout passes, its process group is killed, and under bubblewrap every other
process in the sandbox too, so nothing outlives a command. The program prints its
result between two copies of a marker drawn fresh from `secrets` for each call, which
the command's own output cannot forge.
"""

from __future__ import annotations

import base64
import json
import secrets
import signal

from pydantic import BaseModel, Field

from openenv_mcp.errors import ActionError
from openenv_mcp.sandbox import BubblewrapSandbox, Sandbox

__all__ = ["OUTPUT_LIMIT", "CommandResult", "run_in_sandbox", "stream_limit"]

OUTPUT_LIMIT = 16_000
"""Bytes of stdout, and of stderr, kept from one command."""

_PROGRAM = r"""
def _terminal_run(request):
    import base64, json, os, signal, subprocess, tempfile, time

    def alive():  # processes of the sandbox other than its init and this worker, zombies aside
        found = []
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) not in (1, os.getpid()):
                try:
                    with open(f"/proc/{name}/stat") as stat:
                        state = stat.read().rsplit(")", 1)[1].split()[0]
                except (OSError, IndexError):
                    continue
                if state not in ("Z", "X"):
                    found.append(name)
        return found

    def sweep():  # kill every other process, again while forks race the kill (2 s at most)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                return
            if not alive():
                return
            time.sleep(0.002)

    def keep(file):
        size = os.fstat(file.fileno()).st_size
        file.seek(0)
        return base64.b64encode(file.read(request["limit"])).decode(), size

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            ["/bin/sh", "-c", request["command"]], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            cwd=request["cwd"], start_new_session=True,
        )
        try:
            code, timed_out = process.wait(request["timeout"]), False
        except subprocess.TimeoutExpired:
            code, timed_out = None, True
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        if request["sweep"] and os.getppid() == 1:
            sweep()
        (stdout, stdout_size), (stderr, stderr_size) = keep(out), keep(err)
    result = dict(code=code, timed_out=timed_out, stdout=stdout, stderr=stderr,
                  stdout_size=stdout_size, stderr_size=stderr_size)
    print(request["marker"] + json.dumps(result) + request["marker"])

_terminal_run(__import__("json").loads(%r))
del _terminal_run
"""


class CommandResult(BaseModel):
    """What a shell command did: its exit code and its output, cut to a limit."""

    exit_code: int | None = Field(
        description="The exit status; negative: killed by that signal; null: timed out."
    )
    stdout: str
    stderr: str
    stdout_truncated: bool = Field(default=False, description="stdout went past the limit and was cut.")
    stderr_truncated: bool = Field(default=False, description="stderr went past the limit and was cut.")
    timed_out: bool = Field(default=False, description="The command ran past its timeout and was killed.")
    timeout: float = Field(description="The timeout the command ran under, in seconds.")

    def to_text(self) -> str:
        """The output as a terminal shows it, then a status line.

        >>> print(CommandResult(exit_code=1, stdout="a\\n", stderr="oops\\n", timeout=10).to_text())
        a
        [stderr]
        oops
        [exit code 1]
        """
        parts: list[str] = []
        if self.stdout:
            parts.append(self.stdout.rstrip("\n"))
        if self.stderr:
            parts.append("[stderr]\n" + self.stderr.rstrip("\n"))
        parts.append(f"[{self.status()}]")
        return "\n".join(parts)

    def status(self) -> str:
        """How the command ended, in a few words."""
        if self.timed_out:
            return f"timed out after {self.timeout:g} s; the command was killed"
        if self.exit_code is not None and self.exit_code < 0:
            return f"killed by {_signal_name(-self.exit_code)}"
        return f"exit code {self.exit_code}"


def stream_limit(output_bytes: int) -> int:
    """Bytes kept per stream so that the result, base64-encoded, fits the sandbox's output limit."""
    return max(0, min(OUTPUT_LIMIT, (output_bytes - 1024) * 3 // 8))


async def run_in_sandbox(
    sandbox: Sandbox, command: str, *, seconds: float, wall_seconds: float, output_bytes: int
) -> CommandResult:
    """Run `command` with ``/bin/sh -c`` in the sandbox's /workspace, killed after `seconds`.

    Raises:
        ActionError: the sandbox could not run it (the worker died or gave no result).
    """
    marker = secrets.token_hex(16)
    limit = stream_limit(output_bytes)
    request = {
        "command": command,
        "timeout": seconds,
        "limit": limit,
        "marker": marker,
        "cwd": sandbox.code_workspace,
        "sweep": isinstance(sandbox, BubblewrapSandbox),
    }
    executed = await sandbox.execute(_PROGRAM % json.dumps(request), wall_seconds=wall_seconds)
    parts = executed.stdout.split(marker)
    if len(parts) < 3:
        detail = executed.render() or "no output"
        raise ActionError(f"the sandbox could not run the command: {detail}")
    raw = json.loads(parts[1])
    return CommandResult(
        exit_code=raw["code"],
        stdout=_text(raw["stdout"], raw["stdout_size"], limit, "stdout"),
        stderr=_text(raw["stderr"], raw["stderr_size"], limit, "stderr"),
        stdout_truncated=raw["stdout_size"] > limit,
        stderr_truncated=raw["stderr_size"] > limit,
        timed_out=raw["timed_out"],
        timeout=seconds,
    )


def _text(encoded: str, size: int, limit: int, name: str) -> str:
    text = base64.b64decode(encoded).decode("utf-8", "replace")
    if size > limit:
        text += f"\n[... {name} cut at {limit} of {size} bytes ...]\n"
    return text


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
