"""Test doubles for delivery adapters."""

from __future__ import annotations

from typing import ClassVar

from complaintdesk.notifications.deliverers import DeliveryFailed, OutgoingNotice


class FlakyDeliverer:
    """Fails the first ``fail_times`` sends, then succeeds; remembers every call."""

    channel = "email"
    fail_times: ClassVar[int] = 0
    permanent: ClassVar[bool] = False
    calls: ClassVar[list[OutgoingNotice]] = []

    @classmethod
    def reset(cls, *, fail_times: int = 0, permanent: bool = False) -> None:
        cls.fail_times, cls.permanent, cls.calls = fail_times, permanent, []

    def send(self, notice: OutgoingNotice) -> str:
        type(self).calls.append(notice)
        if len(type(self).calls) <= type(self).fail_times:
            raise DeliveryFailed("SMTP 451 thử lại sau", permanent=type(self).permanent)
        return f"fake-{notice.outbox_id}"
