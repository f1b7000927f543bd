"""A build context for an environment image: its Dockerfile and every wheel it installs.

Nothing is fetched inside the image build (an index may be unreachable from a container):
the project's wheel is built here, its locked dependencies downloaded here as binary wheels
for the container's Python, and `pip install --no-index` reads them from the context.

An environment of this checkout's `environments/` folder uses the Dockerfile there. Any other
installed environment (one made by `openenv-mcp init`, say) is built from its own package
folder, found from its entry point's module file (or named with `package=`): that folder's
Dockerfile, and its wheel beside openenv-mcp's.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable
from email.parser import HeaderParser
from importlib.metadata import entry_points
from pathlib import Path

from openenv_mcp.containers.errors import ContainerError
from openenv_mcp.discovery import ENTRY_POINT_GROUP

__all__ = [
    "ENVIRONMENTS_WITH_DOCKERFILE",
    "add_package_wheel",
    "dockerfile",
    "find_package",
    "find_source",
    "package_dockerfile",
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


def find_package(env: str) -> Path:
    """The source folder of the installed environment `env`, found from its entry point.

    From the entry point's module file up to the folder whose pyproject.toml names the
    distribution that declares the entry point (an editable install: `pip install -e DIR`).
    """
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}.get(env)
    if found is None:
        known = ", ".join(ENVIRONMENTS_WITH_DOCKERFILE)
        raise ContainerError(
            f"no environment {env!r}: it is neither in this checkout's environments/ nor installed "
            f"(see `openenv-mcp list`); images exist for: {known}, and for any installed environment "
            "whose package folder has a Dockerfile (or name that folder with --dir DIR)"
        )
    spec = importlib.util.find_spec(found.module)
    if spec is None or spec.origin is None:
        raise ContainerError(f"environment {env!r}: its module {found.module!r} cannot be found")
    distribution = found.dist.name if found.dist is not None else None
    return _package_folder(Path(spec.origin), env, distribution)


def _normal(name: str) -> str:
    """A distribution name as packaging compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _project_name(pyproject: Path) -> str | None:
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    match document.get("project"):
        case {"name": str() as name}:
            return _normal(name)
        case _:
            return None


def _package_folder(module_file: Path, env: str, distribution: str | None) -> Path:
    for folder in module_file.resolve().parents:
        if folder.name in ("site-packages", "dist-packages"):
            break
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            if distribution is None or _project_name(pyproject) == _normal(distribution):
                return folder
            break
    raise ContainerError(
        f"environment {env!r} is installed from {module_file.parent}, which is not inside its source "
        "folder (the one with its pyproject.toml and Dockerfile): install it editable "
        "(pip install -e DIR) or name that folder with --dir DIR"
    )


def package_dockerfile(folder: Path) -> Path:
    """The Dockerfile of an environment package folder (which must be a project: a pyproject.toml)."""
    for needed in ("pyproject.toml", "Dockerfile"):
        if not (folder / needed).is_file():
            raise ContainerError(
                f"{folder} has no {needed}: an environment's package folder needs a pyproject.toml "
                "and a Dockerfile (`openenv-mcp init` writes both)"
            )
    return folder / "Dockerfile"


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


def _wheel_names(wheels: Path) -> set[str]:
    return {_normal(wheel.name.split("-", 1)[0]) for wheel in wheels.glob("*.whl")}


def _requirements(wheel: Path) -> list[str]:
    """The wheel's own requirements (its Requires-Dist entries outside any extra)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    return [r for r in metadata.get_all("Requires-Dist") or [] if not re.search(r"\bextra\s*==", r)]


def _requirement_name(requirement: str) -> str:
    """The distribution a requirement names.

    >>> _requirement_name("Open_Env.MCP >=0.1 ; python_version >= '3.11'")
    'open-env-mcp'
    """
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return _normal(found.group(0)) if found else requirement


def add_package_wheel(folder: Path, wheels: Path) -> Path:
    """Build the wheel of the package in `folder` into `wheels`, with the dependencies not there yet.

    Its dependencies that `wheels` already holds (openenv-mcp and the lock's pins) are not
    fetched again; any other one is downloaded as a binary wheel for the container's Python.
    """
    with tempfile.TemporaryDirectory() as scratch:
        _project_wheel(folder, Path(scratch))
        built = next(Path(scratch).glob("*.whl"))
        wheel = Path(shutil.copy2(built, _mkdir(wheels) / built.name))
    present = _wheel_names(wheels)
    missing = [r for r in _requirements(wheel) if _requirement_name(r) not in present]
    if missing:
        _download(folder, wheels, missing)
    return wheel


def prepare_context(
    env: str,
    context: Path,
    *,
    source: Path | None = None,
    wheels: Path | None = None,
    package: Path | None = None,
    progress: Callable[[str], None] = logger.info,
) -> Path:
    """Write the build context of `env` into `context`; `wheels` reuses prepared wheels.

    `package` names the environment's package folder; without it an environment that is not
    in the checkout's `environments/` is looked up by its entry point (`find_package`).
    """
    source = source or find_source()
    package = _package_of(source, env) if package is None else package.resolve()
    recipe = dockerfile(source, env) if package is None else package_dockerfile(package)
    context.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(recipe, context / "Dockerfile")
    if wheels is None:
        progress("preparing wheels: the project's (uv build) and its locked dependencies (pip download)")
        prepare_wheels(source, context / "wheels")
    else:
        shutil.copytree(wheels, context / "wheels", dirs_exist_ok=True)
    if package is not None:
        progress(f"building the wheel of {env} from {package}")
        add_package_wheel(package, context / "wheels")
    return context


def _package_of(source: Path, env: str) -> Path | None:
    """None for an environment of the checkout's own package, else the folder of its package."""
    bundled = source / "environments" / env
    if bundled.is_dir():
        return bundled if (bundled / "pyproject.toml").is_file() else None
    return find_package(env)
