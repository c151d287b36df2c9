"""Which complaints a force majeure event covers, in pure Python.

Scopes: everything; a region, matched on the customer's address accent- and case-insensitively
and on whole words ("Bình Định" matches "TP. Quy Nhơn, tỉnh Binh Dinh"; "Hà Nam" does not match
"Hà Nội" nor "Hà Namh"); a service (a category and everything under it); a channel; a category
(that category only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from complaintdesk.core.text import fold

_WORD = re.compile(r"[0-9a-z]+")


class ScopeKind(StrEnum):
    ALL = "all"
    REGION = "region"
    SERVICE = "service"
    CHANNEL = "channel"
    CATEGORY = "category"


@dataclass(frozen=True)
class Target:
    """What scope matching needs to know about one complaint."""

    channel: str
    address: str
    category_path: tuple[str, ...] = ()  # category codes from the complaint's own up to the root


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def region_matches(address: str, region: str) -> bool:
    """True when the region's words appear, in order and adjacent, among the address's words."""
    needle = words(region)
    hay = words(address)
    if not needle:
        return False
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def in_scope(kind: str, value: str, target: Target) -> bool:
    scope = ScopeKind(kind)
    if scope is ScopeKind.ALL:
        return True
    if scope is ScopeKind.REGION:
        return region_matches(target.address, value)
    if scope is ScopeKind.CHANNEL:
        return target.channel == value
    if scope is ScopeKind.CATEGORY:
        return bool(target.category_path) and target.category_path[0] == value
    return value in target.category_path  # SERVICE: the category or any ancestor


def overlaps(starts_at: datetime, ends_at: datetime | None, moment: datetime) -> bool:
    """Whether a clock counting from ``moment`` is touched by the event's window."""
    return ends_at is None or ends_at > moment
