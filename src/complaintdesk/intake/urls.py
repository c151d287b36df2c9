"""Everything the outside world posts to, and the public pages, under ``/webhooks/``
(namespace ``intake``; mounted by one line in config/urls.py)."""

from django.urls import path

from complaintdesk.intake import webhooks
from complaintdesk.intake.hotline import views as hotline
from complaintdesk.intake.webchat import form_views
from complaintdesk.intake.webchat import views as chat

app_name = "intake"

urlpatterns = [
    # Providers (signed, no CSRF cookie).
    path("facebook", webhooks.facebook_webhook, name="facebook_webhook"),
    path("zalo", webhooks.zalo_webhook, name="zalo_webhook"),
    path("hotline", webhooks.hotline_webhook, name="hotline_webhook"),
    # The agent's hotline pop-up and one-click actions (signed-in staff).
    path("hotline/popup", hotline.popup, name="hotline_popup"),
    path("hotline/popup.json", hotline.popup_json, name="hotline_popup_json"),
    path(
        "hotline/calls/<str:call_id>/complaint",
        hotline.open_complaint,
        name="hotline_open_complaint",
    ),
    path("hotline/callbacks", hotline.callbacks, name="hotline_callbacks"),
    path(
        "hotline/callbacks/<int:pk>/done", hotline.callback_mark_done, name="hotline_callback_done"
    ),
    # The public complaint form and the chat widget (embeddable in the company's site).
    path("form/", form_views.web_form, name="web_form"),
    path("chat/widget.js", chat.widget_js, name="chat_widget"),
    path("chat/", chat.chat_panel, name="chat_panel"),
    path("chat/session", chat.chat_start, name="chat_start"),
    path("chat/messages", chat.chat_send, name="chat_send"),
    path("chat/upload", chat.chat_upload, name="chat_upload"),
    path("chat/stream", chat.chat_stream, name="chat_stream"),
    path("chat/reply/<int:pk>", chat.chat_reply, name="chat_reply"),
]
