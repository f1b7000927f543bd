"""The worker that runs inside the sandbox, executing code in one persistent namespace.

Started as ``python -I -S worker.py READ_FD WRITE_FD CONFIG_JSON``. It speaks
newline-delimited JSON on two dedicated pipes, so nothing the code prints can corrupt the
channel. Standard library only: it must run on a bare interpreter.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import inspect
import io
import json
import linecache
import os
import resource
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

__all__ = ["ToolError", "main"]

_WORKER_FILE = os.path.abspath(__file__)
_CODE_FILE = "<code>"
_RLIMITS = {
    "memory_bytes": resource.RLIMIT_AS,
    "cpu_seconds": resource.RLIMIT_CPU,
    "max_processes": resource.RLIMIT_NPROC,
    "file_size_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
}


class ToolError(Exception):
    """Raised inside the code when a host tool call fails."""


class _Channel:
    """Newline-delimited JSON over a pair of pipe descriptors."""

    def __init__(self, read_fd: int, write_fd: int, max_message: int) -> None:
        self._read_fd, self._write_fd, self._buffer = read_fd, write_fd, b""
        self._max = max_message
        self.owner = os.getpid()
        self.execution = 0
        """The execution being run: every message to the host names it."""

    def send(self, message: dict[str, Any]) -> None:
        if os.getpid() != self.owner:
            raise ToolError("only the worker process can talk to the host; this is a forked child")
        line = json.dumps(message, separators=(",", ":")).encode() + b"\n"
        if len(line) > self._max and message.get("op") == "tool":
            raise ToolError(
                f"the call of {message.get('name')} is {len(line)} bytes as JSON, over the {self._max} "
                "bytes a call may carry; pass less at once"
            )
        view = memoryview(line)
        while view:
            view = view[os.write(self._write_fd, view) :]

    def receive(self) -> dict[str, Any]:
        while b"\n" not in self._buffer:
            chunk = os.read(self._read_fd, 1 << 16)
            if not chunk:
                os._exit(0)
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def call(self, name: str, arguments: dict[str, Any]) -> Any:
        self.send({"op": "tool", "id": self.execution, "name": name, "arguments": arguments})
        reply = self.receive()
        if not reply.get("ok"):
            raise ToolError(reply.get("error") or f"tool {name} failed")
        return reply.get("value")


class _Capture(io.TextIOBase):
    """A text stream that keeps at most `limit` bytes and drops the rest."""

    def __init__(self, limit: int, fd: int) -> None:
        self._limit, self._fd, self._size, self.truncated = limit, fd, 0, False
        self._parts: list[bytes] = []

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, text: str) -> int:  # type: ignore[override]
        if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.add(text.encode("utf-8", "replace"))
        return len(text)

    def add(self, data: bytes) -> None:
        room = self._limit - self._size
        if len(data) > room:
            data, self.truncated = data[:room], True
        if data:
            self._parts.append(data)
            self._size += len(data)

    def take(self) -> str:
        """Fold in what processes wrote to the descriptor, and return everything."""
        size = os.fstat(self._fd).st_size
        if size:
            self.add(os.pread(self._fd, min(size, self._limit - self._size + 1), 0))
            os.ftruncate(self._fd, 0)
        return b"".join(self._parts).decode("utf-8", "replace")


class _Helper:
    """``help()``, which ``-S`` leaves out of the builtins."""

    def __repr__(self) -> str:
        return "Type help(object) for help about object."

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import pydoc

        return pydoc.help(*args, **kwargs)


class _Annotation:
    """An annotation shown as its source text (``str``, not ``'str'``)."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


def _signature(names: list[str], text: str) -> inspect.Signature:
    """Build a signature over `names`, taking annotations and defaults from `text` when it parses."""
    annotations: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    returns: Any = inspect.Signature.empty
    try:
        node = ast.parse(f"def f{text}: pass").body[0]
        assert isinstance(node, ast.FunctionDef)
        positional = node.args.posonlyargs + node.args.args
        pairs = list(zip(positional[::-1], node.args.defaults[::-1], strict=False))
        keywords = zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)
        pairs += [(arg, default) for arg, default in keywords if default is not None]
        for arg, default in pairs:
            defaults[arg.arg] = ast.literal_eval(default)
        for arg in positional + node.args.kwonlyargs:
            if arg.annotation is not None:
                annotations[arg.arg] = _Annotation(ast.unparse(arg.annotation))
        if node.returns is not None:
            returns = _Annotation(ast.unparse(node.returns))
    except (SyntaxError, ValueError, AssertionError):
        pass
    parameters: list[inspect.Parameter] = []
    required = False
    for name in reversed(names):
        required = required or name not in defaults
        default = inspect.Parameter.empty if required else defaults[name]
        annotation = annotations.get(name, inspect.Parameter.empty)
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        parameters.append(inspect.Parameter(name, kind, default=default, annotation=annotation))
    return inspect.Signature(parameters[::-1], return_annotation=returns)


