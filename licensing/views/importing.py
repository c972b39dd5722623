"""The licence import screen: upload a file of existing licences, dry run or load, see the rows' progress
and each bad row's line and reason; download the template with the Persian headers."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import render_template, request, send_file
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from core.extensions import db
from core.forms import BaseForm
from core.security import allow
from licensing.importer import COLUMNS, import_licences, write_template
from licensing.permissions import EDIT
from licensing.views import bp
from registry.importer import ImportFileError, read_table

SUFFIXES = (".csv", ".xlsx")


class LicenceImportForm(BaseForm):
    file = FileField("فایل پروانه‌ها (CSV یا xlsx)", validators=[FileRequired("فایل را انتخاب کنید.")])
    dry_run = BooleanField("اجرای آزمایشی (بررسی بدون ذخیره)")


@bp.get("/licences/import")
@allow(*EDIT)
def licence_import():
    return render_template("licensing/licence_import.html", form=LicenceImportForm(), columns=COLUMNS)


@bp.post("/licences/import")
@allow(*EDIT)
def licence_import_run():
    form = LicenceImportForm()
    report, error, total = None, None, 0
    if form.validate():
        upload = form.file.data
        suffix = Path(upload.filename or "").suffix.lower()
        if suffix not in SUFFIXES:
            error = "فقط فایل‌های CSV و اکسل (xlsx) پذیرفته می‌شوند."
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"licences{suffix}"
                upload.save(path)
                try:
                    table = read_table(path)
                    total = len(table.rows)
                    report = import_licences(table, actor=current_user)
                except ImportFileError as exc:
                    db.session.rollback()
                    error = exc.message
            if report is not None:
                if form.dry_run.data:
                    db.session.rollback()
                else:
                    db.session.commit()
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    template = (
        "licensing/_import_report.html"
        if request.headers.get("HX-Request")
        else "licensing/licence_import.html"
    )
    return render_template(
        template,
        form=form,
        columns=COLUMNS,
        report=report,
        error=error,
        total=total,
        dry_run=bool(form.dry_run.data),
    )


@bp.get("/licences/import/template.xlsx")
@allow(*EDIT)
def licence_import_template():
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="licence-import-template.xlsx")
