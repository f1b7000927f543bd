"""The workspace's files and their text, a text view for people (the playground's view)."""

from __future__ import annotations

from openenv_mcp.environment.views import View
from openenv_mcp.errors import ActionError
from openenv_mcp_python.workspace import Workspace

__all__ = ["files_view"]

_FILES = 20
_TEXT_LIMIT = 4000
"""Characters of one file shown (the agent reads the rest with read_file)."""


def files_view(workspace: Workspace) -> View:
    """Each file of the workspace (two folder levels deep, at most 20) with its text."""
    sections: list[str] = []
    for path in _files(workspace, ".", depth=2)[:_FILES]:
        try:
            text = workspace.read_text(path)
        except ActionError as exc:  # binary, too large, or swapped for something else meanwhile
            text = f"({exc})"
        shown = text if len(text) <= _TEXT_LIMIT else text[:_TEXT_LIMIT] + "\n[... cut]"
        sections.append(f"=== {path} ===\n{shown}")
    return View.plain("\n\n".join(sections) or "(the workspace is empty)", title="workspace files")


def _files(workspace: Workspace, folder: str, depth: int) -> list[str]:
    found: list[str] = []
    for name in workspace.listing(folder):
        path = name if folder == "." else f"{folder}/{name}"
        if name.endswith("/"):
            if depth > 1 and not name.startswith((".", "__pycache__")):
                found += _files(workspace, path.rstrip("/"), depth - 1)
        elif not name.endswith("@"):
            found.append(path)
    return found
