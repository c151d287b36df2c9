"""Search over the index kept by the complaint services (SQLite FTS5 or PostgreSQL tsvector)."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.services import complaint_transition, complaint_update, message_add
from complaintdesk.search.models import SearchDocument
from complaintdesk.search.selectors import search_ids, search_page
from complaintdesk.search.services import FILTER_COLUMNS, index_complaints, search_index_clear


def codes(text, within=None):
    ids = search_ids(text, within=within)
    by_id = dict(Complaint.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [by_id[i] for i in ids]


@pytest.fixture
def three(org, complaint_factory):
    a = complaint_factory.create(
        actor=org.receiver,
        subject="Đường truyền chập chờn",
        description="Xem phim bị giật, mất tiếng vào buổi tối.",
        customer={"name": "Trần Thị Đào", "phone": "0912 345 678", "email": "dao.tran@example.vn"},
    )
    b = complaint_factory.create(
        actor=org.receiver,
        subject="Không đăng ký được gói VIP",
        description="Thanh toán bằng thẻ nhưng báo lỗi.",
        customer={"name": "Lê Văn Bình", "phone": "0987654321", "account_id": "VIP-778899"},
        category="payment",
    )
    c = complaint_factory.create(
        actor=org.receiver,
        subject="Góp ý giao diện",
        description="Chữ hơi nhỏ.",
        kind="feedback",
        customer={"name": "Phạm Đức Duy", "phone": "0901000111"},
    )
    return a, b, c


@pytest.mark.parametrize(
    "typed",
    [
        "duong truyen chap chon",
        "ĐƯỜNG TRUYỀN CHẬP CHỜN",
        unicodedata.normalize("NFD", "đường truyền chập chờn"),
        "Duong Truyen Chap Ch",  # still typing
    ],
)
def test_accents_case_and_unicode_form_do_not_matter(three, typed):
    a, _b, _c = three
    assert codes(typed) == [a.code]


def test_dang_ky_finds_dang_ky_and_d_stroke_is_folded(three):
    _a, b, c = three
    assert codes("DANG KY") == [b.code]
    assert codes("duc duy") == [c.code]  # Đức
    assert codes("dao") == [three[0].code]  # Đào


@pytest.mark.parametrize(
    "typed",
    ["0912 345 678", "+84912345678", "84912345678", "0912345678", "+84 912 345 678", "912345678"],
)
def test_phone_in_any_format(three, typed):
    assert codes(typed) == [three[0].code]


def test_code_email_and_account_id(three):
    a, b, _c = three
    assert codes(a.code) == [a.code]
    assert codes(a.code.lower()) == [a.code]
    assert codes("dao.tran@example.vn") == [a.code]
    assert codes("vip-778899") == [b.code]


def test_every_word_must_match(three):
    assert codes("duong truyen thanh toan") == []
    assert codes("zzzz") == []
    assert codes("") == []


def test_identifier_matches_rank_above_text_matches(org, complaint_factory):
    in_text = complaint_factory.create(
        actor=org.receiver,
        subject="Hỏi về khách Minh",
        customer={"name": "Hà Lan", "phone": "0911111222"},
    )
    in_name = complaint_factory.create(
        actor=org.receiver,
        subject="Mất kết nối",
        customer={"name": "Võ Minh", "phone": "0911111333"},
    )
    assert codes("minh") == [in_name.code, in_text.code]


def test_messages_and_edits_are_indexed_in_the_same_transaction(org, three):
    a, _b, c = three
    message_add(complaint=c, actor=org.receiver, body="Khách báo thêm: màn hình nhấp nháy")
    assert codes("man hinh nhap nhay") == [c.code]
    complaint_update(complaint=a, actor=org.receiver, changes={"subject": "Mạng rớt liên tục"})
    assert codes("mang rot") == [a.code]
    assert codes("duong truyen chap chon") == []


def test_a_rolled_back_change_leaves_the_index_as_it_was(org, three):
    _a, _b, c = three
    with pytest.raises(RuntimeError), transaction.atomic():
        message_add(complaint=c, actor=org.receiver, body="Nội dung sẽ bị hủy bỏ")
        raise RuntimeError("abort")
    assert codes("huy bo") == []


def test_a_new_phone_of_a_known_customer_finds_their_older_complaints(org, complaint_factory):
    first = complaint_factory.create(
        actor=org.receiver, customer={"name": "Ngô Thị Hoa", "phone": "0933000111"}
    )
    second = complaint_factory.create(
        actor=org.receiver,
        customer={"name": "Ngô Thị Hoa", "phone": "0933000111", "phones": ["0977000222"]},
    )
    assert set(codes("0977 000 222")) == {first.code, second.code}


def test_results_respect_the_queryset_given(org, three):
    a, b, _c = three
    only_payment = Complaint.objects.filter(category__code="payment")
    assert codes("thanh toan", within=only_payment) == [b.code]
    assert codes("duong truyen", within=only_payment) == []
    assert codes("duong truyen", within=Complaint.objects.filter(pk=a.pk)) == [a.code]


def test_page_highlights_the_matched_words(org, three):
    a, _b, _c = three
    page = search_page(query="0912345678 mat tieng", within=Complaint.objects.all())
    (hit,) = page.hits
    assert hit.complaint.pk == a.pk
    assert hit.highlights["identity"] == "<mark>+84912345678</mark>"
    assert "<mark>mất</mark> <mark>tiếng</mark>" in hit.highlights["snippet"]
    page = search_page(query="tran thi dao", within=Complaint.objects.all())
    assert (
        page.hits[0].highlights["customer_name"]
        == "<mark>Trần</mark> <mark>Thị</mark> <mark>Đào</mark>"
    )


def test_pages_follow_the_ranking_and_refuse_a_foreign_cursor(org, complaint_factory):
    from complaintdesk.core.errors import ValidationFailed

    made = {
        complaint_factory.create(actor=org.receiver, subject=f"Lỗi phát video số {i}").code
        for i in range(5)
    }
    within = Complaint.objects.all()
    first = search_page(query="loi phat video", within=within, limit=3)
    assert len(first.hits) == 3 and first.next_cursor
    second = search_page(query="loi phat video", within=within, limit=3, cursor=first.next_cursor)
    assert second.next_cursor is None
    assert {h.complaint.code for h in first.hits + second.hits} == made
    with pytest.raises(ValidationFailed) as refused:
        search_page(query="something else", within=within, cursor=first.next_cursor)
    assert refused.value.errors["cursor"][0] == "Con trỏ phân trang không hợp lệ."


def test_reindex_command_rebuilds_a_lost_index(org, three):
    a, _b, _c = three
    search_index_clear()
    assert SearchDocument.objects.count() == 0 and codes("duong truyen") == []
    call_command("search_reindex", verbosity=0)
    assert SearchDocument.objects.count() == 3
    assert codes("duong truyen") == [a.code]
    # Indexing again (documents already there) keeps one document per complaint.
    assert index_complaints([a.pk]) == 1
    assert codes("duong truyen") == [a.code]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")
def test_postgres_unaccent_wrapper_folds_vietnamese(db):
    with connection.cursor() as cur:
        cur.execute("SELECT cd_unaccent(lower(%s))", ["Đường truyền CHẬP CHỜN"])
        assert cur.fetchone()[0] == "duong truyen chap chon"


def test_bulk_reindex_and_recovery_from_an_interrupted_load(org, three):
    a, b, _c = three
    search_index_clear()
    call_command("search_reindex", bulk_threshold=1, verbosity=0)
    assert codes("duong truyen") == [a.code] and codes("0987654321") == [b.code]
    # The triggers are back: a change made through a service is searchable at once.
    message_add(complaint=b, actor=org.receiver, body="Khách gọi lại lúc tối")
    assert codes("goi lai luc toi") == [b.code]
    if connection.vendor == "sqlite":
        from complaintdesk.search import dbsql

        with connection.cursor() as cur:  # as if a bulk load had been killed half-way
            for sql in dbsql.SQLITE_DROP[:3]:
                cur.execute(sql)
        call_command("search_reindex", verbosity=0)
        message_add(complaint=a, actor=org.receiver, body="Đã gửi kỹ thuật viên")
        assert codes("ky thuat vien") == [a.code]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite FTS5 only")
def test_a_bulk_rebuild_leaves_the_full_text_index_in_one_segment(org, complaint_factory):
    """A rebuild writes many segments (here: the in-memory buffer made tiny) and would leave
    FTS5 merging them during every later write; the bulk load finishes the merge."""
    from complaintdesk.search.management.commands.search_reindex import _sqlite_finish_bulk

    made = [
        complaint_factory.create(actor=org.receiver, subject=f"Mất tín hiệu kênh số {i}").code
        for i in range(12)
    ]
    with connection.cursor() as cur:
        cur.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', 64)")
        _sqlite_finish_bulk()
        cur.execute("SELECT count(DISTINCT segid) FROM search_fts_idx")
        assert cur.fetchone()[0] == 1
    assert set(codes("mat tin hieu kenh")) == set(made)


@pytest.mark.parametrize("window", [4, 6])
@pytest.mark.parametrize("common", ["every word", "no word", "the prefix only"])
def test_postgres_walk_and_index_paths_find_the_same_newest_matches(
    org, complaint_factory, monkeypatch, window, common
):
    """PostgreSQL chooses between walking the newest documents (a common word) and asking the
    GIN index (a rare one) from the word statistics; both must give the newest ``window``
    matches within the restriction, whether the walk fills the window or falls back."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's search strategies")
    from complaintdesk.search import selectors

    made = [
        complaint_factory.create(
            actor=org.receiver,
            subject=f"Mất tín hiệu kênh {i}",
            kind="feedback" if i % 3 == 0 else "complaint",
        )
        for i in range(9)
    ]
    complaint_factory.create(actor=org.receiver, subject="Góp ý giao diện")  # newest, no match
    monkeypatch.setattr(selectors, "WINDOW", window)
    monkeypatch.setattr(selectors, "WALK", 5)
    monkeypatch.setattr(selectors, "SLICE", 7)
    # Which words the statistics call common: the walk, the index, or the index for the
    # other words with the (common) prefix checked on the rows.
    shares = {
        "every word": lambda n: [1.0] * n,
        "no word": lambda n: [0.0] * n,
        "the prefix only": lambda n: [0.0] * (n - 1) + [1.0],
    }[common]
    monkeypatch.setattr(selectors, "_pg_shares", lambda cur, q: shares(len(q.words)))
    for within in (
        None,
        Complaint.objects.filter(kind="feedback"),  # 3 ids: walked whole
        Complaint.objects.filter(kind="complaint"),  # 7 ids: more than the walk
        # Not a column of the search document: read from the complaints table.
        Complaint.objects.filter(kind="complaint", subject__startswith="Mất"),
    ):
        allowed = [c.pk for c in made if within is None or within.filter(pk=c.pk).exists()]
        expected = sorted(allowed, reverse=True)[:window]
        assert search_ids("mat tin hieu", within=within) == expected
        assert search_ids("mat tin hi", within=within) == expected  # prefix


