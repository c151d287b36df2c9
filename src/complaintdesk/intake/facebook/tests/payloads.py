"""Messenger webhook bodies as Meta sends them (compact JSON, signed over the raw bytes)."""

from __future__ import annotations

import json
import time

from complaintdesk.intake.facebook.parse import sign

SECRET = "fb-app-secret"
PAGE_ID = "106000000000001"
PSID = "6100000000000042"


def event(
    text: str | None = "Tôi bị trừ tiền hai lần khi mua gói VIP",
    *,
    mid: str = "m_AAAA1",
    psid: str = PSID,
    attachments: list | None = None,
    echo: bool = False,
    timestamp_ms: int | None = None,
) -> dict:
    message: dict = {"mid": mid}
    if text is not None:
        message["text"] = text
    if attachments:
        message["attachments"] = attachments
    if echo:
        message["is_echo"] = True
        message["app_id"] = 1517776481860111
    return {
        "sender": {"id": PAGE_ID if echo else psid},
        "recipient": {"id": psid if echo else PAGE_ID},
        "timestamp": timestamp_ms or int(time.time() * 1000),
        "message": message,
    }


def body(*events: dict, obj: str = "page") -> bytes:
    payload = {
        "object": obj,
        "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": list(events)}],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def post(client, raw: bytes, *, signature: str | None = "auto"):
    headers = {}
    if signature == "auto":
        headers["HTTP_X_HUB_SIGNATURE_256"] = sign(raw, SECRET)
    elif signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post("/webhooks/facebook", data=raw, content_type="application/json", **headers)
