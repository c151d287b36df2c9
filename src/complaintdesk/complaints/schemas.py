"""Typed shapes of what intake accepts, shared by the JSON API, the web forms and channel intake.

Pydantic models (pydantic comes with django-ninja) so that a malformed, hostile or oversized value
is refused field by field before anything is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from complaintdesk.complaints.domain.identity import (
    InvalidIdentity,
    normalize_email,
    normalize_phone,
)
from complaintdesk.core.clock import supported_year
from complaintdesk.core.text import clean_text

Short = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
Medium = Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)]
Long = Annotated[str, StringConstraints(max_length=20000, strip_whitespace=True)]


def _sane_year(value: datetime) -> datetime:
    if not supported_year(value):
        raise ValueError("out_of_range")
    return value


When = Annotated[datetime, AfterValidator(_sane_year)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        if isinstance(value, str):
            return clean_text(value)
        return value


class CustomerIn(_Strict):
    name: Short = ""
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    phones: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=10
    )
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    emails: list[Annotated[str, StringConstraints(max_length=254)]] = Field(
        default_factory=list, max_length=10
    )
    facebook_id: Annotated[str, StringConstraints(max_length=100)] = ""
    zalo_id: Annotated[str, StringConstraints(max_length=100)] = ""
    account_id: Annotated[str, StringConstraints(max_length=100)] = ""
    account_ids: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=10
    )
    address: Medium = ""
    language: Annotated[str, StringConstraints(pattern=r"^(vi|en)$")] = "vi"
    vulnerable: bool = False

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not value:
            return value
        try:
            return normalize_phone(value)
        except InvalidIdentity:
            raise ValueError("invalid_phone") from None

    @field_validator("phones")
    @classmethod
    def _phones(cls, values: list[str]) -> list[str]:
        try:
            return [normalize_phone(v) for v in values if v]
        except InvalidIdentity:
            raise ValueError("invalid_phone") from None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not value:
            return value
        try:
            return normalize_email(value)
        except InvalidIdentity:
            raise ValueError("invalid_email") from None

    @field_validator("emails")
    @classmethod
    def _emails(cls, values: list[str]) -> list[str]:
        try:
            return [normalize_email(v) for v in values if v]
        except InvalidIdentity:
            raise ValueError("invalid_email") from None

    def all_phones(self) -> list[str]:
        return list(dict.fromkeys([p for p in [self.phone, *self.phones] if p]))

    def all_emails(self) -> list[str]:
        return list(dict.fromkeys([e for e in [self.email, *self.emails] if e]))

    def all_accounts(self) -> list[str]:
        return list(dict.fromkeys([a for a in [self.account_id, *self.account_ids] if a]))


class AccountBlock(_Strict):
    account_name: Short = ""
    registered_phone: Annotated[str, StringConstraints(max_length=40)] = ""
    registered_email: Annotated[str, StringConstraints(max_length=254)] = ""
    facebook_account: Short = ""
    note: Medium = ""


class ContentBlock(_Strict):
    title: Short = ""  # film / programme
    episode: Annotated[str, StringConstraints(max_length=50)] = ""
    device: Short = ""
    occurred_at: When | None = None
    fault_description: Long = ""


class PaymentBlock(_Strict):
    paid_at: When | None = None
    package: Short = ""
    method: Short = ""
    amount_vnd: int | None = Field(default=None, ge=0, le=10_000_000_000)
    transaction_ref: Short = ""


class ComplaintIn(_Strict):
    channel: str
    kind: str = "complaint"
    received_at: When | None = None
    customer: CustomerIn
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    description: Annotated[str, StringConstraints(max_length=20000)] = ""
    category: Annotated[str, StringConstraints(max_length=60)] = ""
    priority: str = "normal"
    vulnerable: bool = False
    language: Annotated[str, StringConstraints(pattern=r"^(vi|en)$")] = "vi"
    account: AccountBlock = Field(default_factory=AccountBlock)
    content: ContentBlock = Field(default_factory=ContentBlock)
    payment: PaymentBlock = Field(default_factory=PaymentBlock)
    procedure: Annotated[str, StringConstraints(max_length=60)] = ""
    department: Annotated[str, StringConstraints(max_length=40)] = ""
    assignee: Annotated[str, StringConstraints(max_length=150)] = ""
