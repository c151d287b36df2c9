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

        # complaints sits below this app too: its services hand us the notices a procedure
        # event triggers through a hook.
        from complaintdesk.complaints.hooks import register_notices
        from complaintdesk.notifications.notices import on_procedure_notices

        register_notices(on_procedure_notices)
