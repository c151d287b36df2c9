from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "complaintdesk.procedures"
    label = "procedures"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from complaintdesk.procedures.models import Procedure, ProcedureVersion
        from complaintdesk.procedures.services import active_procedures

        for model in (Procedure, ProcedureVersion):
            post_save.connect(active_procedures.clear, sender=model, dispatch_uid=f"memo-{model}")
            post_delete.connect(
                active_procedures.clear, sender=model, dispatch_uid=f"memo-d-{model}"
            )
