"""Test settings: the base settings with fast password hashing and an in-memory outbox."""

import os

os.environ.setdefault("COMPLAINTDESK_TESTING", "1")
os.environ.setdefault("TASKS_BACKEND", "immediate")

from config.settings import *  # noqa: F403
from config.settings import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# pytest-xdist runs several workers at once: each gets its own files and SQLite database.
worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT = VAR_DIR / f"test-media-{worker}"
# The cache stays in the test database (rolled back after each test) even when REDIS_URL is set
# for the tests marked `redis`: counters (sign-in lockout, rate limits) never leak between
# tests, parallel workers or runs.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "complaintdesk_cache",
    }
}
if "sqlite" in DATABASES["default"]["ENGINE"]:
    # A file, not memory: concurrency tests need several connections to one database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{worker}.sqlite3")}
# Tests see every change at once (core/memo.py is tested with its own setting).
REFERENCE_CACHE_SECONDS = 0
