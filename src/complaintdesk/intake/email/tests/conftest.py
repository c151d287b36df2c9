from __future__ import annotations

import itertools
import os

import pytest

from complaintdesk.intake.email.tests.servers import Dovecot, SmtpSink, dovecot_binary, free_port

_users = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server of our own (one per test process), stopped at the end.

    Install it with ``apt-get install -y dovecot-imapd``. Skipped only on a developer's machine
    where it is missing and we are not root; in CI or as root a missing Dovecot is a failure.
    """
    binary = dovecot_binary()
    if binary is None:
        if os.environ.get("CI") or os.geteuid() == 0:
            pytest.fail("dovecot is not installed: apt-get install -y dovecot-imapd")
        pytest.skip(
            "dovecot is not installed (apt-get install -y dovecot-imapd) and we are not root"
        )
    server = Dovecot(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox_user(dovecot):
    """A fresh, empty mailbox: the static passdb accepts any user name, each gets its own maildir."""
    return f"cskh{next(_users)}-{os.getpid()}@complaintdesk.test"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()
