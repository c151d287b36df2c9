from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "complaintdesk.notifications"
    label = "notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # sla sits below this app: it calls us through a registered handler, not an import.
        from complaintdesk.notifications.deadlines import on_deadline_events
        from complaintdesk.sla.jobs import register_deadline_handler

        register_deadline_handler(on_deadline_events)
