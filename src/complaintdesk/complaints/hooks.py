"""Hooks that run inside a complaint service's transaction, after its change and journal entry.

Apps that sit above ``complaints`` (search, reports…) keep derived data current without the
complaint services importing them: they register a function here from their ``AppConfig.ready``
and ``complaints.services`` calls :func:`after_change` once at the end of each write, inside the
same transaction. A hook that raises rolls the whole change back, so derived data is never out
of step with the record; a hook must therefore be quick and must not call out of the process
(side effects after commit go through the outbox and ``transaction.on_commit``).

Events passed: ``created`` (complaint_create), ``updated`` (complaint_update),
``transition`` (complaint_transition), ``message`` (message_add).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class AfterChange(Protocol):
    def __call__(self, *, complaint_id: int, event: str) -> None: ...


_AFTER_CHANGE: list[AfterChange] = []


def register_after_change(hook: AfterChange) -> Callable[[], None]:
    """Add a hook (once; registering the same function again is a no-op). Returns an undo."""
    if hook not in _AFTER_CHANGE:
        _AFTER_CHANGE.append(hook)

    def undo() -> None:
        if hook in _AFTER_CHANGE:
            _AFTER_CHANGE.remove(hook)

    return undo


def after_change(*, complaint_id: int, event: str) -> None:
    """Run every registered hook for one changed complaint (call inside the transaction)."""
    for hook in tuple(_AFTER_CHANGE):
        hook(complaint_id=complaint_id, event=event)
