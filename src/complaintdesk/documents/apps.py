from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "complaintdesk.documents"
    label = "documents"
    verbose_name = _("Công văn và văn bản")
