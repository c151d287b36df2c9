"""The complaint lifecycle as one explicit transition table.

Pure Python, no Django: the table below is the single source of truth for which action may
be taken in which state, by which role, with which inputs, and where it leads.  Services call
:func:`plan` before changing a complaint; interfaces call :func:`available_actions` to show
buttons and read :attr:`Transition.inputs` to build forms; ``docs/lifecycle.md`` is generated
from the table by :func:`render_markdown` (``scripts/render_lifecycle.py``).

Reading the table
-----------------
* A :class:`Transition` row says: in any of ``sources``, an actor with one of ``roles`` may
  take ``action``, supplying ``inputs``; the complaint then moves to ``target``
  (``None`` = it stays in the state it was in).
* One action may have several rows when it leads to different places from different states
  (``ACKNOWLEDGE`` moves ``received`` → ``acknowledged`` but is a self-loop in the working
  states, where a late acknowledgement is only recorded).  Rows of one action never share a
  source state and share everything else (labels, roles, inputs, customer notice), so a
  (state, action) pair has at most one row.
* Both source procedures run on this table: the streaming service's (receive → acknowledge
  within 3 working days → verify → answer now / answer later → coordinate → notify result)
  and the cable operator's (answer at receipt or within 24 h, in-person support by customer
  care, escalation to department heads and leadership when the customer stays unsatisfied).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal, TypeVar, get_args

__all__ = [
    "ACTION_LABELS",
    "CHOICE_LABELS",
    "CLOSED_STATES",
    "CUSTOMER_NOTICES",
    "ESCALATION_LEVELS",
    "OPEN_STATES",
    "REFUSAL_CODES",
    "ROLE_LABELS",
    "STATE_LABELS",
    "TRANSITIONS",
    "Action",
    "Input",
    "InputKind",
    "RefusalCode",
    "Role",
    "State",
    "Transition",
    "TransitionRefused",
    "available_actions",
    "input_errors",
    "missing_inputs",
    "plan",
    "render_markdown",
    "to_mermaid",
    "transition_for",
    "transitions_for",
]


# --------------------------------------------------------------------------- vocabulary


class State(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    VERIFYING = "verifying"
    ANSWER_LATER = "answer_later"
    COORDINATING = "coordinating"
    RESOLVED = "resolved"
    RESULT_NOTIFIED = "result_notified"
    UNSATISFIED = "unsatisfied"
    ESCALATED = "escalated"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


CLOSED_STATES: Final[frozenset[State]] = frozenset({State.CLOSED, State.WITHDRAWN})
"""States a complaint leaves only by ``REOPEN``."""

OPEN_STATES: Final[frozenset[State]] = frozenset(State) - CLOSED_STATES
"""Every state except ``closed`` and ``withdrawn``."""


class Role(StrEnum):
    RECEIVER = "receiver"
    STAFF = "staff"
    HEAD = "head"
    LEADERSHIP = "leadership"
    ADMIN = "admin"
    SYSTEM = "system"
    CUSTOMER = "customer"


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START_VERIFICATION = "start_verification"
    RECORD_VERIFICATION = "record_verification"
    ANSWER_NOW = "answer_now"
    ANSWER_LATER = "answer_later"
    COORDINATE = "coordinate"
    RESOLVE = "resolve"
    NOTIFY_RESULT = "notify_result"
    CONFIRM_SATISFIED = "confirm_satisfied"
    MARK_UNSATISFIED = "mark_unsatisfied"
    CLOSE_NO_ANSWER = "close_no_answer"
    ESCALATE = "escalate"
    REHANDLE = "rehandle"
    REQUEST_NEGOTIATION = "request_negotiation"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


STATE_LABELS: Final[Mapping[State, tuple[str, str]]] = MappingProxyType(
    {
        State.RECEIVED: ("Mới tiếp nhận", "Received"),
        State.ACKNOWLEDGED: ("Đã báo tiếp nhận", "Acknowledged"),
        State.VERIFYING: ("Đang kiểm tra, xác minh", "Verifying"),
        State.ANSWER_LATER: ("Chờ trả lời sau", "Answer later"),
        State.COORDINATING: ("Đang phối hợp xử lý", "Coordinating"),
        State.RESOLVED: ("Đã giải quyết", "Resolved"),
        State.RESULT_NOTIFIED: ("Đã thông báo kết quả", "Result notified"),
        State.UNSATISFIED: ("Khách hàng chưa hài lòng", "Unsatisfied"),
        State.ESCALATED: ("Đã chuyển lãnh đạo", "Escalated"),
        State.CLOSED: ("Đã đóng", "Closed"),
        State.WITHDRAWN: ("Khách hàng đã rút", "Withdrawn"),
    }
)
"""(Vietnamese, English) label of every state."""

ROLE_LABELS: Final[Mapping[Role, tuple[str, str]]] = MappingProxyType(
    {
        Role.RECEIVER: ("Người tiếp nhận", "Receiver"),
        Role.STAFF: ("Nhân viên phòng ban", "Department staff"),
        Role.HEAD: ("Lãnh đạo phòng ban", "Department head"),
        Role.LEADERSHIP: ("Lãnh đạo công ty", "Company leadership"),
        Role.ADMIN: ("Quản trị viên", "Administrator"),
        Role.SYSTEM: ("Hệ thống", "System"),
        Role.CUSTOMER: ("Khách hàng", "Customer"),
    }
)
"""(Vietnamese, English) label of every role."""

CUSTOMER_NOTICES: Final[tuple[str, ...]] = (
    "acknowledgement",
    "more_time",
    "result",
    "escalation",
    "survey",
)
"""Names a :attr:`Transition.customer_notice` may take (``survey`` is reserved)."""

InputKind = Literal["text", "choice", "bool"]
_INPUT_KINDS: Final[frozenset[str]] = frozenset(get_args(InputKind))


@dataclass(frozen=True)
class Input:
    """One value an actor supplies with an action (a form field in the UI)."""

    name: str
    label_vi: str
    label_en: str
    kind: InputKind = "text"
    choices: tuple[str, ...] = ()
    required: bool = True

    def __post_init__(self) -> None:
        if self.kind not in _INPUT_KINDS:
            raise ValueError(f"unknown input kind {self.kind!r}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"input {self.name!r}: choices go with kind 'choice' only")

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang.startswith("en") else self.label_vi


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``action`` in ``sources`` by ``roles`` leads to ``target``."""

    action: Action
    sources: frozenset[State]
    target: State | None  # None = the complaint stays in the state it was in
    roles: frozenset[Role]
    inputs: tuple[Input, ...]
    label_vi: str
    label_en: str
    customer_notice: str | None = None  # the notice the procedure may send the customer

    def __post_init__(self) -> None:
        if not self.sources or not self.roles:
            raise ValueError(f"{self.action}: sources and roles must not be empty")
        names = [field.name for field in self.inputs]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.action}: input names must be unique")
        if self.customer_notice is not None and self.customer_notice not in CUSTOMER_NOTICES:
            raise ValueError(f"{self.action}: unknown notice {self.customer_notice!r}")

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang.startswith("en") else self.label_vi

    def target_from(self, state: State) -> State:
        """The state a complaint in ``state`` ends up in (``state`` itself for a self-loop)."""
        return state if self.target is None else self.target

    def is_loop_from(self, state: State) -> bool:
        return self.target_from(state) == state

    @property
    def required_inputs(self) -> tuple[Input, ...]:
        return tuple(field for field in self.inputs if field.required)

    def input(self, name: str) -> Input:
        for field in self.inputs:
            if field.name == name:
                return field
        raise KeyError(name)


