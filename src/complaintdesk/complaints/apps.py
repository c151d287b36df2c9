from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaintdesk.complaints"
    label = "complaints"
    verbose_name = _("Phiếu khiếu nại")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from complaintdesk.accounts.models import Department
        from complaintdesk.complaints.models import Category
        from complaintdesk.complaints.services import reference

        for model in (Category, Department):
            post_save.connect(reference.clear, sender=model, dispatch_uid=f"memo-ref-{model}")
            post_delete.connect(reference.clear, sender=model, dispatch_uid=f"memo-ref-d-{model}")
