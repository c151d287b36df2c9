"""A short way through the middleware for the providers' signed webhooks.

Messenger, Zalo and the call centre POST machine-to-machine: no cookie, no session, no signed-in
user, no CSRF token (the signature replaces it), no page to frame or translate. On the browser
stack (sessions, locale, common, CSRF, authentication, messages, clickjacking, htmx) such a request
costs about a quarter of its CPU for nothing, and these are the busiest URLs of the site. So this
middleware, placed right after ``SecurityMiddleware`` in ``settings.MIDDLEWARE``, hands the
exact provider webhook paths straight to their views; every other URL — including the other
pages under ``/webhooks/`` (form, chat, hotline pop-up) — takes the full stack.

What the skipped middleware would have done that still matters here is done here: the Host
header is checked against ``ALLOWED_HOSTS`` (``CommonMiddleware``), and the site's language is
the active one (``LocaleMiddleware``). Exceptions still become Django's error responses (the
handler wraps every middleware).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import NoReverseMatch, get_script_prefix, resolve, reverse
from django.utils import translation

# URL names of the provider webhooks (intake/urls.py) that take the short way.
PROVIDER_WEBHOOKS = ("intake:facebook_webhook", "intake:zalo_webhook", "intake:hotline_webhook")

View = Callable[[HttpRequest], HttpResponseBase]


class ProviderWebhookMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self._views: dict[str, View] | None = None

    def views(self) -> dict[str, View]:
        """path → view of each provider webhook (looked up once, when the URLconf is loaded)."""
        if self._views is None:
            found: dict[str, View] = {}
            for name in PROVIDER_WEBHOOKS:
                try:
                    url = reverse(name)
                except NoReverseMatch:
                    continue
                path = "/" + url[len(get_script_prefix()) :]  # as request.path_info
                found[path] = resolve(path).func
            self._views = found
        return self._views

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        view = self.views().get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.get_host()  # DisallowedHost (400) for a Host not in ALLOWED_HOSTS
        translation.activate(settings.LANGUAGE_CODE)
        return view(request)