# --------------------------------------------------------------------------- the table

_S = State
_R = Role

# Who may do what.  Receivers, heads and administrators do all the working steps (and record
# the customer's answers on their behalf); department staff work through tasks and record
# findings and resolutions; leadership steps in once a complaint is escalated; the system
# acknowledges automatically, closes after the customer stayed silent and escalates when the
# customer is still unsatisfied after the procedure's time (48 h in the cable procedure);
# the customer acts from the tracking page.
_DESK: Final = frozenset({_R.RECEIVER, _R.HEAD, _R.ADMIN})
_DESK_AND_CUSTOMER: Final = _DESK | {_R.CUSTOMER}

_WORKING_STATES: Final = frozenset({_S.VERIFYING, _S.ANSWER_LATER, _S.COORDINATING})
_BEING_HANDLED: Final = frozenset({_S.ANSWER_LATER, _S.COORDINATING, _S.UNSATISFIED, _S.ESCALATED})


def _text(name: str, vi: str, en: str, *, required: bool = True) -> Input:
    return Input(name=name, label_vi=vi, label_en=en, required=required)


_NOTE: Final = _text("note", "Ghi chú", "Note", required=False)
_CHANNEL: Final = _text("channel", "Kênh liên hệ", "Channel", required=False)

ESCALATION_LEVELS: Final[tuple[str, ...]] = ("heads", "leadership")

