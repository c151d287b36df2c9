from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "complaintdesk.web"
    label = "web"

    def ready(self) -> None:
        from complaintdesk.accounts.models import Department, User
        from complaintdesk.core.memo import clear_on_change
        from complaintdesk.web.forms import choice_lists

        clear_on_change(choice_lists.clear, Department, User)
