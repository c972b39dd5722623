"""How letters leave the building: SMS through a gateway, e-mail over SMTP.

SMS backends (config SMS_BACKEND):
- "file": each message is appended as a JSON line to SMS_FILE (development and tests);
- "http": a provider's REST API. SMS_PROVIDER picks the request shape — "kavenegar"
  (GET {SMS_API_URL}/{SMS_API_KEY}/sms/send.json?receptor=&message=&sender=), "smsir"
  (POST {SMS_API_URL} JSON {lineNumber, messageText, mobiles}, header X-API-KEY), or "generic"
  (POST {SMS_API_URL} JSON {to, text, sender}, header Authorization: Bearer key).
E-mail: MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS (STARTTLS), MAIL_USE_SSL, MAIL_USERNAME,
MAIL_PASSWORD, MAIL_SENDER. A delivery that fails raises DeliveryError; the outbox retries it.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import requests
from flask import current_app

from core.clock import utcnow

TIMEOUT_SECONDS = 20


class DeliveryError(Exception):
    """The gateway or server did not take the message; the text says why."""


# ---------------------------------------------------------------- SMS


def _file_sms(mobile: str, text: str) -> str:
    path = Path(current_app.config.get("SMS_FILE") or Path(current_app.instance_path) / "sms-outbox.jsonl")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"to": mobile, "text": text, "at": utcnow().isoformat()}, ensure_ascii=False))
            fh.write("\n")
    except OSError as exc:
        raise DeliveryError(f"file backend: {exc}") from exc
    return f"written to {path.name}"


def _answer(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {"value": data}


def _http_sms(mobile: str, text: str) -> str:
    config = current_app.config
    provider = (config.get("SMS_PROVIDER") or "generic").lower()
    url = (config.get("SMS_API_URL") or "").rstrip("/")
    key = config.get("SMS_API_KEY") or ""
    sender = config.get("SMS_SENDER") or ""
    if not url:
        raise DeliveryError("SMS_API_URL is not configured")
    try:
        if provider == "kavenegar":
            response = requests.post(
                f"{url}/{key}/sms/send.json",
                data={"receptor": mobile, "message": text, "sender": sender},
                timeout=TIMEOUT_SECONDS,
            )
            body = _answer(response)
            status = (body.get("return") or {}).get("status")
            ok = response.status_code == 200 and status == 200
        elif provider == "smsir":
            response = requests.post(
                url,
                json={"lineNumber": sender, "messageText": text, "mobiles": [mobile]},
                headers={"X-API-KEY": key, "Accept": "application/json"},
                timeout=TIMEOUT_SECONDS,
            )
            body = _answer(response)
            ok = response.status_code == 200 and body.get("status") == 1
        else:
            response = requests.post(
                url,
                json={"to": mobile, "text": text, "sender": sender},
                headers={"Authorization": f"Bearer {key}"},
                timeout=TIMEOUT_SECONDS,
            )
            body = _answer(response)
            ok = 200 <= response.status_code < 300
    except requests.RequestException as exc:
        raise DeliveryError(f"SMS gateway unreachable: {exc.__class__.__name__}: {exc}") from exc
    summary = f"HTTP {response.status_code} {json.dumps(body, ensure_ascii=False)[:500]}"
    if not ok:
        raise DeliveryError(f"SMS gateway refused: {summary}")
    return summary


def send_sms(mobile: str | None, text: str) -> str:
    """Send one SMS through the configured backend; what the backend answered."""
    if not mobile:
        raise DeliveryError("no mobile number")
    backend = current_app.config.get("SMS_BACKEND") or "file"
    if backend == "file":
        return _file_sms(mobile, text)
    if backend == "http":
        return _http_sms(mobile, text)
    raise DeliveryError(f"unknown SMS_BACKEND {backend!r}")


# ---------------------------------------------------------------- e-mail


def build_email(letter, address: str) -> EmailMessage:
    """The e-mail of a letter: its text, its PDF and its attachments."""
    from letters.operations import attachment_path
    from letters.pdf import letter_filename, letter_pdf

    config = current_app.config
    message = EmailMessage()
    message["Subject"] = f"{letter.subject} — نامه شماره {letter.number}"
    message["From"] = config.get("MAIL_SENDER") or "pishkhan@localhost"
    message["To"] = address
    message["Message-ID"] = make_msgid(domain="pishkhan")
    message.set_content(f"{letter.recipient_name}\n\n{letter.body}\n\n{letter.signer_name}\n")
    message.add_attachment(
        letter_pdf(letter), maintype="application", subtype="pdf", filename=letter_filename(letter)
    )
    for attachment in letter.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(
            attachment_path(attachment).read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
        )
    return message


def send_email(letter, address: str | None) -> str:
    """Hand the letter's e-mail to the SMTP server; what the server answered."""
    if not address:
        raise DeliveryError("no e-mail address")
    config = current_app.config
    host = config.get("MAIL_SERVER")
    if not host:
        raise DeliveryError("MAIL_SERVER is not configured")
    port = int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25))
    message = build_email(letter, address)
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP {host}:{port}: {exc.__class__.__name__}: {exc}") from exc
    if refused:
        raise DeliveryError(f"SMTP refused recipients: {refused}")
    return f"accepted by {host}:{port} as {message['Message-ID']}"
