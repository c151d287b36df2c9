from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"
