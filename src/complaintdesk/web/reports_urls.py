"""URLs of the reports pages (namespace ``web:reports``), included from ``web.urls``."""

from django.urls import path

from complaintdesk.web import reports_views as views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:fmt>", views.export, name="export"),
    path("daily/", views.daily, name="daily"),
    path("daily/export.<str:fmt>", views.daily_export, name="daily_export"),
    path("journal/", views.journal_view, name="journal"),
    path("journal/export.csv", views.journal_export, name="journal_export"),
    path("journal/verify/", views.journal_verify_now, name="journal_verify"),
]
