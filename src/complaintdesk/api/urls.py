"""The typed JSON API, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from complaintdesk.api import children, complaints, errors
from complaintdesk.api.parser import SafeParser
from complaintdesk.api.routers.calendars import router as calendars_router
from complaintdesk.api.routers.procedures import router as procedures_router
from complaintdesk.api.security import BearerAuth, SessionAuth


class JsonErrorsAPI(NinjaAPI):
    """Unknown paths under /api/v1/ (404) and methods a path does not take (405, with ``Allow``)
    answer in the API's error shape, not with Django's HTML pages."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        unknown = csrf_exempt(self._unknown_path)
        urls: list[URLResolver | URLPattern] = []
        for p in super()._get_urls():
            if isinstance(p, URLPattern) and p.name == "api-root":
                # ninja's root view raises Http404 (Django's HTML page); kept for its name.
                p = URLPattern(p.pattern, unknown, p.default_args, p.name)
            elif isinstance(p, URLPattern):
                p = self._json_405(p)
            urls.append(p)
        urls.append(re_path(r"^.*$", unknown))
        return urls

    def _unknown_path(self, request: HttpRequest) -> HttpResponse:
        return errors.error_response(self, request, status=404, code="not_found")

    def _json_405(self, pattern: URLPattern) -> URLPattern:
        view: Callable[..., Any] = pattern.callback

        @functools.wraps(view)  # keeps ninja's csrf_exempt mark
        def json_405(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = errors.error_response(
                    self, request, status=405, code="method_not_allowed"
                )
                response["Allow"] = allowed
            return response

        return URLPattern(pattern.pattern, json_405, pattern.default_args, pattern.name)


api = JsonErrorsAPI(
    title="ComplaintDesk API",
    version="1",
    description=(
        "Tiếp nhận & giải quyết khiếu nại — complaint intake and resolution. Authenticate with "
        "`Authorization: Bearer <token>` (integrations) or the web session (with CSRF). Errors: "
        '`{"detail", "code", "errors": [{"field", "code", "message"}]}` in Vietnamese, or English '
        "with `Accept-Language: en`. Requests are rate limited per token (429 with Retry-After)."
    ),
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    parser=SafeParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", complaints.router)
api.add_router("", children.router)
api.add_router("/calendars", calendars_router)
api.add_router("/procedures", procedures_router)
api.add_router("/reports", "complaintdesk.api.routers.reports.router")
api.add_router("", "complaintdesk.api.routers.documents.router")
api.add_router("/force-majeure", "complaintdesk.api.routers.force_majeure.router")
