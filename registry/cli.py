"""`flask registry ...`: import the existing registry from CSV/Excel, write an empty template."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from core.audit import Actor, acting_as
from core.extensions import db
from registry.importer import COLUMNS, ImportFileError, import_registry, read_table, write_template
from registry.models import SiteKind, SiteStatus
from registry.reference_import import DEFAULT_FILE, import_reference

registry_cli = AppGroup("registry", help="Import and maintain the site registry.")

_COLUMN_LINES = "\n".join(f"  {c.header:<20} {c.key}{'  (required)' if c.required else ''}" for c in COLUMNS)

_KIND_NAMES = ("دفتر پیشخوان خدمات دولت", "دفتر ICT روستایی", "خودپرداز", "باجه بانکی")

IMPORT_HELP = f"""Load sites and their operators from a CSV or Excel (.xlsx) FILE.

The first line holds the column headers, in Persian or English (Arabic ي/ك, ZWNJ and
Persian digits are all understood); columns may come in any order and unknown columns are
ignored (and listed). CSV files are read as UTF-8, with or without a BOM ("CSV UTF-8" in
Excel); of a workbook, the first sheet is read.

\b
Columns:
{_COLUMN_LINES}

\b
Values:
  kind           {" | ".join(_KIND_NAMES)}
                 (or {", ".join(SiteKind)})
  locality_type  شهر | روستا (or city, village); empty: taken from the kind
  status         {" | ".join(s.label for s in SiteStatus)} (or {", ".join(SiteStatus)})
  county         must already exist in the database; it is never created
  dates          Jalali, e.g. 1401/06/25
  bank           a bank of the system's list (ATMs and kiosks only)
  operator       offices only; matched by national ID, created when missing
  host office    must already exist or appear on an earlier line
  Format codes, IDs and phone numbers as Text in Excel, so leading zeros survive.

A column left out of the file keeps the stored values; an empty cell in an optional
column clears the value (an empty status or locality type leaves it as it is).

Each row goes through the same rules as the registry screens. A site is matched by its code:
a new code is created, a changed row is updated (a changed status is recorded with the
reason «ورود از فایل»), an identical row is left alone, so running the same file again
changes nothing.

A bad row is skipped and reported as "line N: reason" (the header is line 1). The good rows
ARE SAVED even when other rows have errors; the command then exits with status 1. Use
--dry-run first to check a file without saving anything.
"""


def run_import(file: Path, importer, *, dry_run: bool):
    """Read FILE, import its rows as the file's own actor with a progress bar, then commit, or roll
    back on a dry run or a failure; return the importer's report (the registry's and licences')."""
    try:
        table = read_table(file)
    except ImportFileError as exc:
        raise click.ClickException(exc.message) from None
    actor = Actor(None, f"import:{file.name}"[:150], "system")
    try:
        with (
            acting_as(actor),
            click.progressbar(length=len(table.rows), label=f"importing {file.name}", file=sys.stderr) as bar,
        ):
            report = importer(table, actor=actor, progress=bar.update)
    except ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


@registry_cli.command("import", help=IMPORT_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check every row and report as usual, then roll back: nothing is saved.",
)
def import_command(file: Path, dry_run: bool) -> None:
    report = run_import(file, import_registry, dry_run=dry_run)

    if report.ignored_columns:
        click.echo(
            "ستون‌های ناشناخته (نادیده گرفته شد) / ignored columns: "
            + "، ".join(f"«{h}»" for h in report.ignored_columns)
        )
    for error in report.errors:
        click.echo(f"line {error.line}: {error.reason}")
    click.echo(
        f"ایجاد {report.created}، به‌روزرسانی {report.updated}، "
        f"بدون تغییر {report.unchanged}، خطا {len(report.errors)}"
        f" (متصدی تازه {report.operators_created})"
    )
    click.echo(report.summary())
    if dry_run:
        click.echo("اجرای آزمایشی: چیزی ذخیره نشد. / dry run: nothing was saved.")
    elif report.errors:
        click.echo(
            f"سطرهای درست ذخیره شد؛ {len(report.errors)} سطر خطا دارد. / good rows were "
            "saved; fix the lines above and run the same file again."
        )
    if report.errors:
        sys.exit(1)


@registry_cli.command("template")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def template_command(file: Path, force: bool) -> None:
    """Write an empty FILE (.xlsx or .csv) with the import's Persian column headers.

    Fill it in and load it with `flask registry import FILE`.
    """
    if file.exists() and not force:
        raise click.ClickException(f"{file} already exists (use --force to overwrite).")
    try:
        write_template(file)
    except ImportFileError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"wrote {file}")


reference_cli = AppGroup(
    "reference", help="Provinces, counties, cities and villages (census reference data)."
)


@reference_cli.command("import")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False, default=DEFAULT_FILE
)
@click.option("--dry-run", is_flag=True, help="Check and report, then roll back: nothing is saved.")
@click.option("--province", "province_code", help="Load only this province's rows (its two-digit code).")
def reference_import_command(file: Path, dry_run: bool, province_code: str | None) -> None:
    """Load provinces, counties, cities and villages from a CSV or Excel FILE (default: the shipped
    1395-census file, registry/data/reference_1395.csv; its first line shows the headers)."""
    try:
        with acting_as(Actor(None, f"import:{file.name}"[:150], "system")):
            report = import_reference(file, dry_run=dry_run, province_code=province_code)
    except ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    if not dry_run:
        db.session.commit()
    for error in report.errors:
        click.echo(f"line {error.line}: {error.reason}")
    click.echo(
        f"ایجاد {report.created}، به‌روزرسانی {report.updated}، بدون تغییر {report.unchanged}، "
        f"خطا {len(report.errors)}"
    )
    click.echo(report.summary())
    if dry_run:
        click.echo("اجرای آزمایشی: چیزی ذخیره نشد. / dry run: nothing was saved.")
    if report.errors:
        sys.exit(1)
