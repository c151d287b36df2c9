from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "complaintdesk.accounts"
    label = "accounts"
    verbose_name = _("Người dùng và phòng ban")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from complaintdesk.accounts.auth import tokens
        from complaintdesk.accounts.models import ApiToken, Department, User

        # A token revoked or a user deactivated (or moved) in this process counts at once.
        for model in (ApiToken, User, Department):
            post_save.connect(tokens.clear, sender=model, dispatch_uid=f"memo-tokens-{model}")
            post_delete.connect(tokens.clear, sender=model, dispatch_uid=f"memo-tokens-d-{model}")
