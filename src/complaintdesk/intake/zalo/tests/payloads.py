"""Zalo OA webhook bodies as Zalo sends them, signed mac=sha256(app_id + body + timestamp + key)."""

from __future__ import annotations

import json
import time

from complaintdesk.intake.zalo.parse import sign

APP_ID = "4321987"
SECRET = "zalo-oa-secret"
OA_ID = "579745863508352884"
USER = "2473910995809050719"


def event(
    event_name: str = "user_send_text",
    *,
    text: str | None = "Dịch vụ truyền hình mất tín hiệu từ sáng",
    msg_id: str | None = "zmsg-0001",
    user: str = USER,
    attachments: list | None = None,
    timestamp: str | None = None,
) -> dict:
    payload: dict = {
        "app_id": APP_ID,
        "user_id_by_app": "552177279252305135",
        "event_name": event_name,
        "timestamp": timestamp or str(int(time.time() * 1000)),
        "sender": {"id": user},
        "recipient": {"id": OA_ID},
    }
    if msg_id is not None:
        message: dict = {"msg_id": msg_id}
        if text is not None:
            message["text"] = text
        if attachments:
            message["attachments"] = attachments
        payload["message"] = message
    return payload


def raw(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(body: bytes, timestamp: str) -> str:
    return sign(body, app_id=APP_ID, timestamp=timestamp, secret=SECRET)


def post(client, body: bytes, *, mac: str | None = "auto", timestamp: str = ""):
    headers = {}
    if mac == "auto":
        stamp = timestamp or json.loads(body)["timestamp"]
        headers["HTTP_X_ZEVENT_SIGNATURE"] = signature(body, stamp)
    elif mac is not None:
        headers["HTTP_X_ZEVENT_SIGNATURE"] = mac
    return client.post("/webhooks/zalo", data=body, content_type="application/json", **headers)
