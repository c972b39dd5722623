"""The audit chain's key: HMAC-SHA256 keys kept outside the database (``AUDIT_KEY`` and/or the
file ``AUDIT_KEY_FILE``), loaded once when the app starts so that a production server without its
key stops at once."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import Any

HMAC_ALG = "hmac-sha256"
KEY_MIN_BYTES = 32


class AuditKeyError(RuntimeError):
    """The audit key is missing or unusable; the app refuses to start without it in production."""


@dataclass(frozen=True)
class ChainKeys:
    """The key new events are hashed with, and every key (current and retired) by its id."""

    current_id: str
    keys: dict[str, bytes]

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    @property
    def alg(self) -> str:
        return f"{HMAC_ALG}:{self.current_id}"


def key_id(key: bytes) -> str:
    """A short public name for a key (it reveals nothing of the key)."""
    return hashlib.sha256(b"pishkhan-audit-key-id:" + key).hexdigest()[:12]


def _read_key_file(path: str) -> list[bytes]:
    with open(path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle]
    return [line.encode("utf-8") for line in lines if line and not line.startswith("#")]


def _create_key_file(path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# Pishkhan audit chain key (HMAC-SHA256). Keep it secret and outside the database;\n")
        handle.write("# the first key hashes new events, further lines are retired keys.\n")
        handle.write(secrets.token_hex(32) + "\n")


def load_keys(config: dict[str, Any], instance_path: str) -> ChainKeys:
    """The keys from ``AUDIT_KEY`` and/or ``AUDIT_KEY_FILE``.

    ``AUDIT_KEY`` (when set) is the current key; the lines of ``AUDIT_KEY_FILE`` follow (its first
    line is the current key when ``AUDIT_KEY`` is not set). With ``AUDIT_KEYS_AUTO_CREATE``
    (development and testing) a missing key file is created, by default ``instance/audit.key``.
    """
    keys: list[bytes] = []
    if config.get("AUDIT_KEY"):
        keys.append(str(config["AUDIT_KEY"]).strip().encode("utf-8"))
    path = config.get("AUDIT_KEY_FILE")
    auto = bool(config.get("AUDIT_KEYS_AUTO_CREATE"))
    if not path and not keys and auto:
        path = os.path.join(instance_path, "audit.key")
    if path:
        if not os.path.exists(path):
            if not auto:
                raise AuditKeyError(f"AUDIT_KEY_FILE {path} does not exist.")
            _create_key_file(path)
        keys.extend(_read_key_file(path))
    if not keys:
        raise AuditKeyError(
            "The audit log needs its key: set AUDIT_KEY (at least 32 characters) or AUDIT_KEY_FILE "
            "(a file outside the database, e.g. /etc/pishkhan/audit.key; `python -m core.audit_anchor "
            "init-keys DIR` makes one). See docs/deploy.md."
        )
    for key in keys:
        if len(key) < KEY_MIN_BYTES:
            raise AuditKeyError(f"An audit key is shorter than {KEY_MIN_BYTES} characters.")
    by_id = {}
    for key in keys:
        by_id.setdefault(key_id(key), key)
    return ChainKeys(key_id(keys[0]), by_id)


def init_app(app) -> None:
    """Load the keys when the app starts, so a missing key stops it at once."""
    app.extensions["audit_keys"] = load_keys(app.config, app.instance_path)


def chain_keys() -> ChainKeys:
    from flask import current_app

    return current_app.extensions["audit_keys"]
