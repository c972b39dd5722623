"""An application's documents: the checklist for its kind, and the uploaded files (checked and
stored by core.storage)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from core import storage
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.settings import get_setting
from licensing.models import Application, ApplicationDocument, DocumentType


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


def add_document(
    application: Application, document_type: DocumentType, filename: str, content: bytes, *, actor
) -> ApplicationDocument:
    """Store an uploaded document after checking its real type and size."""
    if not application.state.is_open:
        raise DomainError("به درخواست مختومه نمی‌توان مدرک افزود.", field="file")
    if document_type.kind != application.kind:
        raise DomainError("این مدرک در فهرست مدارک این نوع درخواست نیست.", field="document_type")
    stored = storage.store(content, types=storage.DOCUMENTS, max_mb=get_setting("licensing.document_max_mb"))
    document = ApplicationDocument(
        application=application,
        document_type=document_type,
        filename=storage.display_name(filename),
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=actor_id(actor),
    )
    db.session.add(document)
    db.session.flush()
    return document


def document_path(document: ApplicationDocument) -> Path:
    return storage.path(document.storage_key)
