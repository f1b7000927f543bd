"""A fenced Python block in model text -> `CodeAction`.

>>> from_code_block("Let me try:\\n```python\\nprint(1 + 1)\\n```")
CodeAction(type='code', code='print(1 + 1)')
"""

from __future__ import annotations

import re

from openenv_mcp.spec import CodeAction
from openenv_mcp_adapters.errors import ParseError

__all__ = ["CODE_BLOCK", "from_code_block", "to_code_block"]

CODE_BLOCK = re.compile(r"```(?:python|py|python3)?[ \t]*\n(?P<code>.*?)```", re.DOTALL | re.IGNORECASE)
"""A fenced block tagged python (or untagged)."""


def from_code_block(text: str) -> CodeAction | ParseError:
    """The last fenced Python block of `text` (models often draft before the final block)."""
    blocks = [m.group("code").rstrip() for m in CODE_BLOCK.finditer(text)]
    if not blocks:
        return ParseError("no fenced ```python code block found")
    if not blocks[-1].strip():
        return ParseError("the ```python code block is empty")
    return CodeAction(code=blocks[-1])


def to_code_block(action: CodeAction) -> str:
    """A `CodeAction` as a fenced block, the way a model writes one."""
    return f"```python\n{action.code}\n```"
