"""Playwright fixtures: Debian's Chromium against pytest-django's live server.

Screenshots of every visited page go to ``artifacts/screenshots/<test>/NN-name.png``.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "matkhau-123"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Shots:
    def __init__(self, test_name: str) -> None:
        self.dir = SHOTS / re.sub(r"[^\w.-]+", "_", test_name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.n = 0

    def __call__(self, page, name: str, full_page: bool = True) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def shot(request):
    return Shots(request.node.name)


@pytest.fixture
def org(transactional_db):
    from complaintdesk.complaints.tests.factories import make_org

    return make_org()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _clean_cache(transactional_db):
    from django.core.cache import cache

    cache.clear()


def sign_in(page, username: str, *, english: bool = False) -> None:
    page.goto("/login/")
    page.get_by_label("Username" if english else "Tên đăng nhập").fill(username)
    page.get_by_label("Password" if english else "Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Sign in" if english else "Đăng nhập").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^(Đăng xuất|Sign out)$")).click()
    page.wait_for_url(re.compile("/login/"))


def take_action(
    page, label: str, fields: dict[str, str] | None = None, selects: dict[str, str] | None = None
) -> None:
    """Open an action on the complaint page, fill what it asks for, confirm."""
    box = page.locator(
        "details.action", has=page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    box.locator("summary").click()
    for name, value in (fields or {}).items():
        box.get_by_label(name, exact=True).fill(value)
    for name, value in (selects or {}).items():
        box.get_by_label(name, exact=True).select_option(value)
    box.get_by_role("button", name=f"Xác nhận: {label}").click()
    page.wait_for_load_state()


def png(width: int = 240, height: int = 160) -> bytes:
    """A real PNG (a 'scanned letter': white page with grey text lines)."""
    rows = []
    for y in range(height):
        line = bytearray([0])
        for x in range(width):
            ink = 20 < x < width - 20 and y % 16 in (8, 9) and y > 20
            line += bytes([90, 90, 90] if ink else [250, 250, 245])
        rows.append(bytes(line))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
