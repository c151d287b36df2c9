"""Start management commands as separate processes against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def command_env(**extra: str) -> dict[str, str]:
    """Environment for a child process that uses the database the test is using."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["SQLITE_PATH"] = str(db["NAME"])
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "COMPLAINTDESK_TESTING": "1",
            "COMPLAINTDESK_VAR_DIR": str(settings.VAR_DIR),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    proc = manage(*args, env=env)
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{out}")
    return out
