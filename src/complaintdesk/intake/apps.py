from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "complaintdesk.intake"
    label = "intake"

    def ready(self) -> None:
        # The webhook doors remember channel credentials for a few seconds: a change made in
        # the admin must reach them at once.
        from django.db.models.signals import post_delete, post_save

        from complaintdesk.intake.conf import forget_channel_rows
        from complaintdesk.intake.models import ChannelConfig

        post_save.connect(forget_channel_rows, sender=ChannelConfig, dispatch_uid="intake-conf")
        post_delete.connect(forget_channel_rows, sender=ChannelConfig, dispatch_uid="intake-conf")
