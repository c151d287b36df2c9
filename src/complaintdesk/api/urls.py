"""The typed JSON API, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from complaintdesk.api import children, complaints, errors
from complaintdesk.api.parser import SafeParser
from complaintdesk.api.routers.calendars import router as calendars_router
from complaintdesk.api.routers.procedures import router as procedures_router
from complaintdesk.api.security import BearerAuth, SessionAuth

api = NinjaAPI(
    title="ComplaintDesk API",
    version="1",
    description=(
        "Tiếp nhận & giải quyết khiếu nại — complaint intake and resolution. Authenticate with "
        "`Authorization: Bearer <token>` (integrations) or the web session (with CSRF). Errors: "
        '`{"detail", "code", "errors": [{"field", "code", "message"}]}` in Vietnamese, or English '
        "with `Accept-Language: en`."
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
