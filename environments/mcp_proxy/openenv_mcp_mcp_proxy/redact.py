"""Keeping the child's credentials out of everything the proxy shows or logs.

A secret is masked in each form a child is likely to print it in: as is, JSON-escaped, URL-encoded,
base64 (alone or inside a longer base64 text), hex, and each line of a multi-line value.

>>> Redactor(["hunter2"]).text("the password is hunter2")
'the password is ***'
>>> Redactor(["hunter2"]).data({"k": ["hunter2!", 1]})
{'k': ['***!', 1]}
>>> Redactor(['pa"ss\\nword']).text('{"token": "pa\\\\"ss\\\\nword"}')  # JSON-escaped
'{"token": "***"}'
>>> Redactor(["a b/c+d"]).text("?t=a+b%2Fc%2Bd&u=1")  # URL-encoded
'?t=***&u=1'
>>> import base64
>>> base64.b64encode(b"user:hunter2")
b'dXNlcjpodW50ZXIy'
>>> Redactor(["hunter2"]).text("dXNlcjpodW50ZXIy")  # base64, at any offset in a longer text
'dXNlcjp***'
>>> pem = "-----BEGIN KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\\nAQEFAASCBKcwggSjAgEAAoIB\\n-----END KEY-----"
>>> Redactor([pem]).text("line 2 is AQEFAASCBKcwggSjAgEAAoIB")  # one line of a multi-line secret
'line 2 is ***'
"""

from __future__ import annotations

import base64
import json
import logging
import re
import weakref
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "MIN_SECRET_LENGTH", "Redactor", "redact_logs", "secret_forms"]

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Shorter values (and shorter lines of a multi-line value) are not masked: masking "1" or "on"
would garble every answer."""

_LIVE: weakref.WeakSet[Redactor] = weakref.WeakSet()
_GUARDED_PREFIXES = ("mcp.", "client", "httpx")
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\\r\\n|\\n")
"""Real line breaks, and the escaped ones of a PEM key inside a one-line JSON credentials file."""
_URL_SAFE = ("", "/", "!'()*", "!#$&'()*+,/:;=?@")
"""Characters left unescaped: none, Python's default, JavaScript's `encodeURIComponent`, `encodeURI`."""
_PERCENT = re.compile(r"%[0-9A-F]{2}")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-f]{4})")
_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
"""Go's `encoding/json` escapes these by default."""


def secret_forms(secret: str) -> set[str]:
    r"""Every string `Redactor` masks for `secret`: the secret and each of its lines, encoded.

    >>> forms = secret_forms('a"b/c d')
    >>> {'a"b/c d', 'a\\"b/c d', 'a%22b%2Fc%20d', 'a%22b/c+d', '6122622f632064'} <= forms  # JSON, URL, hex
    True
    >>> {'YSJiL2MgZA==', 'YSJiL2MgZA', 'EiYi9jIG'} <= forms  # base64: alone, unpadded, one byte in
    True
    >>> secret_forms("abc")  # shorter than MIN_SECRET_LENGTH
    set()
    """
    if len(secret) < MIN_SECRET_LENGTH:
        return set()
    units = {secret, *_lines(secret)}
    found = {form for unit in units for encode in _ENCODINGS for form in encode(unit)}
    return {form for form in found if len(form) >= MIN_SECRET_LENGTH}


def _lines(secret: str) -> set[str]:
    pieces = _LINE_BREAK.split(secret)
    if len(pieces) == 1:
        return set()
    return {p for piece in pieces for p in (piece, piece.strip()) if len(p) >= MIN_SECRET_LENGTH}


def _raw(value: str) -> set[str]:
    return {value}


