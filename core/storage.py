"""One file store for uploads, photos and evidence.

A file is accepted by its content, never by its name or the type the browser claims: its first bytes
must be one of the types the caller allows (PDF, JPEG, PNG), it must not be empty and must not pass the
size limit the caller reads from its setting. It is stored under `UPLOAD_DIR` (default
`instance/uploads`) by the SHA-256 of its content, so the same content is stored once however many
records point to it, and a file once written never changes.

Keys are paths relative to `UPLOAD_DIR`: a licensing document or committee evidence is `<sha256>.pdf`
at the root, a visit photo `inspections/<sha256>.jpg` (the folder keeps the layout files already have).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from core.errors import DomainError
from core.persian import clean_text, to_persian_digits


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str
    extension: str
    magic: bytes


PDF = FileType("PDF", "application/pdf", ".pdf", b"%PDF")
JPEG = FileType("JPEG", "image/jpeg", ".jpg", b"\xff\xd8\xff")
PNG = FileType("PNG", "image/png", ".png", b"\x89PNG\r\n\x1a\n")
DOCUMENTS = (PDF, JPEG, PNG)
IMAGES = (JPEG, PNG)


class FileRefused(DomainError):
    """The file is empty, too large or of a type not allowed; reason says which."""

    def __init__(self, message: str, *, reason: str, field: str = "file"):
        super().__init__(message, field=field)
        self.reason = reason


@dataclass(frozen=True)
class StoredFile:
    key: str  # relative to UPLOAD_DIR: what path() reads back
    name: str  # the file's name within its folder
    content_type: str
    size: int
    sha256: str


def sniff(content: bytes, types: tuple[FileType, ...] = DOCUMENTS) -> FileType | None:
    """The file's real type from its first bytes, if it is one of types."""
    return next((t for t in types if content.startswith(t.magic)), None)


def max_bytes(max_mb: float) -> int:
    return int(max_mb * 1024 * 1024)


def check_size(content: bytes, max_mb: float) -> None:
    """Refuse an empty file or one over max_mb megabytes."""
    if not content:
        raise FileRefused("فایل خالی است.", reason="empty")
    if len(content) > max_bytes(max_mb):
        raise FileRefused(f"حجم فایل بیش از {to_persian_digits(max_mb)} مگابایت است.", reason="too_large")


def check(content: bytes, *, types: tuple[FileType, ...], max_mb: float) -> FileType:
    """The file's type after checking its size and content; FileRefused when it may not be stored."""
    check_size(content, max_mb)
    kind = sniff(content, types)
    if kind is None:
        names = [t.name for t in types]
        allowed = names[0] if len(names) == 1 else "، ".join(names[:-1]) + " یا " + names[-1]
        raise FileRefused(
            f"فقط فایل {allowed} پذیرفته می‌شود (نوع فایل از محتوای آن تشخیص داده شد).", reason="type"
        )
    return kind


def display_name(filename: str | None) -> str:
    """The name an uploaded file is shown and downloaded under: its last path part, cleaned, at most
    255 characters."""
    return clean_text(Path(filename or "file").name)[:255] or "file"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def store(content: bytes, *, types: tuple[FileType, ...], max_mb: float, folder: str = "") -> StoredFile:
    """Check the file and store it under the hash of its content (once, whoever sends it again)."""
    kind = check(content, types=types, max_mb=max_mb)
    digest = sha256_of(content)
    name = f"{digest}{kind.extension}"
    key = f"{folder}/{name}" if folder else name
    _write_once(path(key), content)
    return StoredFile(key=key, name=name, content_type=kind.content_type, size=len(content), sha256=digest)


def root() -> Path:
    return Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")


def path(key: str) -> Path:
    """Where the file with this key lives; a key that would leave UPLOAD_DIR is refused."""
    base = root().resolve()
    target = (base / key).resolve()
    if not key or base not in target.parents:
        raise ValueError(f"storage key outside the upload directory: {key!r}")
    return target


def read(key: str) -> bytes:
    return path(key).read_bytes()


def _write_once(target: Path, content: bytes) -> None:
    """Write the file under its content-derived name; a second writer finds it there. The file
    appears whole or not at all (written aside, then renamed)."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
