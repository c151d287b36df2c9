"""URLs of the agent workspace (namespace ``web``)."""

from django.urls import include, path

from complaintdesk.web.views import auth, complaint, config, force_majeure, intake, lists, work

app_name = "web"

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("my-work/", work.my_work, name="my_work"),
    path("board/", work.board, name="board"),
    path("leadership/", work.leadership, name="leadership"),
    path("complaints/", lists.complaint_list, name="complaint_list"),
    path("complaints/filters/", lists.saved_filter_create, name="filter_save"),
    path("complaints/filters/<int:pk>/delete/", lists.saved_filter_remove, name="filter_delete"),
    path("complaints/new/", intake.complaint_new, name="complaint_new"),
    path("complaints/new/lookup/", intake.customer_lookup, name="customer_lookup"),
    path("complaints/new/preview/", intake.procedure_preview, name="procedure_preview"),
    path("complaints/<int:pk>/", complaint.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/receipt/", intake.intake_receipt, name="receipt"),
    path(
        "complaints/<int:pk>/actions/<slug:action>/",
        complaint.complaint_action,
        name="complaint_action",
    ),
    path("complaints/<int:pk>/messages/", complaint.complaint_message, name="complaint_message"),
    path("complaints/<int:pk>/assign/", complaint.complaint_assign, name="complaint_assign"),
    path(
        "complaints/<int:pk>/reply-letter/", complaint.reply_letter_issue, name="reply_letter_issue"
    ),
    path("complaints/<int:pk>/tasks/", complaint.task_new, name="task_new"),
    path("complaints/<int:pk>/tasks/<int:task_pk>/", complaint.task_edit, name="task_edit"),
    path("complaints/<int:pk>/attachments/", complaint.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", complaint.attachment_file, name="attachment_file"),
    path("procedures/", config.procedure_index, name="procedures"),
    path("procedures/<slug:slug>/", config.procedure_view, name="procedure_view"),
    path("force-majeure/", force_majeure.force_majeure, name="force_majeure"),
    path(
        "force-majeure/declare/", force_majeure.force_majeure_declare, name="force_majeure_declare"
    ),
    path(
        "force-majeure/<int:pk>/<slug:operation>/",
        force_majeure.force_majeure_operate,
        name="force_majeure_operate",
    ),
    path("reports/", include("complaintdesk.web.reports_urls")),
]
