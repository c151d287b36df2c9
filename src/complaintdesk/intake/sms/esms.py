"""eSMS.vn (ViHAT) brandname customer-care SMS.

``POST {ESMS_API_BASE}/MainService.svc/json/SendMultipleMessage_V4_post_json/`` with
``{"ApiKey", "SecretKey", "Phone", "Content", "Brandname", "SmsType": "2", "IsUnicode",
"Sandbox", "RequestId"}``; answer ``{"CodeResult": "100", "SMSID": …}`` when accepted
(eSMS developer documentation, see docs/channels.md). ``RequestId`` is the notice's idempotency
key: a retry of a request that was in fact accepted answers ``124`` (duplicate), which counts as
sent. Credentials: the ``sms`` row of *Cấu hình kênh* or ``ESMS_API_KEY`` / ``ESMS_SECRET_KEY`` /
``ESMS_BRANDNAME``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from complaintdesk.intake.base import SendResult
from complaintdesk.intake.conf import channel_settings
from complaintdesk.intake.http import post_json
from complaintdesk.intake.sms.gateway import ascii_text

PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ACCEPTED = "100"
DUPLICATE = "124"
# 99 number blocked, 108 malformed number, 146 text does not match a registered customer-care
# template, 177 network not registered: the same request will fail again. The others
# (credentials, balance, IP not whitelisted, brandname) are fixed by an administrator, then the
# retry goes through.
PERMANENT = {"99", "108", "146", "177"}
MAX_TEXT = 612  # 4 concatenated Unicode segments (or 4 × 153 GSM characters)


def request_body(*, phone: str, text: str, request_id: str, config: Any) -> dict[str, str]:
    unicode = bool(getattr(settings, "ESMS_UNICODE", True))
    content = text if unicode else ascii_text(text)
    return {
        "ApiKey": config.get("api_key"),
        "SecretKey": config.get("secret_key"),
        "Phone": phone.removeprefix("+"),
        "Content": content[:MAX_TEXT],
        "Brandname": config.get("brandname"),
        "SmsType": str(getattr(settings, "ESMS_SMS_TYPE", "2")),
        "IsUnicode": "1" if unicode else "0",
        "Sandbox": "1" if getattr(settings, "ESMS_SANDBOX", False) else "0",
        "RequestId": request_id,
    }


class EsmsGateway:
    name = "esms"

    def send(self, *, phone: str, text: str, request_id: str) -> SendResult:
        config = channel_settings("sms")
        if not config.enabled or not config.get("api_key") or not config.get("secret_key"):
            return SendResult(ok=False, error="eSMS: channel off or no API key")
        base = settings.ESMS_API_BASE.rstrip("/")
        body = request_body(phone=phone, text=text, request_id=request_id, config=config)
        answer = post_json(base + PATH, body)
        data = answer.data if isinstance(answer.data, dict) else {}
        code = str(data.get("CodeResult", ""))
        if answer.status == 200 and code in (ACCEPTED, DUPLICATE):
            return SendResult(ok=True, provider_message_id=str(data.get("SMSID", "")) or request_id)
        if not code:
            return SendResult(
                ok=False,
                error=f"eSMS: {answer.error or answer.status}"[:500],
                retryable=answer.server_error or answer.status == 200,
            )
        message = str(data.get("ErrorMessage", ""))[:300]
        return SendResult(
            ok=False, error=f"eSMS error {code}: {message}", retryable=code not in PERMANENT
        )
