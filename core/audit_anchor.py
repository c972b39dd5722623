"""The audit chain's head anchored outside the database: signed checkpoint files.

A checkpoint is a small JSON file that says "on <time> the chain had N events and event #N had
hash H", signed with an Ed25519 key that lives outside the database (``AUDIT_SIGNING_KEY_FILE``).
``flask audit checkpoint`` and the daily jobs write one into ``AUDIT_CHECKPOINT_DIR``; keep that
directory (or copies of it) where the database's users cannot write, e.g. shipped off the machine.
``verify_anchored`` recomputes the chain and compares it with every checkpoint, so a chain that was
rewritten and rehashed, a tail that was deleted (with the head row fixed) or an emptied table are
found even by someone who had the database and the HMAC key, as long as the checkpoints are kept.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy.orm import Session

from core.audit import ChainReport, verify_chain
from core.audit_keys import load_keys
from core.clock import utcnow

FORMAT = "pishkhan-audit-checkpoint/1"


class AnchorError(RuntimeError):
    """No signing key, or the chain is not fit to be anchored."""


def _instance_default(config_key: str, default_name: str) -> str | None:
    value = current_app.config.get(config_key)
    if value:
        return str(value)
    if current_app.config.get("AUDIT_KEYS_AUTO_CREATE"):
        return os.path.join(current_app.instance_path, default_name)
    return None


def checkpoint_dir() -> Path:
    """``AUDIT_CHECKPOINT_DIR``, by default ``instance/audit-checkpoints``."""
    value = current_app.config.get("AUDIT_CHECKPOINT_DIR") or os.path.join(
        current_app.instance_path, "audit-checkpoints"
    )
    return Path(value)


def _write_private(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def signing_key() -> Ed25519PrivateKey:
    """The checkpoint signing key; created under the instance directory in development and testing."""
    path = _instance_default("AUDIT_SIGNING_KEY_FILE", "audit-signing.pem")
    if path is None:
        raise AnchorError(
            "AUDIT_SIGNING_KEY_FILE is not set: checkpoints cannot be signed "
            "(`flask audit init-keys DIR` makes the keys; see docs/deploy.md)."
        )
    if not os.path.exists(path):
        if not current_app.config.get("AUDIT_KEYS_AUTO_CREATE"):
            raise AnchorError(f"AUDIT_SIGNING_KEY_FILE {path} does not exist.")
        _write_private(path, _private_pem(Ed25519PrivateKey.generate()))
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"{path} is not an Ed25519 private key.")
    return key


def verify_key() -> Ed25519PublicKey:
    """``AUDIT_VERIFY_KEY_FILE`` (a public key, for checking on another machine), else the signing
    key's public half."""
    path = current_app.config.get("AUDIT_VERIFY_KEY_FILE")
    if path:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise AnchorError(f"{path} is not an Ed25519 public key.")
        return key
    return signing_key().public_key()


def generate_keys(directory: str) -> dict[str, str]:
    """Write a new HMAC key, signing key and its public key into DIRECTORY (never overwriting)."""
    os.makedirs(directory, exist_ok=True)
    paths = {
        "AUDIT_KEY_FILE": os.path.join(directory, "audit.key"),
        "AUDIT_SIGNING_KEY_FILE": os.path.join(directory, "audit-signing.pem"),
        "AUDIT_VERIFY_KEY_FILE": os.path.join(directory, "audit-signing.pub"),
    }
    for path in paths.values():
        if os.path.exists(path):
            raise AnchorError(f"{path} already exists; it is never overwritten.")
    load_keys({"AUDIT_KEY_FILE": paths["AUDIT_KEY_FILE"], "AUDIT_KEYS_AUTO_CREATE": True}, directory)
    private = Ed25519PrivateKey.generate()
    _write_private(paths["AUDIT_SIGNING_KEY_FILE"], _private_pem(private))
    Path(paths["AUDIT_VERIFY_KEY_FILE"]).write_bytes(_public_pem(private.public_key()))
    return paths


