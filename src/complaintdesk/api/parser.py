"""A JSON body parser that refuses what the standard one lets through to the database.

Refused (ninja answers 400, and ``errors`` turns it into ``invalid_json``): whatever
``core.jsonbody.loads`` refuses — invalid UTF-8, invalid JSON, NaN/Infinity, numbers too large
for a float, nesting too deep. NUL characters, which PostgreSQL text columns
cannot hold, are removed from every string (and marked in keys) of bodies, query strings and
forms, and lone surrogates, which no encoder accepts, become U+FFFD.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser
from ninja.types import DictStrAny

from complaintdesk.core.jsonbody import clean, loads


class SafeParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        return cast(DictStrAny, loads(request.body))

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        """Query strings and form fields: NUL removed too (``?department=%00`` is just empty)."""
        parsed = super().parse_querydict(data, list_fields, request)
        return cast(DictStrAny, clean(parsed))
