from django.contrib import admin

from complaintdesk.documents.models import LetterTemplate, ReplyLetter


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin[LetterTemplate]):
    list_display = ("slug", "active", "summary", "signer_title", "signer_name")


@admin.register(ReplyLetter)
class ReplyLetterAdmin(admin.ModelAdmin[ReplyLetter]):
    list_display = ("reference", "complaint", "issued_at", "addressee")
    list_filter = ("year",)
    search_fields = ("reference", "complaint__code")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # letters are issued from the complaint, never typed into the register

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