# ---------------------------------------------------------------- checkpoint files


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    first_keyed_seq: int | None
    created_at: str
    path: Path

    def describe(self) -> str:
        return f"{self.path.name} (#{self.seq}, {self.created_at})"


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint(session: Session) -> Checkpoint:
    """Verify the chain against the earlier checkpoints, then sign and write its head."""
    report = verify_anchored(session)
    if not report.ok:
        raise AnchorError(
            "the audit log does not verify, no checkpoint written: " + "; ".join(report.problems)
        )
    chain = report.chain
    key = signing_key()
    created = utcnow().replace(microsecond=0)
    body = {
        "format": FORMAT,
        "seq": chain.checked,
        "hash": chain.head_hash,
        "first_keyed_seq": chain.first_keyed_seq,
        "created_at": created.isoformat(),
    }
    document = {
        "body": body,
        "signature": base64.b64encode(key.sign(_canonical(body))).decode("ascii"),
    }
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{created:%Y%m%dT%H%M%SZ}-{chain.checked:012d}.json"
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(directory)
    return Checkpoint(chain.checked, chain.head_hash, chain.first_keyed_seq, body["created_at"], path)


def read_checkpoints(
    directory: Path, key: Ed25519PublicKey
) -> tuple[list[Checkpoint], list[tuple[Path, str]]]:
    """The checkpoints whose signature holds, oldest first, and the files that do not verify."""
    good: list[Checkpoint] = []
    bad: list[tuple[Path, str]] = []
    if not directory.is_dir():
        return good, bad
    for path in sorted(directory.glob("checkpoint-*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            body = document["body"]
            key.verify(base64.b64decode(document["signature"]), _canonical(body))
            if body.get("format") != FORMAT:
                raise ValueError(f"unknown format {body.get('format')!r}")
            good.append(
                Checkpoint(
                    int(body["seq"]), str(body["hash"]), body.get("first_keyed_seq"), body["created_at"], path
                )
            )
        except InvalidSignature:
            bad.append((path, "its signature does not match the signing key"))
        except (ValueError, KeyError, TypeError) as error:
            bad.append((path, f"unreadable ({error})"))
    good.sort(key=lambda c: (c.seq, c.created_at))
    return good, bad


@dataclass
class AnchoredReport:
    chain: ChainReport
    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # For the admin's page: ("signature" | "removed" | "rewritten" | "keyed_start", file name, seq).
    findings: list[tuple[str, str, int | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def verify_anchored(session: Session) -> AnchoredReport:
    """Recompute the chain and compare it with every signed checkpoint."""
    checkpoints, unreadable = read_checkpoints(checkpoint_dir(), verify_key())
    chain = verify_chain(session, want={c.seq for c in checkpoints})
    report = AnchoredReport(chain, checkpoints)
    for path, reason in unreadable:
        report.problems.append(f"checkpoint {path.name}: {reason}")
        report.findings.append(("signature", path.name, None))
    if not chain.ok:
        report.problems.append(
            f"audit chain BROKEN at event #{chain.broken_seq}: {chain.problem} "
            f"({chain.checked} events before it are intact)"
        )
        return report
    for checkpoint in checkpoints:
        if checkpoint.seq == 0:
            continue
        if checkpoint.seq > chain.checked:
            report.problems.append(
                f"checkpoint {checkpoint.describe()} counts {checkpoint.seq} events but the log has "
                f"{chain.checked}: events were removed"
            )
            report.findings.append(("removed", checkpoint.path.name, checkpoint.seq))
        elif chain.hashes.get(checkpoint.seq) != checkpoint.hash:
            report.problems.append(
                f"event #{checkpoint.seq} differs from checkpoint {checkpoint.describe()}: "
                "the chain was rewritten"
            )
            report.findings.append(("rewritten", checkpoint.path.name, checkpoint.seq))
        elif checkpoint.first_keyed_seq is not None and chain.first_keyed_seq != checkpoint.first_keyed_seq:
            report.problems.append(
                f"the keyed part of the chain no longer starts where checkpoint {checkpoint.describe()} says"
            )
            report.findings.append(("keyed_start", checkpoint.path.name, checkpoint.seq))
    return report


def main(argv: list[str] | None = None) -> int:
    """`python -m core.audit_anchor init-keys DIR`: the keys for a first production set-up (the app
    itself refuses to start without them, so `flask audit init-keys` cannot run there yet)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m core.audit_anchor")
    parser.add_argument("command", choices=["init-keys"])
    parser.add_argument("directory")
    args = parser.parse_args(argv)
    try:
        paths = generate_keys(args.directory)
    except AnchorError as error:
        print(error, file=sys.stderr)
        return 1
    print("keys written; put these in the server's environment:")
    for name, path in paths.items():
        print(f"{name}={path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
