"""JSON from outside — API bodies, chat widgets, provider webhooks and provider answers — read so
that nothing in it can fail later, in the database or in a hash, as a 500.

``loads`` raises ``JsonRefused`` (a ``ValueError``) for invalid UTF-8, invalid JSON, NaN/Infinity
(PostgreSQL's jsonb refuses them), numbers too large for a float and nesting deeper than
``MAX_DEPTH`` (Python's own decoder raises ``RecursionError`` for absurd nesting, which is not a
``ValueError``). In every string, NUL (which PostgreSQL text columns cannot hold) is removed and a
lone surrogate (``"\\ud800"`` is valid JSON, but not UTF-8: it fails when encoded) becomes U+FFFD;
keys with either are marked with U+FFFD, so they are refused as unknown fields.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 20
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonRefused(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused("number out of range")
    return value


def _constant(text: str) -> Any:
    raise JsonRefused(f"{text} is not JSON")


def clean_string(text: str) -> str:
    """NUL removed, lone surrogates replaced: a string every database and encoder accepts."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text)


def _key(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text.replace("\x00", "\ufffd"))


def clean(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise JsonRefused("nested too deeply")
    if isinstance(value, str):
        return clean_string(value)
    if isinstance(value, list):
        return [clean(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_key(k): clean(v, depth + 1) for k, v in value.items()}
    return value


def loads(raw: bytes | str) -> Any:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text, parse_float=_finite, parse_constant=_constant)
    except JsonRefused:
        raise
    except RecursionError:  # the decoder's own guard against absurd nesting
        raise JsonRefused("nested too deeply") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise JsonRefused(f"not JSON: {type(exc).__name__}") from None
    return clean(data)
