"""Polling mailboxes over IMAP (imap-tools).

A mailbox is configured as a URL (several separated by spaces)::

    imaps://cskh%40example.vn:password@imap.example.vn/INBOX?move_to=Processed
    imap://user:password@127.0.0.1:1143/INBOX?starttls=1

``imaps`` is IMAP over TLS (port 993), ``imap`` plain IMAP (port 143) or STARTTLS with
``starttls=1``; user and password are percent-encoded. A mail is marked \\Seen — or moved to
``move_to`` — only after the handler says it is safely recorded (its transaction committed): a
crash in between fetches it again next time, and the intake's idempotency makes that harmless.
With ``move_to`` every mail left in the folder is read, so a person reading the mailbox in a mail
client (which marks mails seen) cannot hide one from the poll.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.consts import MailMessageFlags
from imap_tools.errors import ImapToolsError

logger = logging.getLogger(__name__)
Handler = Callable[[bytes], bool]  # True: recorded and committed, the mail may be marked done


@dataclass(frozen=True)
class MailboxSpec:
    host: str
    port: int
    security: str  # ssl | starttls | plain
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    move_to: str = ""

    @property
    def label(self) -> str:
        """For logs and reports: never the password."""
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


def _flag(query: dict[str, list[str]], name: str) -> bool:
    return (query.get(name) or [""])[0].lower() in {"1", "true", "yes", "on"}


def parse_imap_urls(value: str) -> list[MailboxSpec]:
    """Every mailbox in ``value``; ``ValueError`` (without the password) for a bad URL."""
    specs = []
    for item in re.split(r"\s+", (value or "").strip()):
        if not item:
            continue
        url = urlsplit(item)
        if url.scheme not in ("imap", "imaps") or not url.hostname or not url.username:
            raise ValueError(
                f"invalid IMAP URL for host {url.hostname or '?'} (imap[s]://user:password@host/FOLDER)"
            )
        query = parse_qs(url.query)
        starttls = url.scheme == "imap" and _flag(query, "starttls")
        security = "ssl" if url.scheme == "imaps" else "starttls" if starttls else "plain"
        specs.append(
            MailboxSpec(
                host=url.hostname,
                port=url.port or (993 if security == "ssl" else 143),
                security=security,
                username=unquote(url.username),
                password=unquote(url.password or ""),
                folder=unquote(url.path.lstrip("/")) or "INBOX",
                move_to=(query.get("move_to") or [""])[0],
            )
        )
    return specs


@dataclass
class PollReport:
    mailbox: str
    fetched: int = 0
    recorded: int = 0
    left_for_retry: int = 0
    error: str = ""


def _connect(spec: MailboxSpec, timeout: float) -> BaseMailBox:
    if spec.security == "ssl":
        return MailBox(
            spec.host, spec.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    if spec.security == "starttls":
        return MailBoxStartTls(
            spec.host, spec.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    return MailBoxUnencrypted(spec.host, spec.port, timeout=timeout)


def _fetch_raw(box: BaseMailBox, uid: str) -> bytes | None:
    """The mail's exact source (BODY.PEEK: fetching does not mark it seen)."""
    typ, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if typ != "OK":
        return None
    for item in data or []:
        if isinstance(item, tuple) and len(item) > 1 and isinstance(item[1], bytes):
            return item[1]
    return None


def _mark_done(box: BaseMailBox, spec: MailboxSpec, uid: str) -> None:
    if spec.move_to:
        if not box.folder.exists(spec.move_to):
            box.folder.create(spec.move_to)
        box.move(uid, spec.move_to)
    else:
        box.flag(uid, MailMessageFlags.SEEN, True)


def poll_mailbox(
    spec: MailboxSpec, handle: Handler, *, limit: int = 50, timeout: float = 30
) -> PollReport:
    """Hand up to ``limit`` waiting mails to ``handle``; never raises (errors are reported)."""
    report = PollReport(spec.label)
    try:
        with _connect(spec, timeout) as box:
            box.login(spec.username, spec.password, initial_folder=spec.folder)
            criteria = AND(all=True) if spec.move_to else AND(seen=False)
            for uid in box.uids(criteria)[:limit]:
                raw = _fetch_raw(box, uid)
                if raw is None:
                    continue
                report.fetched += 1
                if handle(raw):
                    _mark_done(box, spec, uid)
                    report.recorded += 1
                else:
                    report.left_for_retry += 1
    except (ImapToolsError, imaplib.IMAP4.error, OSError) as exc:
        report.error = f"{type(exc).__name__}: {str(exc)[:300]}"
        logger.warning("polling mailbox %s failed: %s", spec.label, report.error)
    return report
