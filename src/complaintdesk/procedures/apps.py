from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "complaintdesk.procedures"
    label = "procedures"

    def ready(self) -> None:
        from complaintdesk.core.memo import clear_on_change
        from complaintdesk.procedures.models import Procedure, ProcedureVersion
        from complaintdesk.procedures.services import active_procedures

        clear_on_change(active_procedures.clear, Procedure, ProcedureVersion)
