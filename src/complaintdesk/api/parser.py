"""A JSON body parser that refuses what the standard one lets through to the database.

Refused (ninja answers 400, and ``errors`` turns it into ``invalid_json``): invalid UTF-8,
invalid JSON, NaN/Infinity (PostgreSQL's jsonb refuses them), numbers too large for a float,
nesting deeper than ``MAX_DEPTH``. NUL characters, which PostgreSQL text columns cannot hold,
are removed from every string (and marked in keys) of bodies, query strings and forms, as
``core.text.clean_text`` does for form input.
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser
from ninja.types import DictStrAny

MAX_DEPTH = 20


class BodyRefused(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyRefused("number out of range")
    return value


def _constant(text: str) -> Any:
    raise BodyRefused(f"{text} is not JSON")


def _clean(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise BodyRefused("nested too deeply")
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_clean(item, depth + 1) for item in value]
    if isinstance(value, dict):
        # A key with NUL is never a field name: mark it (U+FFFD) so it is refused as unknown.
        return {k.replace("\x00", "\ufffd"): _clean(v, depth + 1) for k, v in value.items()}
    return value


def parse_json(raw: bytes) -> Any:
    text = raw.decode("utf-8")  # UnicodeDecodeError: invalid UTF-8
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_constant)
    except RecursionError:  # the C decoder's own guard against absurd nesting
        raise BodyRefused("nested too deeply") from None
    return _clean(data)


class SafeParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        return cast(DictStrAny, parse_json(request.body))

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        """Query strings and form fields: NUL removed too (``?department=%00`` is just empty)."""
        parsed = super().parse_querydict(data, list_fields, request)
        return {key.replace("\x00", "\ufffd"): _clean(value) for key, value in parsed.items()}
