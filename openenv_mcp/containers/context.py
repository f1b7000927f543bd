"""A build context for an environment image: its Dockerfile and every wheel it installs.

Nothing is fetched inside the image build (an index may be unreachable from a container):
the project's wheel is built here, its locked dependencies downloaded here as binary wheels
for the container's Python, and `pip install --no-index` reads them from the context.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from openenv_mcp.containers.errors import ContainerError

__all__ = [
    "ENVIRONMENTS_WITH_DOCKERFILE",
    "dockerfile",
    "find_source",
    "prepare_context",
    "prepare_wheels",
    "wheel_cache",
]

logger = logging.getLogger(__name__)

ENVIRONMENTS_WITH_DOCKERFILE = ("echo", "connect_four", "wordle", "python", "terminal", "mcp_proxy")

CONTAINER_PYTHON = "3.11"
"""The Python of the supported base images (python:3.11-slim, Debian bookworm's python3)."""
CONTAINER_GLIBC = 36
"""Debian bookworm's glibc is 2.36: the newest manylinux tag the container accepts."""


def find_source(start: Path | None = None) -> Path:
    """The openenv-mcp source checkout this package runs from (images are built from source)."""
    here = (start or Path(__file__)).resolve()
    for folder in here.parents:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and 'name = "openenv-mcp"' in pyproject.read_text(encoding="utf-8"):
            return folder
    raise ContainerError(
        "openenv-mcp build needs a source checkout of openenv-mcp; none contains " + str(here)
    )


def dockerfile(source: Path, env: str) -> Path:
    path = source / "environments" / env / "Dockerfile"
    if not path.is_file():
        known = ", ".join(ENVIRONMENTS_WITH_DOCKERFILE)
        raise ContainerError(f"no Dockerfile for environment {env!r} (at {path}); images exist for: {known}")
    return path


def _run(command: list[str], cwd: Path, what: str) -> None:
    logger.debug("running %s", " ".join(command))
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise ContainerError(f"{what} failed ({' '.join(command[:3])} ...):\n{tail}")


def _pip() -> list[str]:
    """A pip to download with: this interpreter's, else the one on PATH (a uv venv has none)."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise ContainerError("openenv-mcp build needs pip to download the dependency wheels; none found")


def _project_wheel(source: Path, wheels: Path) -> None:
    uv = shutil.which("uv")
    if uv:
        _run([uv, "build", "--wheel", "--out-dir", str(wheels), str(source)], source, "building the wheel")
    else:
        _run([*_pip(), "wheel", "--no-deps", "-w", str(wheels), str(source)], source, "building the wheel")


def _locked_requirements(source: Path, into: Path) -> Path | None:
    """The lock file's pins as a requirements file, when uv can export them."""
    uv = shutil.which("uv")
    if not uv or not (source / "uv.lock").is_file():
        return None
    requirements = into / "requirements.txt"
    export = [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--no-header"]
    _run([*export, "--quiet", "-o", str(requirements)], source, "exporting the locked dependencies")
    return requirements


def _platforms() -> list[str]:
    """Every manylinux tag the container's glibc accepts (pip does not widen `--platform` itself)."""
    arch = platform.machine()
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(CONTAINER_GLIBC, 16, -1)]
    return [*tags, f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}", "any"]


def _download(source: Path, wheels: Path, requirements: list[str]) -> None:
    target = ["--python-version", CONTAINER_PYTHON, "--implementation", "cp", "--only-binary=:all:"]
    target += [arg for tag in _platforms() for arg in ("--platform", tag)]
    download = [*_pip(), "download", "--disable-pip-version-check", "--quiet", "--dest", str(wheels)]
    _run([*download, *target, *requirements], source, "downloading the dependency wheels")


def wheel_cache() -> Path:
    """Where downloaded dependency wheels are kept, one folder per lock state."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "openenv-mcp" / "wheels"


def _cached_dependencies(source: Path, wheels: Path, requirements: Path) -> None:
    """Copy the locked dependencies' wheels from the cache, downloading them once per lock state."""
    key = hashlib.sha256(requirements.read_bytes() + _platforms()[0].encode()).hexdigest()[:16]
    cached = wheel_cache() / key
    if not cached.is_dir():
        partial = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=_mkdir(wheel_cache())))
        _download(source, partial, ["-r", str(requirements)])
        with contextlib.suppress(OSError):  # another build filled the cache first: keep its copy
            partial.rename(cached)
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    for wheel in cached.glob("*.whl"):
        shutil.copy2(wheel, wheels / wheel.name)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare_wheels(source: Path, wheels: Path) -> Path:
    """Fill `wheels` with the project's wheel and binary wheels of its dependencies.

    With a uv lock file the dependencies are its pins, downloaded once and cached
    (`wheel_cache`); without one pip resolves them from the project's wheel.
    """
    _mkdir(wheels)
    _project_wheel(source, wheels)
    with tempfile.TemporaryDirectory() as scratch:
        requirements = _locked_requirements(source, Path(scratch))
        if requirements is None:
            _download(source, wheels, [str(next(wheels.glob("openenv_mcp-*.whl")))])
        else:
            _cached_dependencies(source, wheels, requirements)
    return wheels


def prepare_context(
    env: str,
    context: Path,
    *,
    source: Path | None = None,
    wheels: Path | None = None,
    progress: Callable[[str], None] = logger.info,
) -> Path:
    """Write the build context of `env` into `context`; `wheels` reuses prepared wheels."""
    source = source or find_source()
    context.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dockerfile(source, env), context / "Dockerfile")
    if wheels is None:
        progress("preparing wheels: the project's (uv build) and its locked dependencies (pip download)")
        prepare_wheels(source, context / "wheels")
    else:
        shutil.copytree(wheels, context / "wheels", dirs_exist_ok=True)
    return context
