"""A credential is masked in each form a child may print it in, and nothing else is."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest

from openenv_mcp_mcp_proxy.redact import MASK, MIN_SECRET_LENGTH, Redactor

TRICKY = 'pa"ss\\wörd/+ k&y<\tend\nline-two=='
"""A quote, a backslash, non-ASCII, URL- and HTML-special characters, a tab and a line break."""
BODY = [
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1+fWIcPm15j9zB/hw2",
]
PEM = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(BODY) + "\n-----END PRIVATE KEY-----\n"

ENCODINGS: dict[str, Callable[[str], str]] = {
    "json": lambda v: json.dumps(v)[1:-1],
    "json, non-ASCII kept": lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
    "Go encoding/json": lambda v: (
        json.dumps(v, ensure_ascii=False)[1:-1].replace("&", "\\u0026").replace("<", "\\u003c")
    ),
    "json escaped twice": lambda v: json.dumps(json.dumps(v)[1:-1])[1:-1],
    "json, solidus escaped": lambda v: json.dumps(v)[1:-1].replace("/", "\\/"),
    "quote": quote,
    "quote, nothing safe": lambda v: quote(v, safe=""),
    "quote_plus": quote_plus,
    "quote_plus, / safe": lambda v: quote_plus(v, safe="/"),
    "encodeURIComponent": lambda v: quote(v, safe="!'()*"),
    "lower-case percent escapes": lambda v: re.sub("%[0-9A-F]{2}", lambda m: m[0].lower(), quote(v, safe="")),
    "base64": lambda v: base64.b64encode(v.encode()).decode(),
    "base64, unpadded": lambda v: base64.b64encode(v.encode()).decode().rstrip("="),
    "base64url": lambda v: base64.urlsafe_b64encode(v.encode()).decode(),
    "base64url, unpadded": lambda v: base64.urlsafe_b64encode(v.encode()).decode().rstrip("="),
    "hex": lambda v: v.encode().hex(),
    "HEX": lambda v: v.encode().hex().upper(),
}


@pytest.mark.parametrize("secret", [TRICKY, PEM, "sk-live-5f0c9e1d2b"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_each_form_of_a_secret_is_masked(encoding: str, secret: str) -> None:
    said = ENCODINGS[encoding](secret)
    assert Redactor([secret]).text(f"before <{said}> after") == f"before <{MASK}> after"


@pytest.mark.parametrize("alphabet", ["standard", "url-safe"])
@pytest.mark.parametrize("before", range(6))
@pytest.mark.parametrize("secret", [TRICKY, "sk-live-5f0c9e1d2b", "abcd"])
def test_base64_of_a_secret_inside_a_longer_text_is_masked_at_any_offset(
    secret: str, before: int, alphabet: str
) -> None:
    encode = base64.b64encode if alphabet == "standard" else base64.urlsafe_b64encode
    head, raw = b"x" * before, secret.encode()
    said = encode(head + raw + b" and the rest").decode()
    masked = Redactor([secret]).text(said)
    shown_head, shown_tail = masked.split(MASK)
    # What is left shows at most the characters that carry bits of the text around the secret.
    assert said.startswith(shown_head) and said.endswith(shown_tail)
    assert len(shown_head) <= math.ceil(8 * len(head) / 6)
    assert len(said) - len(shown_tail) >= 8 * (len(head) + len(raw)) // 6


def test_each_line_of_a_multi_line_secret_is_masked_alone() -> None:
    redactor = Redactor([PEM])
    assert redactor.text(f"line: {BODY[1]}") == f"line: {MASK}"
    assert redactor.text(json.dumps({"k": BODY[0]})) == json.dumps({"k": MASK})
    assert redactor.text(quote(BODY[1], safe="")) == MASK
    assert redactor.text(base64.b64encode(BODY[0].encode()).decode()) == MASK


def test_a_pem_key_inside_a_one_line_json_credentials_file_is_masked_by_line() -> None:
    credentials = json.dumps({"type": "service_account", "private_key": PEM})
    assert "\n" not in credentials
    redactor = Redactor([credentials])
    assert redactor.text(credentials) == MASK
    masked = redactor.text(PEM)
    assert masked.count(MASK) == 3 and not any(line in masked for line in BODY)


def test_short_lines_and_short_secrets_are_left_alone() -> None:
    assert Redactor(["ab\ncd"]).text("ab cd ab\ncd") == f"ab cd {MASK}"
    assert Redactor(["x" * (MIN_SECRET_LENGTH - 1)]).text("xxx") == "xxx"
    assert Redactor([]).data({"a": ["b"]}) == {"a": ["b"]}


def test_the_longest_form_wins_where_forms_overlap() -> None:
    redactor = Redactor(["abcd", "abcdefgh"])
    assert redactor.text("abcdefgh abcdxyz") == f"{MASK} {MASK}xyz"


def test_text_around_a_secret_is_kept() -> None:
    redactor = Redactor(["hunter2", TRICKY])
    said = "plain words, hunter, hunter3 and a/b+c stay as they are"
    assert redactor.text(said) == said
    assert redactor.data({"hunter2": [TRICKY, 1, None]}) == {MASK: [MASK, 1, None]}


def test_a_custom_mask() -> None:
    assert Redactor(["hunter2"]).text("get_hunter2", mask="redacted") == "get_redacted"