def _json_escaped(value: str) -> set[str]:
    """As inside a JSON string: Python's and JavaScript's escapes, Go's, and escaped twice."""
    once = {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    variants = {
        *(v.replace("/", "\\/") for v in once),
        *(_UNICODE_ESCAPE.sub(lambda m: "\\u" + m[1].upper(), v) for v in once),
        *("".join(_HTML_SAFE.get(c, c) for c in v) for v in once),
    }
    twice = {json.dumps(v)[1:-1] for v in once}
    return once | variants | twice


def _url_encoded(value: str) -> set[str]:
    """As in a URL or a form: percent-escapes in upper or lower case, spaces as %20 or +."""
    found = {quote(value, safe=s) for s in _URL_SAFE} | {quote_plus(value, safe=s) for s in _URL_SAFE}
    return found | {_PERCENT.sub(lambda m: m[0].lower(), f) for f in found}


def _base64(value: str) -> set[str]:
    """Base64 and base64url, alone (with or without padding) or at any offset in a longer text.

    Inside a longer text, the characters at the secret's edges mix its bits with its neighbours',
    so for each of the three alignments only the characters made of the secret's bits alone are
    masked (the character at each edge may still give away up to 4 bits of the secret).
    """
    raw = value.encode()
    found: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        alone = encode(raw).decode()
        found |= {alone, alone.rstrip("=")}
        for offset in range(3):
            text = encode(bytes(offset) + raw).decode()
            first, end = -(-8 * offset // 6), 8 * (offset + len(raw)) // 6
            found.add(text[first:end])
    return found


def _hex(value: str) -> set[str]:
    encoded = value.encode().hex()
    return {encoded, encoded.upper()}


_ENCODINGS: tuple[Callable[[str], set[str]], ...] = (_raw, _json_escaped, _url_encoded, _base64, _hex)

_Trie: TypeAlias = "dict[str, _Trie]"


def _alternation(words: Iterable[str]) -> str:
    """A regex for any of `words`, longest first, shaped as a trie.

    A flat `a|b|...` tries every word at every position; a PEM key's lines in all their forms are
    hundreds of words, and the trie makes masking about ten times faster.

    >>> _alternation(["abc", "abd", "ab"])
    'ab(?:c|d)?'
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: _Trie) -> str:
    chain: list[str] = []
    while len(node) == 1 and "" not in node:
        ((char, node),) = node.items()
        chain.append(re.escape(char))
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    ends = "" in node
    body = "(?:" + "|".join(branches) + ")" if len(branches) > 1 or (ends and branches) else "".join(branches)
    if ends and branches:
        body += "?"  # greedy: where a word and a longer one match, the longer wins
    return "".join(chain) + body


class Redactor:
    """Replaces every credential, in every form of `secret_forms`, in text and JSON data with `***`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for secret in secrets for form in secret_forms(secret)}
        self._pattern = re.compile(_alternation(forms)) if forms else None
        if forms:
            _LIVE.add(self)

    def text(self, value: str, mask: str = MASK) -> str:
        """`value` with every credential replaced by `mask`."""
        return value if self._pattern is None else self._pattern.sub(lambda _: mask, value)

    def data(self, value: Any) -> Any:
        """JSON data with every credential masked in its strings (keys included)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            items: dict[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
            return {self.data(k): self.data(v) for k, v in items.items()}
        if isinstance(value, list | tuple):
            sequence: list[Any] = list(value)  # pyright: ignore[reportUnknownArgumentType]
            return [self.data(v) for v in sequence]
        return value


class _LogRedaction(logging.Filter):
    """Masks every live proxy's credentials in a record before a handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(_LIVE)
        if not redactors:
            return True
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        for redactor in redactors:
            message = redactor.text(message)
        record.msg, record.args = message, None
        return True


_FILTER = _LogRedaction()


def redact_logs() -> None:
    """Guard the loggers that may quote a child's output (the SDK's and the HTTP client's).

    A logger's filters see only the records logged on it, so each existing SDK logger gets one.
    """
    names = [n for n in list(logging.root.manager.loggerDict) if n.startswith(_GUARDED_PREFIXES)]
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
