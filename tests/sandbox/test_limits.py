from __future__ import annotations

import pytest

from openenv_mcp.errors import SandboxError
from openenv_mcp.sandbox import SandboxLimits

pytestmark = pytest.mark.sandbox


def test_clamp_lowers_limits() -> None:
    limits = SandboxLimits().clamp({"wall_seconds": 2, "memory_bytes": 1 << 20})
    assert (limits.wall_seconds, limits.memory_bytes) == (2.0, 1 << 20)
    assert limits.cpu_seconds == SandboxLimits().cpu_seconds


def test_clamp_refuses_more_than_the_maximum() -> None:
    with pytest.raises(SandboxError, match=r"wall_seconds.*maximum of 10\.0"):
        SandboxLimits().clamp({"wall_seconds": 11})


def test_clamp_refuses_unknown_keys_and_bad_values() -> None:
    with pytest.raises(SandboxError, match="unknown sandbox limit 'gpus'"):
        SandboxLimits().clamp({"gpus": 1})
    with pytest.raises(SandboxError, match="invalid"):
        SandboxLimits().clamp({"cpu_seconds": -1})