CHOICE_LABELS: Final[Mapping[str, Mapping[str, tuple[str, str]]]] = MappingProxyType(
    {
        "level": MappingProxyType(
            {
                "heads": ("Lãnh đạo các phòng ban", "Department heads"),
                "leadership": ("Ban Giám đốc", "Company leadership"),
            }
        ),
    }
)
"""Input name → choice value → (Vietnamese, English) label."""


def _rows(
    action: Action,
    *,
    moves: Iterable[tuple[Iterable[State], State | None]],
    roles: frozenset[Role],
    label: tuple[str, str],
    inputs: tuple[Input, ...] = (),
    notice: str | None = None,
) -> tuple[Transition, ...]:
    """All rows of one action: one per (sources → target) pair, everything else shared."""
    return tuple(
        Transition(
            action=action,
            sources=frozenset(sources),
            target=target,
            roles=roles,
            inputs=inputs,
            label_vi=label[0],
            label_en=label[1],
            customer_notice=notice,
        )
        for sources, target in moves
    )


TRANSITIONS: Final[tuple[Transition, ...]] = (
    # Streaming procedure step 2: tell the customer within 3 working days that the complaint
    # was received.  Verification may start first (the clock allows it), so a late
    # acknowledgement is still recordable in the working states, without moving the record.
    *_rows(
        Action.ACKNOWLEDGE,
        moves=[({_S.RECEIVED}, _S.ACKNOWLEDGED), (_WORKING_STATES, None)],
        roles=_DESK | {_R.SYSTEM},
        label=("Xác nhận đã tiếp nhận", "Acknowledge"),
        inputs=(_NOTE,),
        notice="acknowledgement",
    ),
    # Step 3: the receiver creates the record and checks account, content and payment.
    *_rows(
        Action.START_VERIFICATION,
        moves=[({_S.RECEIVED, _S.ACKNOWLEDGED}, _S.VERIFYING)],
        roles=_DESK,
        label=("Bắt đầu kiểm tra, xác minh", "Start verification"),
        inputs=(_NOTE,),
    ),
    # Findings may keep coming while departments work on the complaint.
    *_rows(
        Action.RECORD_VERIFICATION,
        moves=[(_WORKING_STATES, None)],
        roles=_DESK | {_R.STAFF},
        label=("Ghi nhận kết quả kiểm tra", "Record verification"),
        inputs=(
            _text(
                "checked",
                "Thông tin đã kiểm tra (tài khoản, nội dung, thanh toán)",
                "Information checked (account, content, payment)",
                required=False,
            ),
            Input(
                name="genuine",
                label_vi="Thông tin khiếu nại xác thực",
                label_en="Complaint information is genuine",
                kind="bool",
                required=False,
            ),
            _text("scope", "Phạm vi khiếu nại", "Scope of the complaint"),
            _text("cause_analysis", "Phân tích nguyên nhân", "Cause analysis"),
        ),
    ),
    # Step 4a: explain and guide at once (also while the customer is still on the line, the
    # cable procedure's "solved at the moment of receipt").
    *_rows(
        Action.ANSWER_NOW,
        moves=[({_S.RECEIVED, _S.ACKNOWLEDGED, _S.VERIFYING}, _S.RESULT_NOTIFIED)],
        roles=_DESK,
        label=("Trả lời ngay", "Answer now"),
        inputs=(
            _text("explanation", "Nội dung giải thích, hướng dẫn", "Explanation and guidance"),
            _CHANNEL,
        ),
        notice="result",
    ),
    # Step 4b: tell the customer more time is needed (cable: within 24 h of receipt).
    *_rows(
        Action.ANSWER_LATER,
        moves=[({_S.VERIFYING}, _S.ANSWER_LATER)],
        roles=_DESK,
        label=("Trả lời sau", "Answer later"),
        inputs=(
            _text("reason", "Lý do cần thêm thời gian", "Why more time is needed"),
            _text("expected_by", "Dự kiến có kết quả", "Expected by", required=False),
        ),
        notice="more_time",
    ),
    # Coordinate with the departments involved; again after an unsatisfied answer (customer
    # care supports in person) or on the escalation's instructions.
    *_rows(
        Action.COORDINATE,
        moves=[(_BEING_HANDLED, _S.COORDINATING)],
        roles=_DESK,
        label=("Phối hợp xử lý", "Coordinate"),
        inputs=(
            _text("department", "Bộ phận phối hợp", "Department"),
            _text("instructions", "Nội dung cần phối hợp", "Instructions"),
        ),
    ),
    *_rows(
        Action.RESOLVE,
        moves=[(_BEING_HANDLED, _S.RESOLVED)],
        roles=_DESK | {_R.STAFF, _R.LEADERSHIP},
        label=("Hoàn tất giải quyết", "Resolve"),
        inputs=(_text("resolution", "Kết quả giải quyết", "Resolution"),),
    ),
    # Step 5: the receiver tells the customer the result and stores it on the record.
    *_rows(
        Action.NOTIFY_RESULT,
        moves=[({_S.RESOLVED}, _S.RESULT_NOTIFIED)],
        roles=_DESK,
        label=("Thông báo kết quả", "Notify result"),
        inputs=(_CHANNEL, _text("message", "Nội dung thông báo", "Message")),
        notice="result",
    ),
    *_rows(
        Action.CONFIRM_SATISFIED,
        moves=[({_S.RESULT_NOTIFIED}, _S.CLOSED)],
        roles=_DESK_AND_CUSTOMER,
        label=("Xác nhận hài lòng", "Confirm satisfied"),
        inputs=(_text("comment", "Ý kiến khách hàng", "Customer comment", required=False),),
    ),
    *_rows(
        Action.MARK_UNSATISFIED,
        moves=[({_S.RESULT_NOTIFIED}, _S.UNSATISFIED)],
        roles=_DESK_AND_CUSTOMER,
        label=("Ghi nhận chưa hài lòng", "Mark unsatisfied"),
        inputs=(_text("comment", "Ý kiến khách hàng", "Customer comment"),),
    ),
    # The customer did not answer within the configured time.
    *_rows(
        Action.CLOSE_NO_ANSWER,
        moves=[({_S.RESULT_NOTIFIED}, _S.CLOSED)],
        roles=frozenset({_R.SYSTEM, _R.ADMIN}),
        label=("Đóng do khách hàng không phản hồi", "Close without answer"),
        inputs=(_NOTE,),
    ),
    # Cable procedure: still unsatisfied after 48 h → department heads, then leadership.
    *_rows(
        Action.ESCALATE,
        moves=[({_S.UNSATISFIED, _S.ESCALATED}, _S.ESCALATED)],
        roles=frozenset({_R.HEAD, _R.LEADERSHIP, _R.ADMIN, _R.SYSTEM}),
        label=("Chuyển lãnh đạo xử lý", "Escalate"),
        inputs=(
            Input(
                name="level",
                label_vi="Cấp xử lý",
                label_en="Escalation level",
                kind="choice",
                choices=ESCALATION_LEVELS,
            ),
            _text("reason", "Lý do chuyển", "Reason"),
        ),
        notice="escalation",
    ),
    *_rows(
        Action.REHANDLE,
        moves=[({_S.ESCALATED}, _S.COORDINATING)],
        roles=frozenset({_R.HEAD, _R.LEADERSHIP, _R.ADMIN}),
        label=("Chỉ đạo xử lý lại", "Handle again"),
        inputs=(_text("instructions", "Nội dung chỉ đạo", "Instructions"),),
    ),
    # Law 19/2023 Art. 57: a negotiation request is received in any open state and must be
    # taken up within 7 working days; it does not move the record.
    *_rows(
        Action.REQUEST_NEGOTIATION,
        moves=[(OPEN_STATES, None)],
        roles=_DESK_AND_CUSTOMER,
        label=("Yêu cầu thương lượng", "Request negotiation"),
        inputs=(_NOTE,),
    ),
    *_rows(
        Action.WITHDRAW,
        moves=[(OPEN_STATES, _S.WITHDRAWN)],
        roles=_DESK_AND_CUSTOMER,
        label=("Rút khiếu nại", "Withdraw"),
        inputs=(_text("reason", "Lý do rút", "Reason for withdrawal"),),
    ),
    *_rows(
        Action.REOPEN,
        moves=[(CLOSED_STATES, _S.VERIFYING)],
        roles=_DESK | {_R.LEADERSHIP},
        label=("Mở lại phiếu", "Reopen"),
        inputs=(_text("reason", "Lý do mở lại", "Reason for reopening"),),
    ),
)


