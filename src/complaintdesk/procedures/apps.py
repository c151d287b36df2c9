from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "complaintdesk.procedures"
    label = "procedures"
