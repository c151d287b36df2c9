"""The lifecycle table: pure Python, no Django, no database."""

from __future__ import annotations

import os
import pickle
import runpy
import subprocess
import sys
from collections import deque
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintdesk.complaints.domain.lifecycle import (
    ACTION_LABELS,
    CHOICE_LABELS,
    CLOSED_STATES,
    CUSTOMER_NOTICES,
    OPEN_STATES,
    REFUSAL_CODES,
    ROLE_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    Input,
    Role,
    State,
    Transition,
    TransitionRefused,
    available_actions,
    input_errors,
    missing_inputs,
    plan,
    render_markdown,
    to_mermaid,
    transition_for,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
DOCS = REPO_ROOT / "docs" / "lifecycle.md"
SCRIPT = REPO_ROOT / "scripts" / "render_lifecycle.py"


# --------------------------------------------------------------------------- helpers


def _value(field: Input) -> object:
    if field.kind == "choice":
        return field.choices[0]
    if field.kind == "bool":
        return True
    return f"  nội dung {field.name}  "


def valid_inputs(row: Transition, *, optional: bool = True) -> dict[str, object]:
    return {f.name: _value(f) for f in row.inputs if optional or f.required}


def refusal(**kwargs: object) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as caught:
        plan(**kwargs)  # type: ignore[arg-type]
    return caught.value


def row_for(state: State, action: Action) -> Transition | None:
    rows = [row for row in TRANSITIONS if row.action == action and state in row.sources]
    assert len(rows) <= 1
    return rows[0] if rows else None


def step(state: State, action: Action, role: Role, **inputs: object) -> State:
    return plan(state=state, action=action, role=role, inputs=inputs)


ALL_CASES = [
    pytest.param(row, source, role, id=f"{source}-{row.action}-{role}")
    for row in TRANSITIONS
    for source in sorted(row.sources)
    for role in sorted(row.roles)
]
NOT_IN_TABLE = [
    pytest.param(state, action, id=f"{state}-{action}")
    for state in State
    for action in Action
    if row_for(state, action) is None
]
ROLE_REFUSALS = [
    pytest.param(row, source, role, id=f"{source}-{row.action}-{role}")
    for row in TRANSITIONS
    for source in sorted(row.sources)
    for role in [*sorted(set(Role) - row.roles), "janitor"]
]
REQUIRED_FIELDS = [
    pytest.param(row, field, id=f"{row.action}-{min(row.sources)}-{field.name}")
    for row in TRANSITIONS
    for field in row.inputs
    if field.required
]


# --------------------------------------------------------------------------- the table itself


def test_states_and_open_states() -> None:
    assert [s.value for s in State] == [
        "received",
        "acknowledged",
        "verifying",
        "answer_later",
        "coordinating",
        "resolved",
        "result_notified",
        "unsatisfied",
        "escalated",
        "closed",
        "withdrawn",
    ]
    assert set(State) - {State.CLOSED, State.WITHDRAWN} == OPEN_STATES
    assert {State.CLOSED, State.WITHDRAWN} == CLOSED_STATES


def test_every_state_role_and_action_has_labels() -> None:
    for labels, members in ((STATE_LABELS, State), (ROLE_LABELS, Role), (ACTION_LABELS, Action)):
        assert set(labels) == set(members)
        for vi, en in labels.values():
            assert vi.strip() and en.strip()
    assert STATE_LABELS[State.RECEIVED] == ("Mới tiếp nhận", "Received")
    assert STATE_LABELS[State.CLOSED] == ("Đã đóng", "Closed")
    assert ACTION_LABELS[Action.ACKNOWLEDGE] == ("Xác nhận đã tiếp nhận", "Acknowledge")
    for row in TRANSITIONS:
        for field in row.inputs:
            assert field.label_vi.strip() and field.label_en.strip()
            for choice in field.choices:
                assert choice in CHOICE_LABELS[field.name]


def test_each_state_action_pair_has_at_most_one_row_and_siblings_agree() -> None:
    seen: set[tuple[State, Action]] = set()
    for row in TRANSITIONS:
        for state in row.sources:
            assert (state, row.action) not in seen
            seen.add((state, row.action))
        first = transition_for(row.action)
        assert (first.roles, first.inputs, first.label_vi, first.label_en) == (
            row.roles,
            row.inputs,
            row.label_vi,
            row.label_en,
        )
        assert first.customer_notice == row.customer_notice
    assert {row.action for row in TRANSITIONS} == set(Action)


def test_customer_notices() -> None:
    notices = {row.action: row.customer_notice for row in TRANSITIONS}
    assert notices[Action.ACKNOWLEDGE] == "acknowledgement"
    assert notices[Action.ANSWER_LATER] == "more_time"
    assert notices[Action.NOTIFY_RESULT] == "result"
    assert notices[Action.ESCALATE] == "escalation"
    assert notices[Action.MARK_UNSATISFIED] is None
    assert {n for n in notices.values() if n} <= set(CUSTOMER_NOTICES)


def _moves() -> dict[State, set[State]]:
    graph: dict[State, set[State]] = {state: set() for state in State}
    for row in TRANSITIONS:
        for source in row.sources:
            graph[source].add(row.target_from(source))
    return graph


def _reachable(start: State, graph: Mapping[State, set[State]]) -> set[State]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in graph[todo.popleft()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_every_state_is_reachable_and_every_open_state_can_close() -> None:
    graph = _moves()
    assert _reachable(State.RECEIVED, graph) == set(State)
    for state in OPEN_STATES:
        assert State.CLOSED in _reachable(state, graph), state
        assert graph[state] - {state}, f"{state} has no way out"


def test_closed_states_are_left_only_by_reopen() -> None:
    for row in TRANSITIONS:
        for source in row.sources & CLOSED_STATES:
            assert row.action == Action.REOPEN, (source, row.action)
    assert transition_for(Action.REOPEN).target == State.VERIFYING


def test_late_acknowledgement_is_a_self_loop_in_working_states() -> None:
    assert transition_for(Action.ACKNOWLEDGE).target == State.ACKNOWLEDGED
    for state in (State.VERIFYING, State.ANSWER_LATER, State.COORDINATING):
        assert transition_for(Action.ACKNOWLEDGE, state).target is None
        assert step(state, Action.ACKNOWLEDGE, Role.SYSTEM) == state
    # Starting verification first is allowed; then the acknowledgement is still recordable.
    state = step(State.RECEIVED, Action.START_VERIFICATION, Role.RECEIVER)
    assert state == State.VERIFYING
    assert step(state, Action.ACKNOWLEDGE, Role.RECEIVER, note="gọi lại") == State.VERIFYING
    # ... but not twice in a row from `acknowledged`.
    assert refusal(
        state=State.ACKNOWLEDGED, action=Action.ACKNOWLEDGE, role=Role.SYSTEM, inputs={}
    ).code == ("not_applicable")


def test_roles_follow_the_brief() -> None:
    def roles(action: Action) -> set[Role]:
        return set(transition_for(action).roles)

    assert {a for a in Action if Role.STAFF in roles(a)} == {
        Action.RECORD_VERIFICATION,
        Action.RESOLVE,
    }
    assert {a for a in Action if Role.LEADERSHIP in roles(a)} == {
        Action.ESCALATE,
        Action.REHANDLE,
        Action.RESOLVE,
        Action.REOPEN,
    }
    assert {a for a in Action if Role.SYSTEM in roles(a)} == {
        Action.ACKNOWLEDGE,
        Action.CLOSE_NO_ANSWER,
        Action.ESCALATE,
    }
    assert {a for a in Action if Role.CUSTOMER in roles(a)} == {
        Action.REQUEST_NEGOTIATION,
        Action.WITHDRAW,
        Action.CONFIRM_SATISFIED,
        Action.MARK_UNSATISFIED,
    }
    assert roles(Action.ESCALATE) == {Role.HEAD, Role.LEADERSHIP, Role.ADMIN, Role.SYSTEM}
    assert roles(Action.CLOSE_NO_ANSWER) == {Role.SYSTEM, Role.ADMIN}
    assert {a for a in Action if Role.ADMIN not in roles(a)} == set()
    desk_only_not = {Action.ESCALATE, Action.REHANDLE, Action.CLOSE_NO_ANSWER}
    for role in (Role.RECEIVER, Role.HEAD):
        assert {a for a in Action if role not in roles(a)} <= desk_only_not


# --------------------------------------------------------------------------- plan()


@pytest.mark.parametrize(("row", "source", "role"), ALL_CASES)
def test_every_transition_succeeds_for_every_allowed_role(
    row: Transition, source: State, role: Role
) -> None:
    expected = source if row.target is None else row.target
    assert plan(state=source, action=row.action, role=role, inputs=valid_inputs(row)) == expected
    # Only the required inputs, with strings for the enums, work too.
    assert (
        plan(
            state=source.value,
            action=row.action.value,
            role=role.value,
            inputs=valid_inputs(row, optional=False),
        )
        == expected
    )
    assert row in available_actions(state=source, role=role)


@pytest.mark.parametrize(("state", "action"), NOT_IN_TABLE)
def test_pairs_not_in_the_table_are_not_applicable(state: State, action: Action) -> None:
    for role in [*Role, "janitor"]:
        error = refusal(state=state, action=action, role=role, inputs={})
        assert error.code == "not_applicable"
        assert error.field is None
        assert error.params == {"action": action.value, "state": state.value}
        assert ACTION_LABELS[action][0] in error.message_vi
        assert STATE_LABELS[state][1] in error.message_en
    with pytest.raises(TransitionRefused) as caught:
        transition_for(action, state)
    assert caught.value.code == "not_applicable"


@pytest.mark.parametrize(("row", "source", "role"), ROLE_REFUSALS)
def test_roles_not_allowed_are_refused(row: Transition, source: State, role: Role | str) -> None:
    error = refusal(state=source, action=row.action, role=role, inputs=valid_inputs(row))
    assert error.code == "role_not_allowed"
    assert error.params == {"action": row.action.value, "role": str(role)}
    assert row not in available_actions(state=source, role=role)


@pytest.mark.parametrize(("row", "field"), REQUIRED_FIELDS)
@pytest.mark.parametrize("blank", ["absent", None, "", "   ", "\n\t"])
def test_each_required_input_missing_or_blank_is_refused(
    row: Transition, field: Input, blank: object
) -> None:
    inputs = valid_inputs(row)
    if blank == "absent":
        del inputs[field.name]
    else:
        inputs[field.name] = blank
    role = min(row.roles)
    for source in row.sources:
        error = refusal(state=source, action=row.action, role=role, inputs=inputs)
        assert error.code == "input_missing"
        assert error.field == field.name
        assert field.label_vi in error.message_vi
        assert field.label_en in error.message_en
    assert missing_inputs(action=row.action, inputs=inputs) == [field.name]


def test_first_missing_input_is_reported_in_declared_order() -> None:
    inputs: dict[str, object] = {"checked": "tài khoản", "genuine": "maybe"}
    error = refusal(
        state=State.VERIFYING, action=Action.RECORD_VERIFICATION, role=Role.STAFF, inputs=inputs
    )
    assert (error.code, error.field) == ("input_missing", "scope")
    assert missing_inputs(action=Action.RECORD_VERIFICATION, inputs=inputs) == [
        "scope",
        "cause_analysis",
    ]
    errors = input_errors(action="record_verification", inputs=inputs)
    assert [(e.code, e.field) for e in errors] == [
        ("input_invalid", "genuine"),
        ("input_missing", "scope"),
        ("input_missing", "cause_analysis"),
    ]
    assert missing_inputs(action=Action.ESCALATE, inputs={}) == ["level", "reason"]


def test_optional_inputs_may_be_blank() -> None:
    assert missing_inputs(action=Action.ACKNOWLEDGE, inputs={"note": "  "}) == []
    assert step(State.RECEIVED, Action.ACKNOWLEDGE, Role.SYSTEM, note=None) == State.ACKNOWLEDGED
    assert (
        step(State.VERIFYING, Action.RECORD_VERIFICATION, Role.STAFF, scope="s", cause_analysis="c")
        == State.VERIFYING
    )


@pytest.mark.parametrize("bad", ["board", "HEADS", "", 3, None, ["heads"]])
def test_bad_choice_is_invalid(bad: object) -> None:
    inputs = {"level": bad, "reason": "quá 48 giờ"}
    error = refusal(state=State.UNSATISFIED, action=Action.ESCALATE, role=Role.HEAD, inputs=inputs)
    if bad in ("", None):
        assert (error.code, error.field) == ("input_missing", "level")
        return
    assert (error.code, error.field) == ("input_invalid", "level")
    assert "heads" in error.message_en and "leadership" in error.message_en
    assert "Lãnh đạo các phòng ban" in error.message_vi


def test_choice_values_are_stripped() -> None:
    inputs = {"level": " leadership ", "reason": "quá 48 giờ"}
    assert plan(state="escalated", action="escalate", role="system", inputs=inputs) == (
        State.ESCALATED
    )


@pytest.mark.parametrize("bad", ["yes", 1, 0, "true"])
def test_bool_input_must_be_a_bool(bad: object) -> None:
    inputs = {"genuine": bad, "scope": "gói cước", "cause_analysis": "lỗi thanh toán"}
    error = refusal(
        state=State.VERIFYING, action=Action.RECORD_VERIFICATION, role=Role.STAFF, inputs=inputs
    )
    assert (error.code, error.field) == ("input_invalid", "genuine")
    assert "Có hoặc Không" in error.message_vi
    inputs["genuine"] = False
    assert step(State.VERIFYING, Action.RECORD_VERIFICATION, Role.STAFF, **inputs) == (
        State.VERIFYING
    )


def test_unknown_action() -> None:
    error = refusal(state=State.RECEIVED, action="fly_to_the_moon", role="janitor", inputs={})
    assert error.code == "unknown_action"
    assert error.params == {"action": "fly_to_the_moon"}
    assert "fly_to_the_moon" in error.message_en
    with pytest.raises(TransitionRefused) as caught:
        transition_for("nope")
    assert caught.value.code == "unknown_action"
    with pytest.raises(TransitionRefused):
        missing_inputs(action="nope", inputs={})


def test_order_of_checks() -> None:
    # not applicable wins over a bad role and missing inputs
    assert refusal(state="closed", action="resolve", role="janitor", inputs={}).code == (
        "not_applicable"
    )
    # role wins over missing inputs
    assert refusal(state="coordinating", action="resolve", role="customer", inputs={}).code == (
        "role_not_allowed"
    )
    # missing wins over invalid, whatever their order
    error = refusal(
        state="unsatisfied", action="escalate", role="system", inputs={"level": "board"}
    )
    assert (error.code, error.field) == ("input_missing", "reason")
    # an unknown state is simply not a state any action applies to
    assert refusal(state="lost", action="resolve", role="staff", inputs={}).code == (
        "not_applicable"
    )


def test_available_actions() -> None:
    assert [t.action for t in available_actions(state=State.RECEIVED, role=Role.SYSTEM)] == [
        Action.ACKNOWLEDGE
    ]
    assert [
        t.action for t in available_actions(state=State.RESULT_NOTIFIED, role=Role.CUSTOMER)
    ] == [
        Action.CONFIRM_SATISFIED,
        Action.MARK_UNSATISFIED,
        Action.REQUEST_NEGOTIATION,
        Action.WITHDRAW,
    ]
    assert available_actions(state=State.CLOSED, role=Role.CUSTOMER) == []
    assert available_actions(state="nowhere", role=Role.ADMIN) == []
    assert available_actions(state=State.CLOSED, role="janitor") == []
    ack = available_actions(state=State.VERIFYING, role=Role.SYSTEM)
    assert [(t.action, t.target) for t in ack] == [(Action.ACKNOWLEDGE, None)]


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("role", list(Role))
def test_available_actions_agree_with_plan(state: State, role: Role) -> None:
    offered = {t.action for t in available_actions(state=state, role=role)}
    accepted = set()
    for action in Action:
        try:
            plan(
                state=state,
                action=action,
                role=role,
                inputs=valid_inputs(transition_for(action)),
            )
        except TransitionRefused:
            continue
        accepted.add(action)
    assert offered == accepted


# --------------------------------------------------------------------------- the two seeds


def test_streaming_procedure_end_to_end() -> None:
    """seeds/000: receive, acknowledge within 3 working days, verify, answer later,
    coordinate, tell the customer the result."""
    s = State.RECEIVED
    s = step(s, Action.ACKNOWLEDGE, Role.SYSTEM)
    assert s == State.ACKNOWLEDGED
    s = step(s, Action.START_VERIFICATION, Role.RECEIVER)
    assert s == State.VERIFYING
    s = step(
        s,
        Action.RECORD_VERIFICATION,
        Role.RECEIVER,
        checked="tài khoản, giao dịch thanh toán",
        scope="gói VIP tháng 3",
        cause_analysis="cổng thanh toán trừ tiền hai lần",
    )
    assert s == State.VERIFYING
    s = step(s, Action.ANSWER_LATER, Role.RECEIVER, reason="cần đối soát với cổng thanh toán")
    assert s == State.ANSWER_LATER
    # the customer asks to negotiate (Law 19/2023 Art. 57): recorded, state unchanged
    assert step(s, Action.REQUEST_NEGOTIATION, Role.CUSTOMER) == State.ANSWER_LATER
    s = step(
        s, Action.COORDINATE, Role.RECEIVER, department="Kế toán", instructions="hoàn tiền lần 2"
    )
    assert s == State.COORDINATING
    s = step(s, Action.RESOLVE, Role.STAFF, resolution="đã hoàn tiền")
    assert s == State.RESOLVED
    s = step(s, Action.NOTIFY_RESULT, Role.RECEIVER, channel="email", message="Đã hoàn tiền")
    assert s == State.RESULT_NOTIFIED
    s = step(s, Action.CONFIRM_SATISFIED, Role.CUSTOMER)
    assert s == State.CLOSED


def test_streaming_procedure_answer_now() -> None:
    s = step(State.RECEIVED, Action.ACKNOWLEDGE, Role.RECEIVER)
    s = step(s, Action.START_VERIFICATION, Role.RECEIVER)
    s = step(s, Action.ANSWER_NOW, Role.RECEIVER, explanation="hướng dẫn đăng nhập lại")
    assert s == State.RESULT_NOTIFIED
    assert step(s, Action.CLOSE_NO_ANSWER, Role.SYSTEM) == State.CLOSED


def test_cable_procedure_end_to_end() -> None:
    """seeds/003: a written complaint answered at once; the customer stays unsatisfied, so it
    goes to the department heads, then to leadership, who have it handled again."""
    s = State.RECEIVED  # written complaint entered in the tracking software
    s = step(s, Action.ANSWER_NOW, Role.RECEIVER, explanation="công văn trả lời", channel="thư")
    assert s == State.RESULT_NOTIFIED
    s = step(s, Action.MARK_UNSATISFIED, Role.CUSTOMER, comment="vẫn mất tín hiệu")
    assert s == State.UNSATISFIED
    s = step(s, Action.ESCALATE, Role.SYSTEM, level="heads", reason="chưa hài lòng quá 48 giờ")
    assert s == State.ESCALATED
    s = step(s, Action.ESCALATE, Role.HEAD, level="leadership", reason="cần BGĐ quyết")
    assert s == State.ESCALATED
    s = step(s, Action.REHANDLE, Role.LEADERSHIP, instructions="Kỹ thuật thay bộ chia")
    assert s == State.COORDINATING
    s = step(s, Action.RESOLVE, Role.STAFF, resolution="đã thay bộ chia tín hiệu")
    assert s == State.RESOLVED
    s = step(s, Action.NOTIFY_RESULT, Role.RECEIVER, message="Tín hiệu đã ổn định")
    assert s == State.RESULT_NOTIFIED
    s = step(s, Action.CONFIRM_SATISFIED, Role.RECEIVER, comment="khách xác nhận qua điện thoại")
    assert s == State.CLOSED


def test_cable_procedure_in_person_support_then_reopen() -> None:
    """Unsatisfied → customer care supports in person (24–48 h) → resolved; later reopened."""
    s = step(State.RECEIVED, Action.START_VERIFICATION, Role.RECEIVER)
    s = step(s, Action.ANSWER_LATER, Role.RECEIVER, reason="cần kỹ thuật kiểm tra")
    s = step(s, Action.RESOLVE, Role.HEAD, resolution="đã sửa")
    s = step(s, Action.NOTIFY_RESULT, Role.RECEIVER, message="đã sửa")
    s = step(s, Action.MARK_UNSATISFIED, Role.RECEIVER, comment="chưa ổn")
    s = step(s, Action.COORDINATE, Role.RECEIVER, department="CSKH", instructions="đến nhà KH")
    assert s == State.COORDINATING
    s = step(s, Action.COORDINATE, Role.HEAD, department="Kỹ thuật", instructions="đi cùng")
    assert s == State.COORDINATING
    s = step(s, Action.RESOLVE, Role.STAFF, resolution="đã hỗ trợ tại nhà")
    s = step(s, Action.NOTIFY_RESULT, Role.RECEIVER, message="đã hỗ trợ")
    s = step(s, Action.CLOSE_NO_ANSWER, Role.ADMIN)
    assert s == State.CLOSED
    s = step(s, Action.REOPEN, Role.LEADERSHIP, reason="khách gọi lại")
    assert s == State.VERIFYING
    assert step(s, Action.WITHDRAW, Role.CUSTOMER, reason="tự khắc phục") == State.WITHDRAWN


# --------------------------------------------------------------------------- properties

INPUT_NAMES = sorted({f.name for row in TRANSITIONS for f in row.inputs})
ANY_VALUE = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(["  ", "heads", "leadership", " heads "]),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.lists(st.integers(), max_size=2),
    st.builds(object),
)


RANDOM_INPUTS = st.dictionaries(
    st.one_of(st.sampled_from(INPUT_NAMES), st.text(max_size=4)), ANY_VALUE, max_size=5
)


Step = tuple[object, object, Mapping[str, object]]
PICK = st.tuples(*[st.integers(0, 99)] * 4)
WILD_STEP = st.tuples(
    st.one_of(st.sampled_from(list(Action)), st.text(max_size=12), st.integers(), st.none()),
    st.one_of(st.sampled_from(list(Role)), st.text(max_size=8), st.none()),
    RANDOM_INPUTS,
)


def choose_step(state: State, pick: tuple[int, ...], wild: list[Step]) -> Step:
    """Mostly a plausible step from ``state`` (so walks get deep), sometimes anything at all."""
    kind, which, who, given_inputs = pick
    if kind >= 80:
        return wild[which % len(wild)]
    applicable = [row for row in TRANSITIONS if state in row.sources]
    row = applicable[which % len(applicable)]
    action = row.action if kind % 2 else row.action.value
    roles = sorted(row.roles)
    role = roles[who % len(roles)] if who < 80 else wild[who % len(wild)][1]
    inputs = valid_inputs(row) if given_inputs < 70 else wild[given_inputs % len(wild)][2]
    return action, role, inputs


@settings(max_examples=200, deadline=None)
@given(
    start=st.sampled_from(list(State)),
    picks=st.lists(PICK, min_size=10, max_size=60),
    wild=st.lists(WILD_STEP, min_size=1, max_size=4),
)
def test_random_sequences_stay_in_the_machine(
    start: State, picks: list[tuple[int, ...]], wild: list[Step]
) -> None:
    state = start
    for pick in picks:
        action, role, inputs = choose_step(state, pick, wild)
        try:
            new = plan(state=state, action=action, role=role, inputs=inputs)  # type: ignore[arg-type]
        except TransitionRefused as error:
            assert error.code in REFUSAL_CODES
            assert error.message_vi and error.message_en
            continue
        assert isinstance(new, State)
        assert new in set(State)
        if state in CLOSED_STATES and new != state:
            assert Action(str(action)) == Action.REOPEN
            assert new == State.VERIFYING
        assert transition_for(str(action), state).target_from(state) == new
        state = new


@settings(max_examples=200, deadline=None)
@given(
    state=st.one_of(st.sampled_from(list(State)), st.text(max_size=10)),
    action=st.one_of(st.sampled_from(list(Action)), st.text(max_size=10), st.integers()),
    role=st.one_of(st.sampled_from(list(Role)), st.text(max_size=10), st.none()),
    inputs=st.dictionaries(st.sampled_from(INPUT_NAMES), ANY_VALUE, max_size=6),
)
def test_plan_raises_only_transition_refused(
    state: object, action: object, role: object, inputs: Mapping[str, object]
) -> None:
    try:
        result = plan(state=state, action=action, role=role, inputs=inputs)  # type: ignore[arg-type]
    except TransitionRefused as error:
        assert error.code in REFUSAL_CODES
        for message in (error.message_vi, error.message_en):
            for supplied in error.params.values():
                message = message.replace(supplied, "")
            assert message.strip() and "{" not in message
    else:
        assert result in set(State)


# --------------------------------------------------------------------------- messages


def _one_refusal_per_code() -> dict[str, TransitionRefused]:
    cases = {
        "unknown_action": {"state": "received", "action": "dance", "role": "head", "inputs": {}},
        "not_applicable": {
            "state": "closed",
            "action": "acknowledge",
            "role": "head",
            "inputs": {},
        },
        "role_not_allowed": {
            "state": "received",
            "action": "acknowledge",
            "role": "customer",
            "inputs": {},
        },
        "input_missing": {
            "state": "verifying",
            "action": "answer_later",
            "role": "receiver",
            "inputs": {},
        },
        "input_invalid": {
            "state": "unsatisfied",
            "action": "escalate",
            "role": "head",
            "inputs": {"level": "board", "reason": "r"},
        },
    }
    return {code: refusal(**kwargs) for code, kwargs in cases.items()}


def test_every_refusal_code_has_messages_in_both_languages() -> None:
    errors = _one_refusal_per_code()
    assert set(errors) == set(REFUSAL_CODES)
    for code, error in errors.items():
        assert error.code == code
        vi, en = error.message_vi, error.message_en
        assert vi.strip() and en.strip() and vi != en
        assert "{" not in vi + en and '"?"' not in vi + en
        assert error.message("vi") == vi
        assert error.message("vi-VN") == vi
        assert error.message("en") == en
        assert error.message() == vi
        assert str(error) == en
        again = pickle.loads(pickle.dumps(error))
        assert (again.code, again.field, again.params) == (error.code, error.field, error.params)


def test_message_wording() -> None:
    errors = _one_refusal_per_code()
    assert errors["not_applicable"].message_vi == (
        'Thao tác "Xác nhận đã tiếp nhận" không áp dụng cho phiếu ở trạng thái "Đã đóng".'
    )
    assert errors["not_applicable"].message_en == (
        'The action "Acknowledge" does not apply to a complaint in state "Closed".'
    )
    assert errors["role_not_allowed"].message_vi == (
        'Vai trò "Khách hàng" không được thực hiện thao tác "Xác nhận đã tiếp nhận".'
    )
    assert errors["role_not_allowed"].message_en == (
        'The role "Customer" may not perform the action "Acknowledge".'
    )
    assert errors["input_missing"].message_en == (
        'The action "Answer later" requires "Why more time is needed".'
    )
    assert errors["input_missing"].message_vi == (
        'Thao tác "Trả lời sau" cần nhập "Lý do cần thêm thời gian".'
    )
    assert errors["input_invalid"].message_en == (
        'The value "board" is not valid for "Escalation level"; choose one of: '
        "Department heads (heads), Company leadership (leadership)."
    )
    assert errors["unknown_action"].message_vi == 'Không có thao tác "dance".'


def test_refusal_codes_are_checked() -> None:
    with pytest.raises(ValueError):
        TransitionRefused("oops")  # type: ignore[arg-type]
    built = TransitionRefused("input_missing", field="x", params={"action": "nothing"})
    assert built.message_en == 'The action "nothing" requires "x".'


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_mermaid_contains_every_transition(lang: str) -> None:
    text = to_mermaid(lang)
    assert text.startswith("stateDiagram-v2\n")
    index = 1 if lang == "en" else 0
    for state in State:
        assert f'state "{STATE_LABELS[state][index]}" as {state.value}' in text
    notes = _notes(text)
    for row in TRANSITIONS:
        label = row.label(lang)
        assert not set(label) & set(':;"#{}'), label
        for source in row.sources:
            if not row.is_loop_from(source):
                assert f"{source.value} --> {row.target_from(source).value} : {label}" in text
            elif row.sources == OPEN_STATES:
                assert f"↻ {label}" in notes[State.RECEIVED]
            else:
                assert f"↻ {label}" in notes[source]


def _notes(text: str) -> dict[State, list[str]]:
    notes: dict[State, list[str]] = {state: [] for state in State}
    current: State | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("note right of "):
            current = State(stripped.removeprefix("note right of "))
        elif stripped == "end note":
            current = None
        elif current is not None:
            notes[current].append(stripped)
    return notes


def test_markdown_lists_every_row() -> None:
    text = render_markdown()
    assert text.startswith("# ")
    assert "```mermaid\n" + to_mermaid("vi") + "```" in text
    for row in TRANSITIONS:
        for source in row.sources:
            target = "*stays*" if row.is_loop_from(source) else f"`{row.target_from(source)}`"
            assert f"| `{source}` | `{row.action}` | {target} |" in text


def test_committed_docs_match_the_table() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/lifecycle.md is stale: run `python scripts/render_lifecycle.py`"
    )


def test_render_script_writes_and_checks(tmp_path: Path) -> None:
    main = runpy.run_path(str(SCRIPT))["main"]
    target = tmp_path / "lifecycle.md"
    assert main(["--output", str(target), "--check"]) == 1
    assert main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_markdown()
    assert main(["--output", str(target), "--check"]) == 0


def test_module_imports_no_django() -> None:
    code = (
        "import sys; import complaintdesk.complaints.domain.lifecycle; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
