"""Files attached to a letter, kept in the one file store."""

from __future__ import annotations

from pathlib import Path

from core import storage
from core.db import actor_id
from core.extensions import db
from core.settings import get_setting
from letters.models import Letter, LetterAttachment


def attachment_path(attachment: LetterAttachment) -> Path:
    return storage.path(attachment.storage_key)


def add_attachment(letter: Letter, filename: str, content: bytes, *, actor) -> LetterAttachment:
    """Attach a PDF, PNG or JPEG file (its type read from its content) to a letter."""
    stored = storage.store(
        content,
        types=storage.DOCUMENTS,
        max_mb=get_setting("licensing.document_max_mb"),
        folder="letters",
    )
    attachment = LetterAttachment(
        letter=letter,
        filename=storage.display_name(filename),
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=actor_id(actor),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment
