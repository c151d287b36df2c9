"""Reading and checking definitions: every problem, its path, in Vietnamese and English."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from complaintdesk.complaints.domain.lifecycle import Action
from complaintdesk.procedures.domain.definition import DefinitionInvalid
from complaintdesk.procedures.domain.parse import load_definition, parse_definition
from complaintdesk.procedures.domain.vocabulary import ACTIONS, EVENT_LABELS, EVENTS
from complaintdesk.procedures.presets import PRESETS, preset_source

MINIMAL: dict[str, Any] = {
    "slug": "demo",
    "name": "Quy trình thử",
    "steps": [{"key": "receive", "name": "Tiếp nhận", "actor": "receiver"}],
    "clocks": [
        {
            "name": "ack",
            "label": "Báo đã nhận",
            "start": ["received"],
            "stop": ["acknowledge"],
            "target": {"working_days": 3},
        },
    ],
}


def problems(data: Any, lang: str = "vi", **kwargs: Any) -> list[str]:
    with pytest.raises(DefinitionInvalid) as info:
        parse_definition(data, **kwargs)
    return info.value.messages(lang)


def with_clock(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data["clocks"].append(
        {
            "name": "second",
            "label": "Thứ hai",
            "start": ["received"],
            "stop": ["resolve"],
            "target": {"hours": 24},
            **changes,
        }
    )
    return data


@pytest.mark.parametrize("slug", PRESETS)
def test_presets_are_valid_and_survive_a_round_trip(slug):
    definition = load_definition(preset_source(slug))

    assert definition.slug == slug
    assert parse_definition(definition.to_dict()) == definition


def test_the_vocabulary_knows_every_lifecycle_action():
    assert set(ACTIONS) == {a.value for a in Action}
    assert set(EVENTS) <= set(EVENT_LABELS)


def test_defaults_pick_the_calendar_by_unit():
    definition = parse_definition(with_clock())

    assert [c.spec.calendar for c in definition.clocks] == ["vn-official", "24x7"]
    business = parse_definition(with_clock(target={"hours": 8, "business": True}))
    assert business.clock("second").spec.calendar == "vn-official"


def test_a_target_needs_exactly_one_unit():
    assert problems(with_clock(target={"working_days": 2, "hours": 4})) == [
        "clocks[1].target: cần đúng một trong working_days hoặc hours"
    ]
    assert problems(with_clock(target={}), "en") == [
        "clocks[1].target: give exactly one of working_days or hours"
    ]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            {"working_days": 0},
            "clocks[1].target.working_days: expected a whole number from 1 to 3650",
        ),
        (
            {"working_days": 2.5},
            "clocks[1].target.working_days: expected a whole number from 1 to 3650",
        ),
        (
            {"working_days": True},
            "clocks[1].target.working_days: expected a whole number from 1 to 3650",
        ),
        ({"hours": -1}, "clocks[1].target.hours: expected a number of hours > 0 and <= 87600"),
        ({"hours": "24"}, "clocks[1].target.hours: expected a number of hours > 0 and <= 87600"),
        ({"hours": 4, "business": "yes"}, "clocks[1].target.business: expected true or false"),
        (
            {"working_days": 2, "business": True},
            "clocks[1].target.business: only allowed with hours",
        ),
        (
            {"days": 2},
            "clocks[1].target.days: unknown key (did you mean 'working_days'?); use: "
            "working_days, hours, business",
        ),
    ],
)
def test_bad_targets_are_named(target, message):
    assert message in problems(with_clock(target=target), "en")


def test_every_problem_is_reported_with_its_path():
    data = copy.deepcopy(MINIMAL)
    data["slug"] = "Bad Slug"
    data["clocks"][0]["start"] = ["recieved"]
    data["clocks"][0]["stop"] = ["acknowledge", "received"]
    data["notices"] = {"reminder": ["acknowledge"]}

    assert problems(data) == [
        "slug: mã không hợp lệ 'Bad Slug': chỉ chữ thường, số, '-' và '_'",
        "clocks[0].start[0]: sự kiện không hợp lệ 'recieved' (có phải 'received'?)",
        "notices.reminder: khóa không được hỗ trợ; dùng: acknowledgement, more_time, result, "
        "escalation, survey, force_majeure_delay",
    ]


def test_an_event_cannot_start_and_stop_the_same_clock():
    assert problems(with_clock(stop=["received"]), "en") == [
        "clocks[1].stop: event 'received' cannot both start and stop the clock"
    ]


def test_namespaced_events_of_later_features_are_accepted():
    definition = parse_definition(with_clock(stop=["reply_letter.sent", "survey.answered"]))

    assert definition.clock("second").stop == ("reply_letter.sent", "survey.answered")


def test_clock_names_must_be_unique():
    assert problems(with_clock(name="ack")) == ["clocks[1].name: tên đồng hồ 'ack' bị trùng"]


def test_the_warning_must_come_before_the_target():
    assert problems(with_clock(warning={"after": {"hours": 24}}), "en") == [
        "clocks[1].warning.after: must be shorter than the target"
    ]
    assert problems(with_clock(warning={"before": {"working_days": 1}}), "en") == [
        "clocks[1].warning.before.working_days: unknown key; use: hours",
        "clocks[1].warning.before: expected hours, e.g. {hours: 4}",
    ]


def test_escalation_levels_are_numbered_and_target_known_people():
    data = copy.deepcopy(MINIMAL)
    data["escalation"] = [
        {"level": 1, "to": ["assignee"], "after": {"hours": 0}},
        {"level": 3, "to": ["boss"], "after": {"hours": 24}},
    ]

    assert problems(data, "en") == [
        "escalation[1].level: levels must be numbered 1, 2, 3… in order (expected 2)",
        "escalation[1].to[0]: unknown target 'boss'; use: assignee, receiver, customer_care, "
        "department_head, department_heads, leadership",
    ]


def test_a_clock_without_its_own_chain_takes_the_procedures():
    data = copy.deepcopy(MINIMAL)
    data["escalation"] = [{"level": 1, "to": "leadership", "after": {"working_days": 1}}]

    chain = parse_definition(data).clock("ack").spec.escalation
    assert [(lvl.level, lvl.to, lvl.after.amount) for lvl in chain] == [(1, ("leadership",), 1)]


def test_calendars_and_channel_procedures_must_exist_when_known():
    data = with_clock(calendar="lich-rieng")
    data["channels"] = {"letter": "qcatv", "fax": "qcatv", "email": "missing"}

    assert problems(data, "en", calendars={"vn-official", "24x7"}, procedures={"qcatv"}) == [
        "channels.fax: unknown key; use: hotline, chat, email, facebook, zalo, counter, letter, "
        "web, api",
        "channels.email: procedure 'missing' does not exist",
        "clocks[1].calendar: calendar 'lich-rieng' does not exist",
    ]


def test_required_parts_are_named():
    assert problems({"slug": "x"}) == [
        "name: bắt buộc",
        "steps: cần danh sách các bước (ít nhất một)",
    ]
    assert problems(["not", "a", "mapping"], "en") == ["expected an object (key: value pairs)"]


def test_yaml_booleans_as_keys_are_explained():
    text = "slug: x\nname: X\nsteps:\n  - {key: a, name: A, actor: receiver}\nclocks:\n  - on: [received]\n"

    with pytest.raises(DefinitionInvalid) as info:
        load_definition(text)
    assert info.value.messages("en")[0] == (
        "clocks[0]: key True: in YAML on/off/yes/no are booleans; quote them"
    )


def test_unreadable_yaml_says_where():
    with pytest.raises(DefinitionInvalid) as info:
        load_definition("slug: x\nname: [unclosed\n")
    message = info.value.messages("vi")[0]
    assert message.startswith("yaml: không đọc được YAML (dòng 3, cột 1):")
