from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "complaintdesk.search"
    label = "search"
    verbose_name = _("Tìm kiếm")

    def ready(self) -> None:
        # complaints sits below this app: its services call us through a registered hook.
        from complaintdesk.complaints.hooks import register_after_change
        from complaintdesk.search.services import on_complaint_change

        register_after_change(on_complaint_change)
