"""Real mail servers on the loopback interface for the email tests: Dovecot (IMAP), started as a
subprocess with a generated configuration in a temporary directory, and aiosmtpd (SMTP)."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

IMAP_PASSWORD = "matkhau-imap"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )


def _version(binary: str) -> tuple[int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = out.split()[0].split(".")[:2]
    return int(major), int(minor)


def _accounts() -> tuple[str, str, str, int, int]:
    """(internal user, login user, group, mail uid, mail gid). As root: Debian's dovecot users and
    ``nobody`` for the mail files (Dovecot refuses uid 0); otherwise everything as ourselves."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return (
            "dovecot",
            "dovenull",
            grp.getgrgid(pwd.getpwnam("dovecot").pw_gid).gr_name,
            nobody.pw_uid,
            nobody.pw_gid,
        )
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, grp.getgrgid(me.pw_gid).gr_name, me.pw_uid, me.pw_gid


def _config_23(d: Path, port: int) -> str:
    internal, login, group, uid, gid = _accounts()
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = cd-test-{port}
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
last_valid_gid = {gid}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
passdb {{
  driver = static
  args = password={IMAP_PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def _config_24(d: Path, port: int) -> str:
    internal, login, group, uid, gid = _accounts()
    return f"""
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = cd-test-{port}
log_path = {d}/dovecot.log
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
mail_driver = maildir
mail_path = {d}/mail/%{{user}}
first_valid_uid = {uid}
last_valid_uid = {uid}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
passdb static {{
  password = {IMAP_PASSWORD}
}}
userdb static {{
  fields {{
    uid = {uid}
    gid = {gid}
    home = {d}/home/%{{user}}
  }}
}}
service imap-login {{
  inet_listener imap {{
    listen = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    binary: str
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cd-dovecot-")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> str:
        path = self.directory / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        d = self.directory
        d.chmod(0o755)  # the unprivileged mail and login processes must reach their files
        _, _, _, uid, gid = _accounts()
        for sub in ("run", "state", "mail", "home"):
            (d / sub).mkdir(mode=0o755)
        for sub in ("mail", "home"):
            os.chown(d / sub, uid, gid)
        config = (
            _config_24(d, self.port)
            if _version(self.binary) >= (2, 4)
            else _config_23(d, self.port)
        )
        (d / "dovecot.conf").write_text(config)
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(d / "dovecot.conf")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = (
                    self.process.stdout.read().decode(errors="replace")
                    if self.process.stdout
                    else ""
                )
                raise RuntimeError(f"dovecot exited: {output}\n{self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port}\n{self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, user: str, *, folder: str = "INBOX", query: str = "") -> str:
        from urllib.parse import quote

        tail = f"?{query}" if query else ""
        return f"imap://{quote(user, safe='')}:{IMAP_PASSWORD}@127.0.0.1:{self.port}/{folder}{tail}"


class SmtpSink:
    """aiosmtpd handler: keeps every accepted mail; refuses some addresses like a real server."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("khongtontai@"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("banron@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            (list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        )
        return "250 Message accepted"
