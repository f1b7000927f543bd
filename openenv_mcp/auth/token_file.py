"""Static bearer tokens from a file, for small deployments without an identity provider.

One token per line: ``TOKEN SCOPE[,SCOPE] [PRINCIPAL]``; a ``#`` at the start of a line or
after a space starts a comment. Without a principal, the token's own fingerprint names it.
Two tokens may share a principal (a trainer's with ``openenv:control`` and its agent's with
``openenv:tools``): they then share episodes and quotas.

>>> tokens = parse_token_file("# team a\\nk3y-0f-the-trainer-aaaa openenv:control team-a\\n")
>>> [(e.principal, sorted(e.scopes)) for e in tokens.values()]
[('team-a', ['openenv:control'])]
"""

from __future__ import annotations

import hashlib
import logging
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from mcp.server.auth.provider import AccessToken

from openenv_mcp.auth.scopes import SCOPES
from openenv_mcp.auth.verifier import TokenRejected
from openenv_mcp.errors import OpenEnvError

__all__ = ["MIN_TOKEN_LENGTH", "StaticTokens", "TokenEntry", "TokenFileError", "parse_token_file"]

logger = logging.getLogger(__name__)

MIN_TOKEN_LENGTH = 16
"""Shorter tokens are refused when the file is read: guessable is not a secret."""
_COMMENT = re.compile(r"(^|\s)#.*$")


class TokenFileError(OpenEnvError):
    """The token file cannot be used; the message names the file and line."""

    kind = "invalid_token_file"


@dataclass(frozen=True)
class TokenEntry:
    """One line of a token file."""

    principal: str
    scopes: frozenset[str]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def parse_token_file(text: str, source: str = "the token file") -> dict[bytes, TokenEntry]:
    """The entries of a token file, by the SHA-256 of their token.

    Raises:
        TokenFileError: a line is malformed, a scope unknown, a token short or repeated.
    """
    entries: dict[bytes, TokenEntry] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = _COMMENT.sub("", line).split()
        if not fields:
            continue
        where = f"{source}, line {number}"
        if len(fields) not in (2, 3):
            raise TokenFileError(
                f"{where}: expected 'TOKEN SCOPE[,SCOPE] [PRINCIPAL]', got {len(fields)} fields"
            )
        token, scopes = fields[0], frozenset(s for s in fields[1].split(",") if s)
        if len(token) < MIN_TOKEN_LENGTH:
            raise TokenFileError(
                f"{where}: the token is {len(token)} characters; use {MIN_TOKEN_LENGTH} or more"
            )
        unknown = sorted(scopes - SCOPES)
        if unknown or not scopes:
            raise TokenFileError(
                f"{where}: unknown scope {', '.join(unknown) or '(none given)'}; "
                f"the scopes are {', '.join(sorted(SCOPES))}"
            )
        digest = _digest(token)
        if digest in entries:
            raise TokenFileError(f"{where}: this token is already on an earlier line")
        principal = fields[2] if len(fields) == 3 else f"token-{digest.hex()[:12]}"
        entries[digest] = TokenEntry(principal, scopes)
    if not entries:
        raise TokenFileError(f"{source} holds no token")
    return entries


class StaticTokens:
    """Verifies bearer tokens against a token file's entries."""

    def __init__(self, entries: dict[bytes, TokenEntry]) -> None:
        self._entries = entries

    @classmethod
    def from_file(cls, path: str | Path) -> StaticTokens:
        """Read a token file; warn when others than its owner may read it.

        Raises:
            TokenFileError: the file is missing, unreadable or malformed.
        """
        path = Path(path)
        try:
            text = path.read_text()
            mode = path.stat().st_mode
        except OSError as exc:
            raise TokenFileError(f"cannot read the token file {path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise TokenFileError(f"the token file {path} is not text: {exc.reason}") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            logger.warning("the token file %s can be read by others than its owner: chmod 600 it", path)
        return cls(parse_token_file(text, str(path)))

    async def verify(self, token: str) -> AccessToken:
        # Looked up by digest: what a lookup's timing could reveal is about a hash, not the token.
        entry = self._entries.get(_digest(token))
        if entry is None:
            raise TokenRejected("the token is not one this server issued", "unknown_token")
        return AccessToken(
            token=token, client_id=entry.principal, subject=entry.principal, scopes=sorted(entry.scopes)
        )