def _index(
    rows: tuple[Transition, ...],
) -> tuple[dict[Action, tuple[Transition, ...]], dict[tuple[State, Action], Transition]]:
    by_action: dict[Action, list[Transition]] = {}
    by_pair: dict[tuple[State, Action], Transition] = {}
    for row in rows:
        siblings = by_action.setdefault(row.action, [])
        if siblings and (
            (row.roles, row.inputs, row.label_vi, row.label_en, row.customer_notice)
            != (
                siblings[0].roles,
                siblings[0].inputs,
                siblings[0].label_vi,
                siblings[0].label_en,
                siblings[0].customer_notice,
            )
        ):
            raise ValueError(f"rows of {row.action} differ beyond sources and target")
        siblings.append(row)
        for state in row.sources:
            if (state, row.action) in by_pair:
                raise ValueError(f"two rows for ({state}, {row.action})")
            by_pair[(state, row.action)] = row
    missing = set(Action) - set(by_action)
    if missing:
        raise ValueError(f"actions without a row: {sorted(missing)}")
    return {a: tuple(r) for a, r in by_action.items()}, by_pair


_BY_ACTION, _BY_PAIR = _index(TRANSITIONS)

ACTION_LABELS: Final[Mapping[Action, tuple[str, str]]] = MappingProxyType(
    {action: (rows[0].label_vi, rows[0].label_en) for action, rows in _BY_ACTION.items()}
)
"""(Vietnamese, English) label of every action."""