def _make_tool(spec: dict[str, Any], channel: _Channel) -> Callable[..., Any]:
    name: str = spec["name"]
    signature = _signature(list(spec["parameters"]), spec.get("signature", "()"))

    def tool(*args: Any, **kwargs: Any) -> Any:
        return channel.call(name, dict(signature.bind(*args, **kwargs).arguments))

    tool.__name__ = tool.__qualname__ = name
    tool.__doc__ = spec.get("description") or None
    tool.__module__ = "__main__"
    tool.__signature__ = signature  # type: ignore[attr-defined]
    return tool


def _strip_worker_frames(exc: traceback.TracebackException) -> None:
    exc.stack = traceback.StackSummary.from_list([f for f in exc.stack if f.filename != _WORKER_FILE])
    for inner in (exc.__cause__, exc.__context__, *(getattr(exc, "exceptions", None) or ())):
        if inner is not None:
            _strip_worker_frames(inner)


def _error(exc: BaseException, limit: int) -> dict[str, str]:
    """The exception as the host is sent it: message and traceback cut to a quarter of `limit` each."""
    formatted = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
    _strip_worker_frames(formatted)
    if isinstance(exc, SyntaxError) and exc.filename == _CODE_FILE:
        formatted.stack = traceback.StackSummary.from_list([])
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable>"
    cut = max(256, limit // 4)
    text = "".join(formatted.format())
    if len(text) > cut:
        text = text[: cut // 2] + "\n[... traceback cut ...]\n" + text[-cut // 2 :]
    return {"type": type(exc).__name__[:256], "message": message[:cut], "traceback": text}


def _run(code: str, namespace: dict[str, Any], limit: int) -> tuple[str | None, dict[str, str] | None]:
    """Execute `code`; return the repr of a last expression, and the error if one was raised."""
    linecache.cache[_CODE_FILE] = (len(code), None, code.splitlines(True), _CODE_FILE)
    try:
        tree = ast.parse(code, _CODE_FILE, "exec")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        if tree.body:
            exec(compile(tree, _CODE_FILE, "exec"), namespace)
        if last is None:
            return None, None
        value = eval(compile(ast.Expression(last.value), _CODE_FILE, "eval"), namespace)  # type: ignore[attr-defined]
        return (None if value is None else repr(value)[:limit]), None
    except BaseException as exc:  # the code's own errors, SystemExit included, are results
        return None, _error(exc, limit)


def _capture_fd(fd: int, name: str) -> None:
    """Point `fd` at an in-memory file so that child processes' output is kept too."""
    memfd = os.memfd_create(name)
    os.dup2(memfd, fd)
    os.close(memfd)
    os.set_blocking(fd, True)
    import fcntl

    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)


def _apply_limits(limits: dict[str, int]) -> None:
    for key, which in _RLIMITS.items():
        value = int(limits[key])
        hard = value + 1 if which == resource.RLIMIT_CPU else value
        resource.setrlimit(which, (value, hard))


def _serve(channel: _Channel, namespace: dict[str, Any], limit: int) -> None:
    while True:
        request = channel.receive()
        channel.execution = request.get("id", 0)
        out, err = _Capture(limit, 1), _Capture(limit, 2)
        sys.stdout, sys.stderr = out, err
        value, error = _run(request["code"], namespace, limit)
        if os.getpid() != channel.owner:
            os._exit(0)  # a child forked by the code must never answer on the channel
        stdout, stderr = out.take(), err.take()
        channel.send(
            {
                "op": "done",
                "id": channel.execution,
                "stdout": stdout,
                "stderr": stderr,
                "stdout_truncated": out.truncated,
                "stderr_truncated": err.truncated,
                "value": value,
                "error": error,
            }
        )


def _confine(layers: dict[str, Any]) -> dict[str, Any]:
    """Put the worker's own layers on (see confine.py, which lies beside this file)."""
    path = os.path.join(os.path.dirname(_WORKER_FILE), "confine.py")
    spec = importlib.util.spec_from_file_location("_openenv_confine", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.confine(layers)


def main(argv: list[str]) -> None:
    """Set limits and layers up, then the namespace; say ready, then serve execution requests forever."""
    read_fd, write_fd, config = int(argv[1]), int(argv[2]), json.loads(argv[3])
    _apply_limits(config["limits"])
    layers = _confine(config.get("layers") or {})
    for fd in (read_fd, write_fd):
        os.set_inheritable(fd, False)
    _capture_fd(1, "stdout")
    _capture_fd(2, "stderr")
    channel = _Channel(read_fd, write_fd, int(config.get("max_message", 1 << 30)))
    builtins.help = _Helper()  # type: ignore[attr-defined]
    module = types.ModuleType("__main__")
    sys.modules["__main__"] = module
    namespace = module.__dict__
    namespace["ToolError"] = ToolError
    for spec in config["tools"]:
        namespace[spec["name"]] = _make_tool(spec, channel)
    channel.send({"op": "ready", "pid": os.getpid(), "layers": layers})
    _serve(channel, namespace, int(config["output_bytes"]))


if __name__ == "__main__":
    main(sys.argv)
