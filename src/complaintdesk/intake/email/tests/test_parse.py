"""Reading mails: encodings, HTML, automatic mails, loops, malformed mails, attachments."""

from __future__ import annotations

import base64
import quopri
import re
import unicodedata
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.header import Header

import pytest

from complaintdesk.intake.base import IGNORED, MALFORMED, InboundMessage, InboundRejected
from complaintdesk.intake.email.parse import OwnIdentity, parse_email
from complaintdesk.intake.email.tests.mails import CUSTOMER, PNG, mail, raw_text_mail

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
OWN = OwnIdentity(frozenset({"cskh@complaintdesk.local"}), frozenset({"complaintdesk.local"}))
TEXT = "Tôi đã thanh toán gói Cao cấp nhưng ứng dụng báo hết hạn. Đề nghị kiểm tra giúp."
SUBJECT = "Khiếu nại: gói cước bị trừ tiền hai lần"
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """How windows-1258 writes Vietnamese: base letters (â, ê, ô, ơ, ư, ă, đ) precomposed and the
    five tone marks as separate combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        out.append(base + "".join(c for c in decomposed if c in TONES))
    return "".join(out).encode("cp1258")


def parsed(raw: bytes) -> InboundMessage:
    result = parse_email(raw, received_at=NOW, own=OWN)
    assert isinstance(result, InboundMessage), result
    return result


def rejected(raw: bytes) -> InboundRejected:
    result = parse_email(raw, received_at=NOW, own=OWN)
    assert isinstance(result, InboundRejected), result
    return result


def test_a_plain_mail_becomes_one_inbound_message():
    msg = mail(subject=SUBJECT, text=TEXT, message_id="<abc-1@khachhang.vn>")
    result = parsed(msg.as_bytes())
    assert result.channel == "email"
    assert result.provider_message_id == "<abc-1@khachhang.vn>"
    assert result.sender_email == CUSTOMER
    assert result.sender_name == "Nguyễn Văn An"
    assert result.subject == SUBJECT
    assert result.text == TEXT
    assert result.raw == msg.as_bytes()


def test_windows_1258_body_and_subject_are_decoded_to_nfc():
    encoded = to_cp1258(TEXT)
    assert encoded.decode("cp1258") != TEXT  # the legacy form really is decomposed
    subject = "=?windows-1258?B?" + base64.b64encode(to_cp1258(SUBJECT)).decode() + "?="
    result = parsed(
        raw_text_mail(encoded, charset="windows-1258", cte="8bit", subject_header=subject)
    )
    assert result.text == TEXT
    assert result.subject == SUBJECT
    assert unicodedata.is_normalized("NFC", result.text + result.subject)


def test_quoted_printable_utf8():
    body = quopri.encodestring(TEXT.encode("utf-8"))
    charset = Charset("utf-8")
    charset.header_encoding = QP
    subject = Header(SUBJECT, charset).encode(linesep="\r\n")
    assert subject.startswith("=?utf-8?q?")
    result = parsed(
        raw_text_mail(body, charset="utf-8", cte="quoted-printable", subject_header=subject)
    )
    assert result.text == TEXT
    assert result.subject == SUBJECT


def test_base64_utf8():
    body = base64.encodebytes(TEXT.encode("utf-8"))
    result = parsed(
        raw_text_mail(body, charset="utf-8", cte="base64", subject_header="Hoi ve goi cuoc")
    )
    assert result.text == TEXT


def test_decomposed_nfd_text_is_normalised_to_nfc():
    nfd_text = unicodedata.normalize("NFD", TEXT)
    nfd_subject = unicodedata.normalize("NFD", SUBJECT)
    assert nfd_text != TEXT
    result = parsed(mail(subject=nfd_subject, text=nfd_text).as_bytes())
    assert result.text == TEXT
    assert result.subject == SUBJECT


def test_unknown_charset_falls_back_without_failing():
    body = TEXT.encode("utf-8")
    result = parsed(raw_text_mail(body, charset="x-unknown-vn", cte="8bit", subject_header="Hoi"))
    assert result.text == TEXT


def test_html_only_mail_becomes_safe_text():
    html = (
        "<html><head><title>Tiêu đề</title><style>p { color: red }</style></head><body>"
        "<script>alert('xss')</script><p onclick=\"steal()\">Xin chào,</p>"
        "<div>Tôi bị trừ tiền <b>hai lần</b> &amp; chưa được hoàn.</div>"
        '<img src="https://tracker.example/p.gif"><a href="javascript:x()">Bấm</a></body></html>'
    )
    result = parsed(mail(text=None, html=html).as_bytes())
    assert result.text == "Xin chào,\n\nTôi bị trừ tiền hai lần & chưa được hoàn.\nBấm"
    for leaked in ("alert", "color", "steal", "javascript", "<", "Tiêu đề"):
        assert leaked not in result.text


def test_plain_part_is_preferred_to_html():
    result = parsed(mail(text="Bản chữ thường", html="<p>Bản <i>HTML</i></p>").as_bytes())
    assert result.text == "Bản chữ thường"


@pytest.mark.parametrize(
    ("headers", "sender", "subject", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, None, None, "auto-reply: Auto-Submitted auto-replied"),
        ({"X-Autoreply": "yes"}, None, None, "auto-reply: X-Autoreply"),
        ({"Precedence": "bulk"}, None, None, "auto-reply: Precedence bulk"),
        ({"Precedence": "auto_reply"}, None, None, "auto-reply: Precedence auto_reply"),
        ({}, None, "Out of Office: đi công tác", "auto-reply: subject"),
        ({}, None, "Trả lời tự động: nghỉ phép", "auto-reply: subject"),
        ({}, "MAILER-DAEMON@mx.khachhang.vn", "Undelivered Mail", "bounce: sender mailer-daemon"),
        ({"X-Loop": "cskh@complaintdesk.local"}, None, None, "loop: X-Loop names us"),
        ({}, "Phòng CSKH <cskh@complaintdesk.local>", None, "loop: sent from our own address"),
    ],
)
def test_automatic_mails_and_loops_are_ignored(headers, sender, subject, reason):
    kwargs = {"headers": headers}
    if sender:
        kwargs["sender"] = sender
    if subject:
        kwargs["subject"] = subject
    result = rejected(mail(**kwargs).as_bytes())
    assert (result.status, result.reason) == (IGNORED, reason)


def test_a_person_saying_auto_submitted_no_is_not_ignored():
    assert parsed(mail(headers={"Auto-Submitted": "no"}).as_bytes()).text


def test_multipart_report_bounce_is_ignored():
    raw = (
        b"From: Mail Delivery System <bounces@mx.khachhang.vn>\r\nTo: cskh@complaintdesk.local\r\n"
        b"Subject: Delivery Status Notification\r\nMessage-ID: <b1@mx.khachhang.vn>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\r\n\r\n'
        b"--BB\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--BB\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--BB--\r\n"
    )
    result = rejected(raw)
    assert result.status == IGNORED
    assert result.reason == "bounce: multipart/report delivery-status"


def test_our_own_message_id_coming_back_is_a_loop():
    result = rejected(mail(message_id="<x1@complaintdesk.local>").as_bytes())
    assert result.reason == "loop: Message-ID of our own domain"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (
            b"Subject: hello\r\nMessage-ID: <m1@x.vn>\r\n\r\nno sender\r\n",
            "no valid sender address (From)",
        ),
        (
            b"From: not an address\r\nMessage-ID: <m2@x.vn>\r\n\r\nbody\r\n",
            "no valid sender address (From)",
        ),
        (b"From: a@b.vn\r\nMessage-ID: <m3@x.vn>\r\n\r\n", "no subject, text or attachment"),
        (b"\xff\xfe\x00garbage\x00\x01", "no valid sender address (From)"),
    ],
)
def test_malformed_mails_are_rejected_with_a_reason_and_an_id(raw, reason):
    result = rejected(raw)
    assert (result.status, result.reason) == (MALFORMED, reason)
    assert result.provider_message_id  # a stable id even without a Message-ID
    assert result.raw == raw


def test_missing_message_id_gets_a_stable_content_id():
    raw = b"From: a@b.vn\r\nSubject: Hoi\r\n\r\nNoi dung\r\n"
    first, second = parsed(raw), parsed(raw)
    assert first.provider_message_id.startswith("sha256:")
    assert first.provider_message_id == second.provider_message_id


def test_reply_headers_and_quoted_history():
    text = "Vẫn chưa được ạ.\n\nOn Mon, 2 Mar 2026 at 10:00, CSKH <cskh@complaintdesk.local> wrote:\n> Đã tiếp nhận"
    result = parsed(
        mail(
            text=text,
            in_reply_to="<ours-1@complaintdesk.local>",
            references="<a@khachhang.vn> <ours-1@complaintdesk.local>",
        ).as_bytes()
    )
    assert result.in_reply_to == "<ours-1@complaintdesk.local>"
    assert result.references == ("<a@khachhang.vn>", "<ours-1@complaintdesk.local>")
    assert result.text == "Vẫn chưa được ạ."


def test_attachments_are_kept_with_their_names():
    msg = mail(
        attachments=[
            ("ảnh lỗi.png", PNG, "image/png"),
            ("hoa don.pdf", b"%PDF-1.4 x", "application/pdf"),
        ]
    )
    result = parsed(msg.as_bytes())
    assert [(a.name, a.content, a.declared_type) for a in result.attachments] == [
        ("ảnh lỗi.png", PNG, "image/png"),
        ("hoa don.pdf", b"%PDF-1.4 x", "application/pdf"),
    ]


@pytest.mark.parametrize(
    "date",
    [
        "Fri, 31 Dec 9999 23:59:59 -1200",  # overflows when made UTC
        "Wed, 1 Jan 1000 00:00:00 +1400",
        "Tue, 1 Jan 1850 08:00:00 +0700",
        "not a date at all",
    ],
)
def test_an_absurd_date_falls_back_to_when_the_mail_was_fetched(date):
    raw = re.sub(rb"(?m)^Date: .*$", b"Date: " + date.encode(), mail().as_bytes(), count=1)
    assert b"Date: " + date.encode() in raw
    result = parsed(raw)
    assert result.received_at == NOW
    assert result.text  # the mail is read, not kept aside as malformed
