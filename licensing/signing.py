"""The licence QR's signed payload: what an inspector's tablet checks with no network.

The QR code carries the verification URL with `?q=<payload>.<signature>` (both base64url): the
payload is compact JSON (licence number, site code, holder's name, status, expiry and the time it
was signed; never the holder's national ID) and the signature is Ed25519 over the payload's exact
bytes. The tablet holds the public key in its offline data; the private key lives in a file outside
the database (LICENCE_SIGNING_KEY_FILE), made on first use only where the configuration allows it
(development and tests), never in production.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from core.clock import utcnow
from licensing.models import Licence

PAYLOAD_VERSION = 1
MAX_QR_PARAM = 1000


class SigningKeyMissing(RuntimeError):
    """No key file, and this configuration may not make one."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def _load_key(path: str, create: bool) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.is_file():
        if not create:
            raise SigningKeyMissing(f"Licence signing key not found: {path} (set LICENCE_SIGNING_KEY_FILE)")
        file.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        file.touch(mode=0o600)
        file.write_bytes(pem)
        return key
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} is not an Ed25519 private key")
    return key


def private_key() -> Ed25519PrivateKey:
    config = current_app.config
    return _load_key(str(config["LICENCE_SIGNING_KEY_FILE"]), bool(config.get("LICENCE_SIGNING_KEY_CREATE")))


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_b64() -> str:
    """The raw 32-byte public key, base64url: what the tablet imports into WebCrypto."""
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64(raw)


def licence_payload(licence: Licence, signed_at: datetime | None = None) -> dict:
    signed_at = signed_at or utcnow()
    return {
        "v": PAYLOAD_VERSION,
        "n": licence.number,
        "c": licence.site.code if licence.site else "",
        "h": licence.holder.full_name if licence.holder else "",
        "s": licence.status.value,
        "e": licence.expires_on.isoformat(),
        "t": signed_at.replace(microsecond=0).isoformat(),
    }


def sign_licence(licence: Licence, signed_at: datetime | None = None) -> str:
    """`<payload>.<signature>`, both base64url, for the QR's ?q= parameter."""
    body = json.dumps(licence_payload(licence, signed_at), ensure_ascii=False, separators=(",", ":")).encode()
    return _b64(body) + "." + _b64(private_key().sign(body))


@dataclass(frozen=True)
class SignedLicence:
    number: str
    site_code: str
    holder: str
    status: str
    expires_on: date
    signed_at: datetime


def read_signed(value: str | None) -> SignedLicence | None:
    """The payload if `value` carries our genuine signature over it, else None (tampered, cut
    short, signed with another key or not ours at all)."""
    if not value or len(value) > MAX_QR_PARAM or value.count(".") != 1:
        return None
    body_text, signature_text = value.split(".")
    try:
        body, signature = _unb64(body_text), _unb64(signature_text)
        public_key().verify(signature, body)
        data = json.loads(body.decode("utf-8"))
        return SignedLicence(
            number=str(data["n"]),
            site_code=str(data["c"]),
            holder=str(data["h"]),
            status=str(data["s"]),
            expires_on=date.fromisoformat(data["e"]),
            signed_at=datetime.fromisoformat(data["t"]),
        )
    except (InvalidSignature, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
