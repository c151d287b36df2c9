"""One error shape for every refusal, in Vietnamese (default) or English (``Accept-Language``).

    {"detail": "<summary>", "code": "<machine code>",
     "errors": [{"field": "customer.phone", "code": "invalid_phone", "message": "…"}]}

Anticipated bad input (malformed JSON, wrong types, unknown fields, refused actions, stale
versions, broken uploads) is answered here; anything else is a bug and stays a 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from complaintdesk.api.ratelimit import anonymous_retry_after
from complaintdesk.complaints.domain.lifecycle import TransitionRefused
from complaintdesk.complaints.messages import MESSAGES, msg
from complaintdesk.core.errors import ServiceError, ValidationFailed
from complaintdesk.force_majeure.messages import MESSAGES as FM_MESSAGES

logger = logging.getLogger(__name__)

SUMMARIES: dict[str, tuple[str, str]] = {
    "invalid": ("Dữ liệu không hợp lệ.", "Invalid input."),
    "unauthenticated": (
        "Cần đăng nhập hoặc khóa API hợp lệ (Authorization: Bearer …).",
        "Sign in or send a valid API token (Authorization: Bearer …).",
    ),
    "csrf_failed": (
        "Thiếu hoặc sai mã CSRF; hãy tải lại trang rồi thử lại.",
        "CSRF check failed; reload the page and try again.",
    ),
    "forbidden": ("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."),
    "not_found": ("Không tìm thấy.", "Not found."),
    "invalid_json": MESSAGES["invalid_json"],
    "body_too_large": MESSAGES["body_too_large"],
    "invalid_upload": MESSAGES["invalid_upload"],
    "method_not_allowed": (
        "Phương thức không được hỗ trợ cho địa chỉ này.",
        "This method is not allowed here.",
    ),
    "rate_limited": (
        "Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau {retry_after} giây.",
        "Too many requests in a short time; try again in {retry_after} seconds.",
    ),
    "error": ("Yêu cầu không thực hiện được.", "The request could not be completed."),
}

# pydantic error type → our message code (see complaints/messages.py).
PYDANTIC_CODES: dict[str, str] = {
    "missing": "required",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "extra_forbidden": "unknown_field",
    "model_type": "invalid_object",
    "model_attributes_type": "invalid_object",
    "dict_type": "invalid_object",
    "list_type": "invalid_list",
    "string_type": "invalid_string",
    "string_unicode": "invalid_string",
    "string_pattern_mismatch": "invalid",
    "int_type": "invalid_int",
    "int_parsing": "invalid_int",
    "int_from_float": "invalid_int",
    "int_parsing_size": "invalid_int",
    "bool_type": "invalid_bool",
    "bool_parsing": "invalid_bool",
    "datetime_type": "invalid_datetime",
    "datetime_parsing": "invalid_datetime",
    "datetime_from_date_parsing": "invalid_datetime",
    "datetime_object_invalid": "invalid_datetime",
    "timezone_aware": "naive_datetime",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "literal_error": "invalid",
    "enum": "invalid",
}


class ApiError(Exception):
    """A refusal decided by the interface itself (auth, CSRF, sizes)."""

    def __init__(self, status: int, code: str, *, field: str | None = None, **params: object):
        super().__init__(code)
        self.status, self.code, self.field, self.params = status, code, field, params


class RateLimited(ApiError):
    """429: the caller used up its requests for the current window (see ``api.ratelimit``)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "rate_limited", retry_after=retry_after)
        self.retry_after = retry_after


def lang_of(request: HttpRequest) -> str:
    """'en' when the request prefers English (LocaleMiddleware read Accept-Language), else 'vi'."""
    return "en" if str(getattr(request, "LANGUAGE_CODE", "vi")).startswith("en") else "vi"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    lang = lang_of(request)
    errors = errors or []
    if detail is None:
        if len(errors) == 1:
            detail = errors[0]["message"]
        else:
            detail = _pick(SUMMARIES.get(code, SUMMARIES["error"]), lang)
    body: dict[str, Any] = {"detail": detail, "code": code, "errors": errors}
    response = api.create_response(request, body, status=status)
    response["Content-Language"] = lang
    return response


def rate_limited_response(api: NinjaAPI, request: HttpRequest, retry_after: int) -> HttpResponse:
    detail = _pick(SUMMARIES["rate_limited"], lang_of(request)).format(retry_after=retry_after)
    response = error_response(api, request, status=429, code="rate_limited", detail=detail)
    response["Retry-After"] = str(retry_after)
    return response


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form", "file", "cookie"):
        source = parts.pop(0)
        # A single body schema is read under the handler's parameter name: drop it.
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
        if (
            source in ("query", "path", "form", "file")
            and parts
            and parts[0] in ("filters", "form")
        ):
            parts.pop(0)
    return ".".join(parts) or "body"