# --------------------------------------------------------------------------- refusals

RefusalCode = Literal[
    "not_applicable", "role_not_allowed", "input_missing", "input_invalid", "unknown_action"
]
REFUSAL_CODES: Final[tuple[RefusalCode, ...]] = get_args(RefusalCode)

_MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "unknown_action": (
            'Không có thao tác "{action_vi}".',
            'There is no action "{action_en}".',
        ),
        "not_applicable": (
            'Thao tác "{action_vi}" không áp dụng cho phiếu ở trạng thái "{state_vi}".',
            'The action "{action_en}" does not apply to a complaint in state "{state_en}".',
        ),
        "role_not_allowed": (
            'Vai trò "{role_vi}" không được thực hiện thao tác "{action_vi}".',
            'The role "{role_en}" may not perform the action "{action_en}".',
        ),
        "input_missing": (
            'Thao tác "{action_vi}" cần nhập "{field_vi}".',
            'The action "{action_en}" requires "{field_en}".',
        ),
        "input_invalid": (
            'Giá trị "{value}" không hợp lệ cho "{field_vi}"; {expected_vi}.',
            'The value "{value}" is not valid for "{field_en}"; {expected_en}.',
        ),
    }
)


_E = TypeVar("_E", bound=StrEnum)


class _Lenient(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _label(table: Mapping[_E, tuple[str, str]], key: str | None, index: int) -> str:
    if key is None:
        return "?"
    for member, pair in table.items():
        if member == key:
            return pair[index]
    return key


class TransitionRefused(Exception):
    """Why :func:`plan` refused an action, with a machine code and messages in vi and en.

    ``params`` holds machine values (``action``, ``state``, ``role``, ``field``, ``value``,
    ``choices``, ``kind``); the messages look the labels up from them.
    """

    code: RefusalCode
    field: str | None
    params: dict[str, str]

    def __init__(
        self, code: RefusalCode, field: str | None = None, params: Mapping[str, str] | None = None
    ) -> None:
        if code not in REFUSAL_CODES:
            raise ValueError(f"unknown refusal code {code!r}")
        self.code = code
        self.field = field
        self.params = dict(params or {})
        if field is not None:
            self.params.setdefault("field", field)
        super().__init__(self.message_en)

    def __reduce__(self) -> tuple[type[TransitionRefused], tuple[object, ...]]:
        return (type(self), (self.code, self.field, self.params))

    def __repr__(self) -> str:
        return f"TransitionRefused({self.code!r}, field={self.field!r}, params={self.params!r})"

    def _format(self, index: int) -> str:
        p = self.params
        action = p.get("action")
        values = _Lenient(p)
        values["action_vi" if index == 0 else "action_en"] = _label(ACTION_LABELS, action, index)
        values["state_vi" if index == 0 else "state_en"] = _label(
            STATE_LABELS, p.get("state"), index
        )
        values["role_vi" if index == 0 else "role_en"] = _label(ROLE_LABELS, p.get("role"), index)
        field_label = p.get("field", "?")
        if action in _BY_ACTION and self.field is not None:
            for field in _BY_ACTION[Action(action)][0].inputs:
                if field.name == self.field:
                    field_label = field.label_vi if index == 0 else field.label_en
        values["field_vi" if index == 0 else "field_en"] = field_label
        values["expected_vi" if index == 0 else "expected_en"] = self._expected(index)
        return _MESSAGES[self.code][index].format_map(values)

    def _expected(self, index: int) -> str:
        kind = self.params.get("kind")
        if kind == "bool":
            return "cần chọn Có hoặc Không" if index == 0 else "expected yes or no"
        names = [c for c in self.params.get("choices", "").split(",") if c]
        labels = CHOICE_LABELS.get(self.field or "", {})
        shown = ", ".join(f"{labels[c][index]} ({c})" if c in labels else c for c in names)
        return f"chọn một trong: {shown}" if index == 0 else f"choose one of: {shown}"

    @property
    def message_vi(self) -> str:
        return self._format(0)

    @property
    def message_en(self) -> str:
        return self._format(1)

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang`` (``"en…"`` → English, anything else → Vietnamese)."""
        return self.message_en if lang.startswith("en") else self.message_vi


# --------------------------------------------------------------------------- queries


def _action(action: Action | str) -> Action:
    try:
        return Action(action)
    except (ValueError, TypeError):
        raise TransitionRefused("unknown_action", params={"action": _code(action)}) from None


def _code(value: object) -> str:
    """A caller-supplied code, safe to put in a message."""
    return str.__str__(value)[:60] if isinstance(value, str) else f"<{type(value).__name__}>"


def _state(state: State | str) -> State | None:
    try:
        return State(state)
    except (ValueError, TypeError):
        return None


def _role(role: Role | str) -> Role | None:
    try:
        return Role(role)
    except (ValueError, TypeError):
        return None


def transition_for(action: Action | str, state: State | str | None = None) -> Transition:
    """The row for ``action``; with ``state``, the row that applies in that state.

    Without ``state`` the first row of the action is returned: its labels, roles, inputs and
    notice are those of every row of the action, but its ``sources``/``target`` describe only
    that row.  Raises :class:`TransitionRefused` (``unknown_action``, or ``not_applicable``
    when ``state`` is given and the action does not apply there).
    """
    known = _action(action)
    if state is None:
        return _BY_ACTION[known][0]
    current = _state(state)
    row = None if current is None else _BY_PAIR.get((current, known))
    if row is None:
        raise TransitionRefused(
            "not_applicable", params={"action": known.value, "state": _code(state)}
        )
    return row


def transitions_for(action: Action | str) -> tuple[Transition, ...]:
    """Every row of ``action`` (usually one)."""
    return _BY_ACTION[_action(action)]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: object) -> str:
    if isinstance(value, str):
        return value.strip()[:60]
    if isinstance(value, bool | int | float):
        return str(value)
    return f"<{type(value).__name__}>"


def _problem(
    action: Action, field: Input, inputs: Mapping[str, object]
) -> TransitionRefused | None:
    value = inputs.get(field.name)
    params = {"action": action.value, "field": field.name}
    if _blank(value):
        if field.required:
            return TransitionRefused("input_missing", field=field.name, params=params)
        return None
    if field.kind == "choice":
        if not (isinstance(value, str) and value.strip() in field.choices):
            params |= {"value": _shown(value), "kind": "choice", "choices": ",".join(field.choices)}
            return TransitionRefused("input_invalid", field=field.name, params=params)
    elif field.kind == "bool" and not isinstance(value, bool):
        params |= {"value": _shown(value), "kind": "bool"}
        return TransitionRefused("input_invalid", field=field.name, params=params)
    return None


def input_errors(*, action: Action | str, inputs: Mapping[str, object]) -> list[TransitionRefused]:
    """Every problem with ``inputs`` for ``action``, in declared order (for forms).

    Missing required fields are ``input_missing``; a choice outside its choices or a bool
    field holding anything but ``True``/``False`` is ``input_invalid``.  Blank optional
    fields are fine; keys the action does not declare are ignored.
    """
    known = _action(action)
    problems = (_problem(known, field, inputs) for field in _BY_ACTION[known][0].inputs)
    return [problem for problem in problems if problem is not None]


def missing_inputs(*, action: Action | str, inputs: Mapping[str, object]) -> list[str]:
    """Names of the required inputs of ``action`` that are absent or blank, in declared order."""
    return [
        error.field or ""
        for error in input_errors(action=action, inputs=inputs)
        if error.code == "input_missing"
    ]


def plan(
    *, state: State | str, action: Action | str, role: Role | str, inputs: Mapping[str, object]
) -> State:
    """Check that ``role`` may take ``action`` in ``state`` with ``inputs``; return the new state.

    Checks in order: the action exists (``unknown_action``), it applies in ``state``
    (``not_applicable``), the role may take it (``role_not_allowed``), every required input is
    present and not blank (``input_missing``, first missing field in declared order), values
    are valid (``input_invalid``).  Returns the target, or ``state`` for a self-loop.
    Raises nothing but :class:`TransitionRefused`.
    """
    row = transition_for(action, state)
    current = State(state)
    who = _role(role)
    if who is None or who not in row.roles:
        raise TransitionRefused(
            "role_not_allowed", params={"action": row.action.value, "role": _code(role)}
        )
    problems = input_errors(action=row.action, inputs=inputs)
    if problems:
        missing = [p for p in problems if p.code == "input_missing"]
        raise (missing or problems)[0]
    return row.target_from(current)


def available_actions(*, state: State | str, role: Role | str) -> list[Transition]:
    """The rows ``role`` may take in ``state``, in table order (one per action).

    An unknown state or role has no actions.
    """
    current, who = _state(state), _role(role)
    if current is None or who is None:
        return []
    return [row for row in TRANSITIONS if current in row.sources and who in row.roles]


# --------------------------------------------------------------------------- rendering

_STATE_ORDER: Final[tuple[State, ...]] = tuple(State)


def _sorted_states(states: Iterable[State]) -> list[State]:
    return sorted(states, key=_STATE_ORDER.index)


def _idx(lang: str) -> int:
    return 1 if lang.startswith("en") else 0


def to_mermaid(lang: str = "vi") -> str:
    """A Mermaid ``stateDiagram-v2`` of :data:`TRANSITIONS`, labelled in ``lang``.

    Every move is an edge labelled with its action.  Actions that keep the complaint where it
    is are listed in a note beside each state; those allowed in every open state (negotiation
    requests) are listed once, in a note beside ``received``.
    """
    i = _idx(lang)
    lines = ["stateDiagram-v2"]
    for state in State:
        lines.append(f'    state "{STATE_LABELS[state][i]}" as {state.value}')
    lines.append(f"    [*] --> {State.RECEIVED.value}")
    loops: dict[State, list[str]] = {state: [] for state in State}
    everywhere: list[str] = []
    for row in TRANSITIONS:
        label = row.label(lang)
        if row.target is None and row.sources == OPEN_STATES:
            everywhere.append(label)
            continue
        for source in _sorted_states(row.sources):
            if row.is_loop_from(source):
                loops[source].append(label)
            else:
                lines.append(f"    {source.value} --> {row.target_from(source).value} : {label}")
    header = "Ở mọi trạng thái đang mở" if i == 0 else "In every open state"
    notes: dict[State, list[str]] = {
        state: [f"↻ {label}" for label in loops[state]] for state in State
    }
    if everywhere:
        notes[State.RECEIVED] = [f"{header}", *(f"↻ {label}" for label in everywhere)]
        notes[State.RECEIVED] += [f"↻ {label}" for label in loops[State.RECEIVED]]
    for state in State:
        if notes[state]:
            lines.append(f"    note right of {state.value}")
            lines.extend(f"        {text}" for text in notes[state])
            lines.append("    end note")
    return "\n".join(lines) + "\n"


def _roles_text(roles: Iterable[Role]) -> str:
    return ", ".join(f"`{role.value}`" for role in Role if role in set(roles))


def _inputs_text(row: Transition, *, required: bool) -> str:
    parts = []
    for field in row.inputs:
        if field.required != required:
            continue
        extra = f" ∈ {{{', '.join(field.choices)}}}" if field.kind == "choice" else ""
        extra += " (bool)" if field.kind == "bool" else ""
        parts.append(f"`{field.name}`{extra}")
    return ", ".join(parts) or "—"


def render_markdown() -> str:
    """The text of ``docs/lifecycle.md``, generated from :data:`TRANSITIONS`."""
    out: list[str] = [
        "# Complaint lifecycle — vòng đời phiếu khiếu nại",
        "",
        "<!-- Generated by scripts/render_lifecycle.py from",
        "     src/complaintdesk/complaints/domain/lifecycle.py. Do not edit by hand. -->",
        "",
        "A complaint record moves through the states below only by the actions of one table,",
        "`TRANSITIONS` in `complaintdesk.complaints.domain.lifecycle`. Each row says in which",
        "states an action applies, which roles may take it, which inputs it needs and where it",
        "leads (*stays* = the record keeps its state; the action is only recorded). Services call",
        "`plan()` before changing a record; it refuses with one of the codes listed at the end.",
        "The table carries both source procedures: the streaming service's (acknowledge within",
        "3 working days, verify, answer now or later, coordinate, notify the result) and the",
        "cable operator's (answer at receipt or within 24 h, in-person support by customer care,",
        "escalation to department heads and leadership when the customer stays unsatisfied).",
        "A negotiation request (Law 19/2023 Art. 57) is accepted in every open state.",
        "",
        "## States",
        "",
        "| State | Tiếng Việt | English | Open |",
        "|---|---|---|---|",
    ]
    for state in State:
        vi, en = STATE_LABELS[state]
        out.append(f"| `{state.value}` | {vi} | {en} | {'yes' if state in OPEN_STATES else 'no'} |")
    out += ["", "## Diagram", "", "```mermaid", to_mermaid("vi").rstrip("\n"), "```", ""]
    out += [
        "## Transitions (state × action)",
        "",
        "| State | Action | → Target | Roles | Required inputs | Optional inputs | Notice |",
        "|---|---|---|---|---|---|---|",
    ]
    for state in State:
        for action in Action:
            row = _BY_PAIR.get((state, action))
            if row is None:
                continue
            target = "*stays*" if row.is_loop_from(state) else f"`{row.target_from(state).value}`"
            notice = f"`{row.customer_notice}`" if row.customer_notice else "—"
            out.append(
                f"| `{state.value}` | `{action.value}` | {target} | {_roles_text(row.roles)} "
                f"| {_inputs_text(row, required=True)} | {_inputs_text(row, required=False)} "
                f"| {notice} |"
            )
    out += [
        "",
        "## Actions",
        "",
        "| Action | Tiếng Việt | English | Inputs (* = required) |",
        "|---|---|---|---|",
    ]
    for action in Action:
        row = _BY_ACTION[action][0]
        inputs = ", ".join(
            f"`{f.name}`{'*' if f.required else ''} {f.label_vi} / {f.label_en}" for f in row.inputs
        )
        out.append(f"| `{action.value}` | {row.label_vi} | {row.label_en} | {inputs or '—'} |")
    out += [
        "",
        "## Roles × actions",
        "",
        "| Action | " + " | ".join(f"`{role.value}`" for role in Role) + " |",
        "|---|" + "---|" * len(Role),
    ]
    for action in Action:
        roles = _BY_ACTION[action][0].roles
        cells = " | ".join("✓" if role in roles else "" for role in Role)
        out.append(f"| `{action.value}` | {cells} |")
    out += [
        "",
        "Roles: "
        + "; ".join(f"`{r.value}` = {ROLE_LABELS[r][1]} ({ROLE_LABELS[r][0]})" for r in Role)
        + ".",
    ]
    out += [
        "",
        "## Refusals",
        "",
        "`plan()` checks, in this order, and raises `TransitionRefused` with `code`:",
        "",
        "1. `unknown_action` — the action is not in the table;",
        "2. `not_applicable` — the action has no row for the current state;",
        "3. `role_not_allowed` — the actor's role is not in the row's roles;",
        "4. `input_missing` — a required input is absent or blank (first one, in declared order);",
        "5. `input_invalid` — a choice outside its choices, or a yes/no field that is not a bool.",
        "",
    ]
    return "\n".join(out)
