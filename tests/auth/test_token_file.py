"""Static token files: every malformed line refused with its number, good lines read as written."""

from __future__ import annotations

import logging
from pathlib import Path

import anyio
import pytest

from openenv_mcp.auth import StaticTokens, TokenFileError, TokenRejected, parse_token_file

TRAINER = "trainer-token-0123456789"
AGENT = "agent-token-0123456789ab"


def test_lines_comments_and_default_principals() -> None:
    text = f"""
# who may call
{TRAINER} openenv:control,openenv:tools team-a   # the trainer
{AGENT}   openenv:tools                  team-a
scraper-token-0123456789 openenv:metrics
"""
    entries = sorted((e.principal, sorted(e.scopes)) for e in parse_token_file(text).values())
    assert entries[:2] == [
        ("team-a", ["openenv:control", "openenv:tools"]),
        ("team-a", ["openenv:tools"]),
    ]
    assert entries[2][0].startswith("token-") and entries[2][1] == ["openenv:metrics"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"{TRAINER}\n", "line 1: expected 'TOKEN SCOPE[,SCOPE] [PRINCIPAL]', got 1 fields"),
        (f"# ok\n{TRAINER} openenv:tools a b\n", "line 2: expected"),
        (f"{TRAINER} openenv:admin\n", "line 1: unknown scope openenv:admin"),
        (f"{TRAINER} ,\n", "line 1: unknown scope (none given)"),
        ("short openenv:tools\n", "line 1: the token is 5 characters; use 16 or more"),
        (
            f"{TRAINER} openenv:tools\n{TRAINER} openenv:control\n",
            "line 2: this token is already on an earlier line",
        ),
        ("# nothing but comments\n\n", "holds no token"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line(text: str, problem: str) -> None:
    with pytest.raises(TokenFileError) as refused:
        parse_token_file(text, "tokens.txt")
    assert problem in str(refused.value) and refused.value.kind == "invalid_token_file"


def test_a_missing_or_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TokenFileError, match="cannot read the token file"):
        StaticTokens.from_file(tmp_path / "absent")
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00token")
    with pytest.raises(TokenFileError, match="is not text"):
        StaticTokens.from_file(binary)


def test_a_file_others_can_read_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"{TRAINER} openenv:control\n")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        StaticTokens.from_file(path)
    assert "chmod 600" in caplog.text
    caplog.clear()
    path.chmod(0o600)
    StaticTokens.from_file(path)
    assert "chmod 600" not in caplog.text


def test_verify_gives_the_line_or_refuses_the_token(tmp_path: Path) -> None:
    tokens = StaticTokens(parse_token_file(f"{AGENT} openenv:tools team-a\n"))
    granted = anyio.run(tokens.verify, AGENT)
    assert granted.subject == "team-a" and granted.scopes == ["openenv:tools"]
    with pytest.raises(TokenRejected) as refused:
        anyio.run(tokens.verify, AGENT + "x")
    assert refused.value.code == "unknown_token"
