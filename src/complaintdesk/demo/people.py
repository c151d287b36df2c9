"""Made-up but realistic Vietnamese customers and complaint texts, from a seeded random source.

No Django: the same person comes out for the same (seed, index), so a customer who complains
twice is recognised by the intake service through the same phone number.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from complaintdesk.core.text import strip_accents
from complaintdesk.demo import vocabulary as v


@dataclass(frozen=True)
class Person:
    name: str
    given: str
    phone: str  # national format, as a caller says it: 0912345678
    email: str
    address: str
    female: bool

    @property
    def salutation(self) -> str:
        return "chị" if self.female else "anh"


def _ascii(text: str) -> str:
    return strip_accents(text).lower()


def stable_number(text: str, digits: int) -> str:
    """A number of ``digits`` digits derived from ``text`` (same text, same number, every run)."""
    return f"{int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10**digits:0{digits}d}"


def weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def person(seed: int | str, index: int) -> Person:
    rng = random.Random(f"person:{seed}:{index}")
    female = rng.random() < 0.5
    family = weighted(rng, v.FAMILY_NAMES)
    middle = rng.choice(v.FEMALE_MIDDLE if female else v.MALE_MIDDLE)
    given = rng.choice(v.FEMALE_GIVEN if female else v.MALE_GIVEN)
    # Seven digits after the prefix: a multiple of a prime keeps the phones of one seed distinct.
    offset = random.Random(f"phones:{seed}").randrange(10_000_000)
    phone = f"{rng.choice(v.MOBILE_PREFIXES)}{(offset + index * 104_729) % 10_000_000:07d}"
    email = ""
    if rng.random() < 0.45:
        email = (
            f"{_ascii(given)}.{_ascii(family)}{rng.randint(80, 2005)}@{rng.choice(v.EMAIL_DOMAINS)}"
        )
    street_no = rng.randint(1, 350)
    ward, district, province = rng.choice(v.PLACES)
    address = f"{street_no} {rng.choice(v.STREETS)}, {ward}, {district}, {province}"
    return Person(f"{family} {middle} {given}", given, phone, email, address, female)


def _blocks(rng: random.Random, scenario: v.Scenario, who: Person, at: datetime) -> dict[str, Any]:
    """The intake record's account / content / payment block for this scenario."""
    if scenario.block == "account":
        return {
            "account": {
                "account_name": who.email or who.phone,
                "registered_phone": who.phone,
                "registered_email": who.email,
                "facebook_account": who.name if rng.random() < 0.3 else "",
            }
        }
    if scenario.block == "content":
        title = rng.choice(v.TITLES)
        episode = str(rng.randint(1, 24)) if rng.random() < 0.6 else ""
        return {
            "content": {
                "title": title,
                "episode": episode,
                "device": rng.choice(v.DEVICES),
                "occurred_at": (at - timedelta(hours=rng.randint(1, 30))).isoformat(),
                "fault_description": scenario.description,
            }
        }
    if scenario.block == "payment":
        package, price = rng.choice(v.PACKAGES)
        return {
            "payment": {
                "paid_at": (
                    at - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 12))
                ).isoformat(),
                "package": package,
                "method": rng.choice(v.PAY_METHODS),
                "amount_vnd": price * (2 if "hai lần" in scenario.subject else 1),
                "transaction_ref": f"GD{rng.randint(10**9, 10**10 - 1)}",
            }
        }
    return {}


def complaint_payload(
    rng: random.Random, *, who: Person, scenario: v.Scenario, channel: str, received_at: datetime
) -> dict[str, Any]:
    """What a receiver would type into the intake form (the shape of ``ComplaintIn``)."""
    customer: dict[str, Any] = {"name": who.name, "phone": who.phone}
    if who.email and (channel == "email" or rng.random() < 0.5):
        customer["email"] = who.email
    if channel == "facebook":
        customer["facebook_id"] = stable_number(f"fb:{who.phone}", 16)
    if channel == "zalo":
        customer["zalo_id"] = stable_number(f"zalo:{who.phone}", 18)
    if channel in ("counter", "letter") or rng.random() < 0.25:
        customer["address"] = who.address
    vulnerable = rng.random() < 0.04
    customer["vulnerable"] = vulnerable
    greeting = rng.choice(("", "Chào tổng đài, ", "Xin chào, ", "Em chào anh/chị, "))
    description = greeting + scenario.description
    if channel in ("hotline", "counter"):
        description = f"Khách {who.salutation} {who.given} phản ánh: {scenario.description}"
    priority = weighted(rng, {"normal": 80, "high": 12, "low": 5, "urgent": 3})
    return {
        "channel": channel,
        "kind": scenario.kind,
        "received_at": received_at.isoformat(),
        "customer": customer,
        "subject": scenario.subject,
        "description": description,
        "category": scenario.category,
        "priority": priority,
        "vulnerable": vulnerable,
        **_blocks(rng, scenario, who, received_at),
    }
