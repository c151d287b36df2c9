from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaintdesk.complaints"
    label = "complaints"
    verbose_name = _("Phiếu khiếu nại")

    def ready(self) -> None:
        from complaintdesk.accounts.models import Department
        from complaintdesk.complaints.models import Category
        from complaintdesk.complaints.services import reference
        from complaintdesk.core.memo import clear_on_change

        clear_on_change(reference.clear, Category, Department)
