from django.contrib import admin

from complaintdesk.reports.models import CustomerBase, JournalVerification, ReportDelivery


@admin.register(CustomerBase)
class CustomerBaseAdmin(admin.ModelAdmin[CustomerBase]):
    list_display = ("period_start", "size", "note", "updated_at")
    date_hierarchy = "period_start"


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin[ReportDelivery]):
    list_display = ("period_start", "recipient", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "period_start")
    readonly_fields = [f.name for f in ReportDelivery._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(JournalVerification)
class JournalVerificationAdmin(admin.ModelAdmin[JournalVerification]):
    list_display = ("started_at", "finished_at", "ok", "chains", "entries", "checkpoints")
    readonly_fields = [f.name for f in JournalVerification._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
