from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "complaintdesk.portal"
    label = "portal"
    verbose_name = _("Cổng tra cứu của khách hàng")

    def ready(self) -> None:
        from complaintdesk.portal.escalation import on_unsatisfied_deadline
        from complaintdesk.sla.jobs import register_deadline_handler

        register_deadline_handler(on_unsatisfied_deadline)
