from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForceMajeureConfig(AppConfig):
    name = "complaintdesk.force_majeure"
    label = "force_majeure"
    verbose_name = _("Sự kiện bất khả kháng")

    def ready(self) -> None:
        # sla sits below this app: it asks us through registered hooks, not imports.
        from complaintdesk.force_majeure.services import fm_describe_pause, fm_pauses_for_new_clock
        from complaintdesk.sla.services import register_pause_describer, register_pause_provider

        register_pause_provider(fm_pauses_for_new_clock)
        register_pause_describer(fm_describe_pause)
