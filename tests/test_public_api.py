"""The public surface: every name in `__all__` exists, and the top level exports what users need."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import openenv_mcp

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(openenv_mcp.__path__, "openenv_mcp.")
    if not info.name.endswith(("__main__", ".worker"))
)


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_what_it_exports(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    missing = [attr for attr in exported if not hasattr(module, attr)]
    assert not missing, f"{name}.__all__ names missing attributes: {missing}"


def test_the_top_level_surface() -> None:
    assert set(openenv_mcp.__all__) == {
        "Action",
        "CodeAction",
        "Environment",
        "OpenEnvError",
        "ResetResult",
        "State",
        "StepRecord",
        "StepResult",
        "ToolAnnotationsSpec",
        "ToolCallAction",
        "ToolDefinition",
        "tool",
    }
