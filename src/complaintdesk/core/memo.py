"""Short-lived in-process memory for reference data read on every request.

An API creation reads the caller's token, the category, the active procedures… Each ORM
query costs far more Python time to build than the database spends answering it, and these rows
change a few times a year. ``TtlMemo`` keeps a loaded value for ``REFERENCE_CACHE_SECONDS``
(default 5 s; 0 turns it off, as the tests do): a change made in this process clears it at once
(the owner calls :meth:`TtlMemo.clear`, usually from a ``post_save`` signal), other processes
see it within the TTL. Use it only where acting on a value a few seconds old is harmless.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_MISSING = object()


class TtlMemo(Generic[T]):
    def __init__(self, name: str, max_entries: int = 1000) -> None:
        self.name = name
        self.max_entries = max_entries
        self._data: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        ttl = float(getattr(settings, "REFERENCE_CACHE_SECONDS", 5))
        if ttl <= 0:
            return load()
        now = time.monotonic()
        hit = self._data.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = (now + ttl, value)
        return value

    def clear(self, *_args: object, **_kwargs: object) -> None:
        """Forget everything (signature fits a signal receiver)."""
        with self._lock:
            self._data.clear()


def clear_on_change(receiver: Callable[..., Any], *models: type[Any]) -> None:
    """Call ``receiver`` (a memo's ``clear``, or any forgetting function) whenever a row of one
    of ``models`` is saved or deleted in this process (call from ``AppConfig.ready``)."""
    name = getattr(receiver, "__qualname__", repr(receiver))
    owner = getattr(receiver, "__self__", None)
    key = f"{name}:{getattr(owner, 'name', '')}"
    for model in models:
        label = model._meta.label
        post_save.connect(receiver, sender=model, dispatch_uid=f"memo-save-{key}-{label}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"memo-delete-{key}-{label}")
