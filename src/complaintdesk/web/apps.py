from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "complaintdesk.web"
    label = "web"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from complaintdesk.accounts.models import Department, User
        from complaintdesk.web.forms import choice_lists

        for model in (Department, User):
            post_save.connect(choice_lists.clear, sender=model, dispatch_uid=f"web-choices-{model}")
            post_delete.connect(
                choice_lists.clear, sender=model, dispatch_uid=f"web-choices-d-{model}"
            )