def _doc_filters(pk):
    return SearchDocument.objects.filter(pk=pk).values(*FILTER_COLUMNS).get()


def _complaint_filters(pk):
    return Complaint.objects.filter(pk=pk).values(*FILTER_COLUMNS).get()


def test_documents_carry_the_complaints_filter_columns_through_every_change(org, three):
    """Created (the fast path from the instance), updated, assigned, transitioned, reindexed:
    the document's copy of the list-filter columns is always the complaint's."""
    a, b, _c = three
    for complaint in three:
        assert _doc_filters(complaint.pk) == _complaint_filters(complaint.pk)
    assert _doc_filters(b.pk)["category_id"] is not None
    complaint_update(
        complaint=a,
        actor=org.head,
        changes={"department_id": org.technical.pk, "assignee_id": org.staff.pk},
    )
    complaint_transition(complaint=b, action="acknowledge", actor=org.receiver)
    assert _doc_filters(a.pk)["department_id"] == org.technical.pk
    assert _doc_filters(a.pk)["assignee_id"] == org.staff.pk
    assert _doc_filters(b.pk)["status"] != "received"
    for complaint in three:
        assert _doc_filters(complaint.pk) == _complaint_filters(complaint.pk)
    SearchDocument.objects.update(status=None, department_id=None)
    call_command("search_reindex", "--all", verbosity=0)
    for complaint in three:
        assert _doc_filters(complaint.pk) == _complaint_filters(complaint.pk)