def translate_pydantic(errors: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for err in errors:
        field = _field(err.get("loc", ()))
        if field in seen:
            continue  # one message per field (a union reports each member)
        seen.add(field)
        kind = str(err.get("type", ""))
        ctx = err.get("ctx") or {}
        code = PYDANTIC_CODES.get(kind, "invalid")
        if kind == "string_too_short" and ctx.get("min_length") == 1:
            code = "required"  # blank once whitespace is stripped
        if kind in ("value_error", "assertion_error"):
            said = str(ctx.get("error", "")).removeprefix("Value error, ").strip()
            code = said if said in MESSAGES else "invalid"
        params = {
            "max": ctx.get("max_length", ctx.get("le", "?")),
            "min": ctx.get("min_length", ctx.get("ge", "?")),
            "value": "",
            "type": "?",
        }
        out.append({"field": field, "code": code, "message": _pick(msg(code, **params), lang)})
    return out


def _template_re(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template.replace("{{", "{").replace("}}", "}"))
    return re.compile("^" + ".*".join(re.escape(p) for p in parts) + "$", re.DOTALL)


_BY_TEXT = [
    (code, _template_re(vi))
    for messages in (MESSAGES, FM_MESSAGES)
    for code, (vi, _en) in messages.items()
]


def message_code(text_vi: str, default: str = "invalid") -> str:
    """The message code a service used (ValidationFailed keeps only the texts)."""
    for code, pattern in _BY_TEXT:
        if pattern.match(text_vi):
            return code
    return default


def _service_errors(exc: ServiceError, lang: str) -> list[dict[str, str]]:
    if isinstance(exc, ValidationFailed):
        return [
            {"field": field, "code": message_code(pair[0]), "message": _pick(pair, lang)}
            for field, pair in exc.errors.items()
        ]
    if exc.field:
        return [{"field": exc.field, "code": exc.code, "message": exc.message(lang)}]
    return []


REFUSAL_STATUS = {
    "not_applicable": 409,
    "role_not_allowed": 403,
    "input_missing": 422,
    "input_invalid": 422,
    "unknown_action": 404,
}


def _on(api: NinjaAPI, exc_class: type[Exception], handler: Callable[..., HttpResponse]) -> None:
    api.add_exception_handler(exc_class, handler)


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every anticipated failure into the one error shape."""

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = translate_pydantic(list(exc.errors), lang_of(request))
        return error_response(api, request, status=422, code="invalid", errors=errors)

    def on_service(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        lang = lang_of(request)
        errors = _service_errors(exc, lang)
        detail = None if errors else exc.message(lang)
        return error_response(
            api, request, status=exc.status, code=exc.code, detail=detail, errors=errors
        )

    def on_refused(request: HttpRequest, exc: TransitionRefused) -> HttpResponse:
        lang = lang_of(request)
        message = exc.message(lang)
        errors = []
        if exc.field:
            errors = [{"field": f"inputs.{exc.field}", "code": exc.code, "message": message}]
        return error_response(
            api,
            request,
            status=REFUSAL_STATUS.get(exc.code, 409),
            code=exc.code,
            detail=message,
            errors=errors,
        )

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        lang = lang_of(request)
        errors = []
        if exc.field:
            message = _pick(msg(exc.code, **exc.params), lang)
            errors = [{"field": exc.field, "code": exc.code, "message": message}]
        return error_response(api, request, status=exc.status, code=exc.code, errors=errors)

    def on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        return rate_limited_response(api, request, exc.retry_after)

    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        retry_after = anonymous_retry_after(request)
        if retry_after:
            return rate_limited_response(api, request, retry_after)
        response = error_response(api, request, status=401, code="unauthenticated")
        response["WWW-Authenticate"] = 'Bearer realm="complaintdesk"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises HttpError(400) when the body cannot be parsed (see parser.SafeParser).
        code = "invalid_json" if exc.status_code == 400 else "error"
        if exc.status_code == 403:
            code = "forbidden"
        return error_response(api, request, status=exc.status_code, code=code)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, status=404, code="not_found")

    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, status=413, code="body_too_large")

    def on_broken_upload(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.info("broken upload refused: %s", exc)
        return error_response(api, request, status=400, code="invalid_upload")

    _on(api, ValidationError, on_validation)
    _on(api, ServiceError, on_service)
    _on(api, TransitionRefused, on_refused)
    _on(api, ApiError, on_api_error)
    _on(api, RateLimited, on_rate_limited)
    _on(api, AuthenticationError, on_unauthenticated)
    _on(api, HttpError, on_http_error)
    _on(api, Http404, on_not_found)
    _on(api, RequestDataTooBig, on_too_big)
    _on(api, TooManyFieldsSent, on_broken_upload)
    _on(api, MultiPartParserError, on_broken_upload)
