"""Errors that services raise and interfaces translate into answers.

Every error carries a machine code, an optional field and both a Vietnamese and an English
message, so the JSON API, the web UI and the commands can speak the user's language without
the domain importing Django's translation machinery.
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(
        self,
        *,
        code: str,
        message_vi: str,
        message_en: str,
        field: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        self.status = status

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang.startswith("en") else self.message_vi

    def __str__(self) -> str:
        return self.message_en


class ValidationFailed(ServiceError):
    """One or more fields are wrong. ``errors`` maps field → (vi, en)."""

    def __init__(self, errors: dict[str, tuple[str, str]]) -> None:
        first_field, (vi, en) = next(iter(errors.items()))
        super().__init__(
            code="invalid", message_vi=vi, message_en=en, field=first_field, status=422
        )
        self.errors = errors


class NotFound(ServiceError):
    def __init__(self, what_vi: str = "Không tìm thấy", what_en: str = "Not found") -> None:
        super().__init__(code="not_found", message_vi=what_vi, message_en=what_en, status=404)


class PermissionRefused(ServiceError):
    def __init__(
        self,
        vi: str = "Bạn không có quyền thực hiện thao tác này.",
        en: str = "You are not allowed to do this.",
    ) -> None:
        super().__init__(code="forbidden", message_vi=vi, message_en=en, status=403)


class Conflict(ServiceError):
    def __init__(
        self,
        vi: str = "Phiếu đã được người khác cập nhật; hãy tải lại rồi thử lại.",
        en: str = "Someone else updated this complaint; reload and try again.",
    ) -> None:
        super().__init__(code="conflict", message_vi=vi, message_en=en, status=409)
