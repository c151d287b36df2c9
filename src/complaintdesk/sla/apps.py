from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from complaintdesk.sla.calendars import calendar_clear_cache
        from complaintdesk.sla.models import Calendar, CalendarDay, GovernmentDecision

        # A calendar edited in this process applies at once (other processes: core.memo's TTL).
        for model in (Calendar, CalendarDay, GovernmentDecision):
            post_save.connect(calendar_clear_cache, sender=model, dispatch_uid=f"cal-{model}")
            post_delete.connect(calendar_clear_cache, sender=model, dispatch_uid=f"cal-d-{model}")
