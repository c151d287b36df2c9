from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"

    def ready(self) -> None:
        from complaintdesk.core.memo import clear_on_change
        from complaintdesk.sla.calendars import calendar_clear_cache
        from complaintdesk.sla.models import Calendar, CalendarDay, GovernmentDecision

        # A calendar edited in this process applies at once (other processes: core.memo's TTL).
        clear_on_change(calendar_clear_cache, Calendar, CalendarDay, GovernmentDecision)
