from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "complaintdesk.accounts"
    label = "accounts"
    verbose_name = _("Người dùng và phòng ban")

    def ready(self) -> None:
        from complaintdesk.accounts.auth import tokens
        from complaintdesk.accounts.models import ApiToken, Department, User
        from complaintdesk.core.memo import clear_on_change

        # A token revoked or a user deactivated (or moved) in this process counts at once.
        clear_on_change(tokens.clear, ApiToken, User, Department)
