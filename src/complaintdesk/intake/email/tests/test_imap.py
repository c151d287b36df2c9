"""End to end against a real Dovecot: mails delivered by IMAP APPEND, fetched by the poll job."""

from __future__ import annotations

import pytest
from imap_tools import AND, MailBoxUnencrypted

from complaintdesk.complaints.models import Attachment, Complaint, Message
from complaintdesk.intake import jobs
from complaintdesk.intake.email.imap import parse_imap_urls, poll_mailbox
from complaintdesk.intake.email.tests.mails import PNG, mail
from complaintdesk.intake.email.tests.servers import IMAP_PASSWORD
from complaintdesk.intake.models import InboundRecord

# transaction=True: the poll marks a mail done only after the intake really committed.
pytestmark = pytest.mark.django_db(transaction=True)


def append(dovecot, user, *mails, folder="INBOX"):
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(user, IMAP_PASSWORD) as box:
        for msg in mails:
            box.append(msg if isinstance(msg, bytes) else msg.as_bytes(), folder)


def unseen(dovecot, user, folder="INBOX"):
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(user, IMAP_PASSWORD, folder) as box:
        return len(box.uids(AND(seen=False))), len(box.uids("ALL"))


def test_poll_files_new_mail_replies_and_skips_automatic_ones(dovecot, mailbox_user, settings):
    settings.EMAIL_IMAP_URL = dovecot.url(mailbox_user)
    append(
        dovecot,
        mailbox_user,
        mail(
            message_id="<first@khachhang.vn>",
            subject="Không đăng nhập được",
            attachments=[("ảnh chụp.png", PNG, "image/png")],
        ),
        mail(
            message_id="<reply@khachhang.vn>",
            in_reply_to="<first@khachhang.vn>",
            text="Đã thử lại, vẫn lỗi.",
        ),
        mail(message_id="<ooo@khachhang.vn>", headers={"Auto-Submitted": "auto-replied"}),
        b"Subject: thieu nguoi gui\r\nMessage-ID: <broken@x.vn>\r\n\r\nabc\r\n",
    )
    reports = jobs.poll_mailboxes.call()
    assert reports == [
        {
            "mailbox": f"{mailbox_user}@127.0.0.1:{dovecot.port}/INBOX",
            "fetched": 4,
            "recorded": 4,
            "left_for_retry": 0,
            "error": "",
        }
    ]
    complaint = Complaint.objects.get()
    assert complaint.subject == "Không đăng nhập được"
    assert Attachment.objects.get(complaint=complaint).original_name == "ảnh chụp.png"
    assert Message.objects.get(complaint=complaint, direction="in").body == "Đã thử lại, vẫn lỗi."
    statuses = dict(InboundRecord.objects.values_list("provider_message_id", "status"))
    assert statuses == {
        "<first@khachhang.vn>": "ok",
        "<reply@khachhang.vn>": "ok",
        "<ooo@khachhang.vn>": "ignored",
        "<broken@x.vn>": "malformed",
    }
    assert unseen(dovecot, mailbox_user) == (0, 4)
    # The next poll finds nothing new.
    assert jobs.poll_mailboxes.call()[0]["fetched"] == 0


def test_a_crash_before_marking_refetches_without_duplicates(dovecot, mailbox_user):
    append(dovecot, mailbox_user, mail(message_id="<crash@khachhang.vn>"))
    spec = parse_imap_urls(dovecot.url(mailbox_user))[0]

    def recorded_then_crashed(raw: bytes) -> bool:
        jobs.receive_mail(raw)
        return False  # as if the process died after the commit, before marking the mail seen

    first = poll_mailbox(spec, recorded_then_crashed)
    assert (first.fetched, first.left_for_retry) == (1, 1)
    assert unseen(dovecot, mailbox_user) == (1, 1)
    second = poll_mailbox(spec, jobs.receive_mail)
    assert (second.fetched, second.recorded) == (1, 1)
    assert Complaint.objects.count() == 1
    assert InboundRecord.objects.get().deliveries == 2
    assert unseen(dovecot, mailbox_user) == (0, 1)


def test_a_mail_that_crashes_the_intake_is_kept_and_the_loop_goes_on(
    dovecot, mailbox_user, monkeypatch
):
    append(
        dovecot,
        mailbox_user,
        mail(message_id="<bad@khachhang.vn>"),
        mail(message_id="<good@khachhang.vn>"),
    )
    real = jobs.intake_accept

    def flaky(outcome, *, now):
        if outcome.provider_message_id == "<bad@khachhang.vn>":
            raise RuntimeError("lỗi bất ngờ")
        return real(outcome, now=now)

    monkeypatch.setattr(jobs, "intake_accept", flaky)
    report = poll_mailbox(parse_imap_urls(dovecot.url(mailbox_user))[0], jobs.receive_mail)
    assert (report.fetched, report.recorded) == (2, 2)
    bad = InboundRecord.objects.get(provider_message_id="<bad@khachhang.vn>")
    assert (bad.status, bad.reason) == ("malformed", "intake failed: RuntimeError: lỗi bất ngờ")
    assert bytes(bad.raw).startswith(b"From: ")
    assert Complaint.objects.count() == 1


def test_move_to_folder_mode_reads_mails_even_if_someone_opened_them(dovecot, mailbox_user):
    append(dovecot, mailbox_user, mail(message_id="<mv@khachhang.vn>"))
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(mailbox_user, IMAP_PASSWORD) as box:
        box.flag(box.uids("ALL"), "\\Seen", True)  # a colleague read it in their mail client
    spec = parse_imap_urls(dovecot.url(mailbox_user, query="move_to=Processed"))[0]
    report = poll_mailbox(spec, jobs.receive_mail)
    assert report.recorded == 1
    assert Complaint.objects.count() == 1
    assert unseen(dovecot, mailbox_user)[1] == 0
    assert unseen(dovecot, mailbox_user, "Processed")[1] == 1


def test_wrong_password_is_reported_not_raised(dovecot, mailbox_user):
    spec = parse_imap_urls(dovecot.url(mailbox_user).replace(IMAP_PASSWORD, "sai"))[0]
    report = poll_mailbox(spec, jobs.receive_mail)
    assert report.error.startswith("MailboxLoginError")
    assert "sai" not in report.error


def test_imap_urls_are_parsed_without_leaking_passwords():
    specs = parse_imap_urls(
        "imaps://cskh%40cty.vn:p%40ss@imap.cty.vn/INBOX?move_to=Done "
        "imap://u:p@127.0.0.1:1143/Khieu%20nai?starttls=1"
    )
    assert [
        (s.host, s.port, s.security, s.username, s.password, s.folder, s.move_to) for s in specs
    ] == [
        ("imap.cty.vn", 993, "ssl", "cskh@cty.vn", "p@ss", "INBOX", "Done"),
        ("127.0.0.1", 1143, "starttls", "u", "p", "Khieu nai", ""),
    ]
    assert "p@ss" not in repr(specs[0])
    with pytest.raises(ValueError, match="invalid IMAP URL"):
        parse_imap_urls("http://x:secret@host/")
