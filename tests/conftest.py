"""Cross-app tests. Browser tests (marked ``browser``) need Playwright's Python package and
Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium``); without them they are
skipped with the reason, never silently passed."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package")
    if shutil.which(CHROMIUM) is None:
        missing.append(CHROMIUM)
    if not missing:
        return
    skip = pytest.mark.skip(reason="browser tests need " + " and ".join(missing))
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
