from django.urls import path

from complaintdesk.portal import agent, procedure, views

app_name = "portal"

urlpatterns = [
    path("", views.start, name="start"),
    path("xac-thuc/", views.verify, name="verify"),
    path("l/<str:token>/", views.link, name="link"),
    path("phieu/", views.complaint, name="complaint"),
    path("phieu/cong-van.pdf", views.letter, name="letter"),
    path("phieu/<slug:what>/", views.act, name="act"),
    path("thoat/", views.leave, name="leave"),
    path("nhan-vien/thong-bao/<str:code>/", agent.send_notice, name="send_notice"),
    path("quy-trinh/", procedure.procedure_page, name="procedure"),
    path("quy-trinh/<slug:slug>/", procedure.procedure_page, name="procedure_of"),
]