@pytest.mark.parametrize("wide", [0.0, 1.01])
def test_list_filters_are_answered_on_the_document_and_agree_with_the_complaints(
    org, three, monkeypatch, wide
):
    """The filters the list offers are written on the search document; what is found through
    them is what the same filters find on the complaints table; the staff scope (a sub-select
    on tasks) is not, and is read from the complaints table. On PostgreSQL both routes (a wide
    restriction read from the complaints table, a narrow one from the document) agree."""
    from complaintdesk.complaints.selectors import ComplaintFilters, _filtered
    from complaintdesk.search import selectors
    from complaintdesk.search.selectors import _doc_restriction

    monkeypatch.setattr(selectors, "WIDE", wide)

    a, b, c = three
    complaint_transition(complaint=b, action="acknowledge", actor=org.receiver)
    cases = [
        ComplaintFilters(),
        ComplaintFilters(status="received"),
        ComplaintFilters(status="received", kind="feedback"),
        ComplaintFilters(category="payment"),
        ComplaintFilters(channel=a.channel, received_from=a.received_at),
        ComplaintFilters(phone="0987654321"),
    ]
    for filters in cases:
        within = _filtered(org.receiver, filters)
        assert _doc_restriction(within) is not None, filters
        for text in ("", "a", "thanh toan", "duong truyen", "gop y"):
            expected = set(within.values_list("pk", flat=True))
            found = set(search_ids(text, within=within)) if text else expected
            assert found <= expected, (filters, text)
        assert set(search_ids("le van binh", within=within)) == (
            {b.pk} & set(within.values_list("pk", flat=True))
        ), filters
    assert codes("gop y", within=_filtered(org.receiver, ComplaintFilters(kind="feedback"))) == [
        c.code
    ]
    assert (
        codes("dang ky", within=_filtered(org.receiver, ComplaintFilters(status="received"))) == []
    )
    assert _doc_restriction(_filtered(org.staff, ComplaintFilters(status="received"))) is None
    nobody = _filtered(org.receiver, ComplaintFilters(phone="0999999999"))  # qs.none()
    assert search_ids("le van binh", within=nobody) == []
    assert search_ids("le van binh", within=Complaint.objects.filter(pk__in=[])) == []
