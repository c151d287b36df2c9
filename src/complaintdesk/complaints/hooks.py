"""Hooks that run inside a complaint service's transaction, after its change and journal entry.

Apps that sit above ``complaints`` (search, reports…) keep derived data current without the
complaint services importing them: they register a function here from their ``AppConfig.ready``
and ``complaints.services`` calls :func:`after_change` once at the end of each write, inside the
same transaction. A hook that raises rolls the whole change back, so derived data is never out
of step with the record; a hook must therefore be quick and must not call out of the process
(side effects after commit go through the outbox and ``transaction.on_commit``).

Events passed: ``created`` (complaint_create), ``updated`` (complaint_update),
``transition`` (complaint_transition), ``message`` (message_add). Keyword context a hook may use
to avoid reading back what the service holds: ``complaint`` (the saved instance) and, on
``created`` for a customer created in the same transaction, ``customer_identities`` (all of that
customer's ``(kind, value)`` pairs). Hooks take ``**context`` and ignore what they do not use.

The same way, :func:`emit_notices` hands the customer notices a procedure event triggers (the
answer of ``procedures.services.procedure_apply_event``) to the app that sends them:
``notifications`` registers its handler with :func:`register_notices` and queues one outbox row
per notice in the same transaction (delivery happens after commit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Protocol


class AfterChange(Protocol):
    def __call__(self, *, complaint_id: int, event: str, **context: Any) -> None: ...


_AFTER_CHANGE: list[AfterChange] = []


def _register(hooks: list[Any], hook: Any) -> Callable[[], None]:
    """Add ``hook`` to ``hooks`` once (registering it again is a no-op); returns an undo."""
    if hook not in hooks:
        hooks.append(hook)

    def undo() -> None:
        if hook in hooks:
            hooks.remove(hook)

    return undo


def register_after_change(hook: AfterChange) -> Callable[[], None]:
    """Add a hook (once; registering the same function again is a no-op). Returns an undo."""
    return _register(_AFTER_CHANGE, hook)


def after_change(*, complaint_id: int, event: str, **context: Any) -> None:
    """Run every registered hook for one changed complaint (call inside the transaction)."""
    for hook in tuple(_AFTER_CHANGE):
        hook(complaint_id=complaint_id, event=event, **context)


class EmitNotices(Protocol):
    def __call__(
        self,
        *,
        complaint: Any,
        event: str,
        notices: Sequence[str],
        actor: Any,
        now: datetime,
        occurrence: str = "",
    ) -> None: ...


_NOTICES: list[EmitNotices] = []
_SILENCED: ContextVar[bool] = ContextVar("complaint_notices_silenced", default=False)


@contextmanager
def notices_silenced() -> Iterator[None]:
    """No notice is handed on inside this block: for data that is not a real customer's (the
    demo's invented complaints, walked through their past), who must never be written to."""
    token = _SILENCED.set(True)
    try:
        yield
    finally:
        _SILENCED.reset(token)


def register_notices(hook: EmitNotices) -> Callable[[], None]:
    """Add a notice handler (once; registering the same function again is a no-op). Returns an
    undo."""
    return _register(_NOTICES, hook)


def emit_notices(
    *,
    complaint: Any,
    event: str,
    notices: Sequence[str],
    actor: Any,
    now: datetime,
    occurrence: str = "",
) -> None:
    """Hand the notice kinds ``event`` triggered on ``complaint`` to the registered handlers
    (call inside the transaction, after ``procedure_apply_event``). ``occurrence`` tells two
    occurrences of one event apart in the handlers' dedupe keys; the complaint's version (bumped
    by every write) when empty. Nothing to do, and no cost, when ``notices`` is empty."""
    if not notices or _SILENCED.get():
        return
    for hook in tuple(_NOTICES):
        hook(
            complaint=complaint,
            event=event,
            notices=notices,
            actor=actor,
            now=now,
            occurrence=occurrence,
        )
