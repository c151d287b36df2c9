"""What the JSON API accepts besides intake (``complaints.schemas.ComplaintIn``) and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from complaintdesk.complaints.schemas import When
from complaintdesk.core.text import clean_text

Text = Annotated[str, StringConstraints(max_length=20000)]
Code = Annotated[str, StringConstraints(max_length=60)]
Username = Annotated[str, StringConstraints(max_length=150)]
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str) and len(value) <= 20000:
        return clean_text(value)
    raise ValueError("invalid_input_value")


InputValue = Annotated[
    Any,
    BeforeValidator(_scalar),
    WithJsonSchema({"type": ["string", "integer", "boolean", "null"]}),
]


class _In(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ActionIn(_In):
    inputs: dict[Annotated[str, StringConstraints(max_length=60)], InputValue] = Field(
        default_factory=dict, max_length=30
    )
    version: Version | None = None


class ComplaintPatch(_In):
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    description: Text | None = None
    category: Code | None = None  # "" clears it
    priority: Annotated[str, StringConstraints(max_length=10)] | None = None
    vulnerable: bool | None = None
    department: Code | None = None  # "" clears it
    assignee: Username | None = None  # "" clears it
    version: Version | None = None


class NoteIn(_In):
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]


class MessageIn(_In):
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    channel: Annotated[str, StringConstraints(max_length=16)] = ""


class TaskIn(_In):
    department: Code
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    instructions: Text = ""
    assignee: Username = ""
    due_at: When | None = None


class TaskPatch(_In):
    status: Annotated[str, StringConstraints(max_length=16)] | None = None
    result: Text | None = None
    assignee: Username | None = None  # "" clears it
    version: Version | None = None


class ListParams(Schema):
    status: Annotated[str, StringConstraints(max_length=20)] = ""
    channel: Annotated[str, StringConstraints(max_length=16)] = ""
    kind: Annotated[str, StringConstraints(max_length=16)] = ""
    department: Code = ""
    assignee: Username = ""
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    # A search: ranked by relevance instead (api/routers/search.py).
    q: Annotated[str, StringConstraints(max_length=200)] = ""
    category: Code = ""
    received_from: When | None = None
    received_to: When | None = None
    order: Annotated[str, StringConstraints(pattern=r"^(received|deadline)$")] = "received"
    cursor: Annotated[str, StringConstraints(max_length=300)] = ""
    limit: Annotated[int, Field(ge=1, le=100)] = 25


# --- answers ----------------------------------------------------------------------------------


class _Out(BaseModel):
    """Answers are built as dicts by ``api.serializers``: plain pydantic models validate them
    (ninja's Schema would wrap every item in an attribute getter, a third of a list's time)."""

    model_config = ConfigDict(extra="ignore")


class ErrorItem(_Out):
    field: str
    code: str
    message: str


class ErrorOut(_Out):
    detail: str
    code: str
    errors: list[ErrorItem]


class CustomerOut(_Out):
    id: int
    name: str
    phones: list[str]
    emails: list[str]
    account_ids: list[str]
    facebook_id: str | None
    zalo_id: str | None
    address: str
    language: str
    vulnerable: bool


class ClockOut(_Out):
    """A deadline clock (filled by the SLA app): running, paused, met, breached, stopped…"""

    name: str
    label: str = ""
    state: str
    due_at: datetime | None = None
    due_display: str = ""
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    breached_at: datetime | None = None
    explanation: str = ""


class ComplaintOut(_Out):
    code: str
    kind: str
    channel: str
    status: str
    status_label: str
    received_at: datetime
    recorded_at: datetime
    subject: str
    description: str
    category: str | None
    priority: str
    vulnerable: bool
    language: str
    department: str | None
    assignee: str | None
    procedure: str
    next_due_at: datetime | None
    version: int
    customer: CustomerOut
    account: dict[str, Any]
    content: dict[str, Any]
    payment: dict[str, Any]
    clocks: list[ClockOut]


class ComplaintListItem(_Out):
    code: str
    kind: str
    channel: str
    status: str
    status_label: str
    received_at: datetime
    subject: str
    priority: str
    vulnerable: bool
    category: str | None
    department: str | None
    assignee: str | None
    customer_name: str
    next_due_at: datetime | None
    version: int
    match: dict[str, Any] | None = None  # with ?q=: score and highlighted subject, name, snippet


class ComplaintPage(_Out):
    items: list[ComplaintListItem]
    next_cursor: str | None


class TaskOut(_Out):
    id: int
    department: str
    title: str
    instructions: str
    assignee: str | None
    status: str
    result: str
    due_at: datetime | None
    created_by: str | None
    created_at: datetime
    completed_at: datetime | None
    version: int


class MessageOut(_Out):
    id: int
    direction: str
    visibility: str
    channel: str
    body: str
    author: str | None
    created_at: datetime


class AttachmentOut(_Out):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    visibility: str
    uploaded_by: str | None
    created_at: datetime
    url: str


class ActionInputOut(_Out):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str]


class ActionOut(_Out):
    action: str
    label: str
    target: str
    inputs: list[ActionInputOut]


class TimelineEntryOut(_Out):
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    public: bool
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class ComplaintDetail(ComplaintOut):
    classification: str
    verification: dict[str, Any]
    resolution: str
    satisfaction: str
    escalation_level: int
    acknowledged_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    negotiation_requested_at: datetime | None
    tasks: list[TaskOut]
    notes: list[MessageOut]
    messages: list[MessageOut]
    attachments: list[AttachmentOut]
    actions: list[ActionOut]
    timeline: list[TimelineEntryOut]
