"""The tokeniser, query parser and highlighter (pure Python, no database)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.search.domain.text import (
    fast_fold,
    highlight,
    joined,
    parse_query,
    phone_forms,
    query_phone,
    snippet,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đường truyền chập chờn", "duong truyen chap chon"),
        ("ĐĂNG KÝ gói VIP", "dang ky goi vip"),
        (nfd("đường truyền chập chờn"), "duong truyen chap chon"),
        (
            "Mã KN-2026-000123, email an.nguyen@Gmail.com",
            "ma kn 2026 000123 email an nguyen gmail com",
        ),
        ("  ", ""),
    ],
)
def test_joined_folds_vietnamese_case_and_unicode_form(text, expected):
    assert joined(text) == expected


def test_the_folded_query_is_the_same_for_every_spelling():
    spellings = [
        "đường truyền chập chờn",
        "ĐƯỜNG TRUYỀN CHẬP CHỜN",
        "duong truyen chap chon",
        nfd("Đường Truyền Chập Chờn"),
        "Duong  truyen\tchap chon",
    ]
    assert {parse_query(s).words for s in spellings} == {("duong", "truyen", "chap", "chon")}


@pytest.mark.parametrize(
    "typed",
    [
        "0912 345 678",
        "+84912345678",
        "84912345678",
        "+84 912-345-678",
        "(0912) 345.678",
        "0912345678",
    ],
)
def test_a_phone_in_any_format_becomes_one_national_token(typed):
    assert parse_query(typed).words == ("0912345678",)


def test_the_stored_phone_is_indexed_in_the_spellings_people_type():
    assert phone_forms("+84912345678") == ["84912345678", "0912345678", "912345678"]
    assert phone_forms("02563822117") == ["02563822117", "842563822117", "2563822117"]


def test_numbers_that_are_not_phones_stay_words():
    assert query_phone("2024 2025") is None
    assert parse_query("2024 2025").words == ("2024", "2025")
    # A complaint code is never read as a phone, and is recognised as a code.
    query = parse_query("kn-2026-000123")
    assert query.words == ("kn", "2026", "000123")
    assert query.code == "KN-2026-000123"


def test_a_phone_next_to_words():
    assert parse_query("Nguyễn An 0912 345 678").words == ("0912345678", "nguyen", "an")


def test_the_last_word_is_a_prefix_unless_followed_by_a_space():
    assert parse_query("duong tru").prefix is True
    assert parse_query("duong tru ").prefix is False
    assert parse_query("a").prefix is False  # one letter is too short to be a prefix
    assert parse_query("   ").empty


def test_highlight_marks_the_original_words_and_escapes_the_rest():
    query = parse_query("duong truyen")
    marked, hit = highlight("Đường truyền <chập> chờn", query)
    assert hit is True
    assert marked == "<mark>Đường</mark> <mark>truyền</mark> &lt;chập&gt; chờn"
    assert highlight("Mất tiếng", query) == ("Mất tiếng", False)


def test_highlight_accepts_nfd_text_and_prefixes():
    marked, hit = highlight(nfd("Đăng ký gói"), parse_query("DANG KY"))
    assert hit and marked == "<mark>Đăng</mark> <mark>ký</mark> gói"
    assert highlight("Đăng ký gói", parse_query("go"))[0] == "Đăng ký <mark>gói</mark>"


def test_snippet_is_a_window_around_the_first_match():
    text = (
        "Khách gọi nhiều lần. " * 20
        + "Sau đó đường truyền chập chờn vào buổi tối. "
        + "Xong. " * 30
    )
    out = snippet(text, parse_query("chap chon"), width=80)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>chập</mark> <mark>chờn</mark>" in out
    assert len(out) < 140
    assert snippet("không liên quan", parse_query("chap chon")) == ""


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
    "0123456789 .,;:-_@+()/'\"\u0300\u0301\u0303\u0309\u0323ßİﬁǅ"
)


@given(st.text(alphabet=VIETNAMESE, max_size=80))
def test_fast_fold_equals_the_reference_fold(text):
    from complaintdesk.core.text import fold

    assert fast_fold(text) == fold(text)
    assert fast_fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))
