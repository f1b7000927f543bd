"""Write a new environment's package from the templates shipped beside this module.

A template is a file under `templates/` whose `__UPPER_CASE__` words are placeholders
(`__NAME__`, `__PACKAGE__`, `__CLASS__`, ...): they stand out in Python, TOML, YAML, Markdown
and Dockerfiles alike, and never clash with Python's lowercase dunders. `common/` holds what
every package gets, `plain/` and `codeact/` what differs.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from openenv_mcp.scaffold.errors import ScaffoldError
from openenv_mcp.scaffold.names import Names, check_name

__all__ = ["CODEACT", "PLAIN", "Flavour", "create_package", "render_files"]

PLACEHOLDER = re.compile(r"__([A-Z]+(?:_[A-Z]+)*)__")


@dataclass(frozen=True)
class Flavour:
    """One kind of environment `init` writes: its template folder and what differs in the shared files."""

    folder: str
    description: str
    tags: str
    flag: str


PLAIN = Flavour(
    "plain", "Guess a secret number from 1 to max_value; each answer says too low or too high.", "game", ""
)
CODEACT = Flavour(
    "codeact",
    "Find a secret number from 1 to 100 by writing Python code that calls guess(n).",
    "game, codeact",
    " --codeact",
)

LAYOUT: tuple[tuple[str, str], ...] = (
    ("common/pyproject.toml.tmpl", "pyproject.toml"),
    ("common/README.md.tmpl", "README.md"),
    ("common/Dockerfile.tmpl", "Dockerfile"),
    ("common/openenv.yaml.tmpl", "openenv.yaml"),
    ("common/gitignore.tmpl", ".gitignore"),
    ("common/__init__.py.tmpl", "__PACKAGE__/__init__.py"),
    ("common/py.typed", "__PACKAGE__/py.typed"),
    ("FLAVOUR/environment.py.tmpl", "__PACKAGE__/environment.py"),
    ("FLAVOUR/oracle.py.tmpl", "__PACKAGE__/oracle.py"),
    ("FLAVOUR/test_environment.py.tmpl", "tests/test___NAME__.py"),
)
"""Each template and where its rendering goes in the package folder (a rendered path too)."""
FRAGMENTS = {"PLAY": "FLAVOUR/play.md.tmpl", "ENTRYPOINT": "FLAVOUR/entrypoint.tmpl"}
"""Placeholders of the shared files whose text is a flavour's own template."""


def _template(path: str, flavour: Flavour) -> str:
    source: Traversable = files("openenv_mcp.scaffold").joinpath("templates")
    for part in path.replace("FLAVOUR", flavour.folder).split("/"):
        source = source.joinpath(part)
    return source.read_text(encoding="utf-8")


def _render(text: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        if found is None:
            raise ScaffoldError(f"template bug: no value for placeholder {match.group(0)}")
        return found

    return PLACEHOLDER.sub(value, text)


def _values(names: Names, flavour: Flavour) -> dict[str, str]:
    values = {
        "NAME": names.name,
        "PACKAGE": names.package,
        "CLASS": names.class_name,
        "OPTIONS": names.options_class,
        "DISTRIBUTION": names.distribution,
        "DASHED": names.name.replace("_", "-"),
        "DESCRIPTION": flavour.description,
        "TAGS": flavour.tags,
        "INIT_ARGS": names.name + flavour.flag,
    }
    for placeholder, path in FRAGMENTS.items():
        values[placeholder] = _render(_template(path, flavour), values).rstrip("\n")
    return values


def render_files(names: Names, flavour: Flavour = PLAIN) -> dict[str, str]:
    """Every file of the package of `names`, by its path relative to the package folder."""
    values = _values(names, flavour)
    return {_render(target, values): _render(_template(path, flavour), values) for path, target in LAYOUT}


def _write(folder: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    folder.chmod(0o755)  # mkdtemp's folder is private; the package folder is an ordinary one


def create_package(name: str, directory: Path | str = ".", *, codeact: bool = False) -> Path:
    """Write the package of a new environment `name` into `directory/name`; that folder.

    Refuses a bad or installed name and an existing folder (nothing is ever overwritten). The
    files are written into a temporary folder beside the target and renamed into place, so an
    error leaves no half-written package.
    """
    names = check_name(name)
    parent = Path(directory).resolve()
    target = parent / name
    if target.exists() or target.is_symlink():
        raise ScaffoldError(f"{target} already exists: init never overwrites; choose another name or --dir")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
    except OSError as exc:
        raise ScaffoldError(f"cannot write into {parent}: {exc}") from exc
    try:
        _write(staging, render_files(names, CODEACT if codeact else PLAIN))
        os.rename(staging, target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ScaffoldError(f"could not write {target}: {exc}") from exc
        raise
    return target
