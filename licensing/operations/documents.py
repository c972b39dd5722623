"""An application's documents: the checklist for its kind, and the uploaded files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import clean_text, to_persian_digits
from core.settings import get_setting
from licensing.models import Application, ApplicationDocument, DocumentType

ALLOWED_TYPES = {
    b"%PDF": ("application/pdf", ".pdf"),
    b"\x89PNG": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """The file's real type from its first bytes (PDF, PNG or JPEG), whatever its name says."""
    for magic, kind in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


def document_checklist(
    application: Application,
) -> list[tuple[DocumentType, list[ApplicationDocument]]]:
    """The checklist for the application's kind with the files uploaded against each item."""
    types = db.session.scalars(
        select(DocumentType)
        .where(DocumentType.kind == application.kind, DocumentType.active.is_(True))
        .order_by(DocumentType.position, DocumentType.id)
    ).all()
    return [(t, [d for d in application.documents if d.document_type_id == t.id]) for t in types]


def missing_documents(application: Application) -> list[DocumentType]:
    """Required checklist items with no file yet."""
    return [t for t, docs in document_checklist(application) if t.required and not docs]


def upload_directory() -> Path:
    path = Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def add_document(
    application: Application, document_type: DocumentType, filename: str, content: bytes, *, actor
) -> ApplicationDocument:
    """Store an uploaded document after checking its real type and size."""
    if not application.state.is_open:
        raise DomainError("به درخواست مختومه نمی‌توان مدرک افزود.", field="file")
    if document_type.kind != application.kind:
        raise DomainError("این مدرک در فهرست مدارک این نوع درخواست نیست.", field="document_type")
    limit_mb = get_setting("licensing.document_max_mb")
    if len(content) > limit_mb * 1024 * 1024:
        raise DomainError(f"حجم فایل بیش از {to_persian_digits(limit_mb)} مگابایت است.", field="file")
    if not content:
        raise DomainError("فایل خالی است.", field="file")
    sniffed = sniff_type(content[:8])
    if sniffed is None:
        raise DomainError(
            "فقط فایل PDF، JPEG یا PNG پذیرفته می‌شود (نوع فایل از محتوای آن تشخیص داده شد).",
            field="file",
        )
    content_type, extension = sniffed
    digest = hashlib.sha256(content).hexdigest()
    storage_key = f"{digest}{extension}"
    target = upload_directory() / storage_key
    if not target.exists():
        target.write_bytes(content)
    document = ApplicationDocument(
        application=application,
        document_type=document_type,
        filename=clean_text(Path(filename or "file").name)[:255] or "file",
        content_type=content_type,
        size=len(content),
        sha256=digest,
        storage_key=storage_key,
        uploaded_by_id=actor_id(actor),
    )
    db.session.add(document)
    db.session.flush()
    return document


def document_path(document: ApplicationDocument) -> Path:
    return upload_directory() / document.storage_key
