"""JSON from outside: refused with ``JsonRefused`` (a ValueError) or cleaned, never anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.core.jsonbody import JsonRefused, loads

# st.text() draws no surrogates: mix in lone ones (category Cs) and NUL on purpose.
TEXT = st.text(st.characters(codec=None) | st.characters(categories=["Cs"]) | st.just("\x00"))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


@given(JSON)
def test_every_string_read_can_be_stored_and_hashed(value):
    """Any JSON text (lone surrogates and NUL included, escaped as JSON allows) reads into
    strings that encode to UTF-8 and hold no NUL — or is refused as too deep."""
    try:
        data = loads(json.dumps(value))
    except JsonRefused:
        return
    for text in _strings(data):
        assert "\x00" not in text
        text.encode("utf-8")  # raises on a lone surrogate


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 5000 + b"]" * 5000,  # the decoder's RecursionError
        b'{"a": ' * 25 + b"1" + b"}" * 25,  # deeper than MAX_DEPTH
        b'{"x": NaN}',
        b'{"x": 1e400}',
        b'{"x": "\xff"}',  # invalid UTF-8
        b"{",
        b"",
    ],
)
def test_unreadable_json_is_refused_as_a_value_error(raw):
    with pytest.raises(JsonRefused):
        loads(raw)


def test_nul_and_lone_surrogates_are_cleaned_in_values_and_marked_in_keys():
    data = loads(b'{"na\\u0000me": "An\\u0000 \\ud800", "ok": ["\\udfff", "\\ud83d\\ude00"]}')
    assert data == {"na\ufffdme": "An \ufffd", "ok": ["\ufffd", "\U0001f600"]}
