from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaintdesk.complaints"
    label = "complaints"
    verbose_name = _("Phiếu khiếu nại")
