"""The one file store: a file is accepted by its content, within its size limit, and stored once under
the SHA-256 of its content below UPLOAD_DIR."""

import hashlib
from pathlib import Path

import pytest

from core import storage

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def upload_dir(app, tmp_path):
    previous = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        yield tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = previous


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 an executable named form.pdf",
        b"<html><body>%PDF</body></html>",
        b" %PDF-1.4 (the signature must open the file)",
    ],
)
def test_a_fake_pdf_is_refused_by_its_content(upload_dir, content):
    with pytest.raises(storage.FileRefused) as refused:
        storage.store(content, types=storage.DOCUMENTS, max_mb=5)
    assert refused.value.reason == "type" and refused.value.field == "file"
    assert "PDF، JPEG یا PNG" in refused.value.message
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_a_fake_jpeg_is_refused_where_only_images_are_allowed(upload_dir):
    assert storage.sniff(b"GIF89a....", storage.IMAGES) is None
    assert storage.sniff(b"\x89PNG\r\n\x1a\n....", storage.IMAGES) is storage.PNG
    # A PNG's first four bytes alone are not a PNG signature.
    assert storage.sniff(b"\x89PNG....", storage.IMAGES) is None
    # A PDF is a document, not a photo.
    with pytest.raises(storage.FileRefused) as refused:
        storage.store(PDF, types=storage.IMAGES, max_mb=5, folder="inspections")
    assert refused.value.reason == "type" and "JPEG یا PNG" in refused.value.message


def test_the_type_comes_from_the_content_whatever_the_name_says(upload_dir):
    stored = storage.store(PNG, types=storage.DOCUMENTS, max_mb=5)
    assert stored.content_type == "image/png" and stored.key.endswith(".png")
    assert storage.store(JPEG, types=storage.IMAGES, max_mb=5).content_type == "image/jpeg"
    assert storage.store(PDF, types=storage.DOCUMENTS, max_mb=5).content_type == "application/pdf"


def test_empty_and_oversized_files_are_refused(upload_dir):
    with pytest.raises(storage.FileRefused) as empty:
        storage.store(b"", types=storage.DOCUMENTS, max_mb=5)
    assert empty.value.reason == "empty"
    limit = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert len(storage.store(limit, types=storage.DOCUMENTS, max_mb=1).key) == 64 + len(".pdf")
    with pytest.raises(storage.FileRefused) as too_large:
        storage.store(limit + b"0", types=storage.DOCUMENTS, max_mb=1)
    assert too_large.value.reason == "too_large" and "۱ مگابایت" in too_large.value.message
    assert storage.max_bytes(0.5) == 512 * 1024


def test_the_same_content_is_stored_once_under_its_hash(upload_dir):
    first = storage.store(PDF, types=storage.DOCUMENTS, max_mb=5)
    again = storage.store(PDF, types=storage.DOCUMENTS, max_mb=5)
    digest = hashlib.sha256(PDF).hexdigest()
    assert first == again and first.sha256 == digest and first.key == f"{digest}.pdf"
    assert first.size == len(PDF)
    assert [p.name for p in upload_dir.iterdir()] == [f"{digest}.pdf"]
    assert storage.read(first.key) == PDF


def test_a_folder_keeps_its_files_apart_and_keys_read_back(upload_dir):
    photo = storage.store(JPEG, types=storage.IMAGES, max_mb=5, folder="inspections")
    digest = hashlib.sha256(JPEG).hexdigest()
    assert photo.key == f"inspections/{digest}.jpg" and photo.name == f"{digest}.jpg"
    assert storage.path(photo.key) == (upload_dir / "inspections" / photo.name).resolve()
    assert storage.read(photo.key) == JPEG
    assert sorted(p.name for p in (upload_dir / "inspections").iterdir()) == [photo.name]


@pytest.mark.parametrize("key", ["../secret.pdf", "/etc/passwd", "inspections/../../x", ""])
def test_a_key_cannot_leave_the_upload_directory(upload_dir, key):
    with pytest.raises(ValueError):
        storage.path(key)


def test_without_upload_dir_files_go_under_the_instance(app, tmp_path):
    previous = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = None
    try:
        with app.app_context():
            assert storage.root() == Path(app.instance_path) / "uploads"
    finally:
        app.config["UPLOAD_DIR"] = previous


def test_an_uploaded_file_keeps_only_its_own_name():
    assert storage.display_name("../../etc/passwd") == "passwd"
    assert storage.display_name("C:/Users/a/مدرک تحصیلی.pdf") == "مدرک تحصیلی.pdf"
    assert storage.display_name("") == "file" and storage.display_name(None) == "file"
    assert len(storage.display_name("x" * 300 + ".pdf")) == 255
