"""`flask licensing daily`: the scheduled job that keeps licence statuses true to their dates."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from core.audit import SYSTEM, acting_as
from core.cli import anchor_head
from core.clock import today_tehran
from core.extensions import db
from core.persian import parse_jalali
from licensing import operations as ops
from licensing.importer import COLUMNS, import_licences, write_template
from registry.cli import run_import

licensing_cli = AppGroup("licensing", help="Licensing jobs.")


@licensing_cli.command("daily")
@click.option(
    "--today",
    "today_text",
    default=None,
    help="Run as if today were this Jalali date (e.g. 1401/06/25); default: today.",
)
def daily_command(today_text: str | None):
    """Lift suspensions that ended, mark expired licences, remind holders whose renewal window
    is open (a letter, once per term). Safe to run twice a day.

    Run it once a day from cron or a systemd timer, e.g. `flask --app wsgi licensing daily`.
    """
    today = parse_jalali(today_text) if today_text else today_tehran()
    with acting_as(SYSTEM):
        lifted = ops.lift_ended_suspensions(today)
        expired = ops.expire_licences(today)
        reminded = ops.open_renewal_windows(today)
        db.session.commit()
    click.echo(
        f"suspensions lifted: {len(lifted)}; licences expired: {len(expired)}; "
        f"renewal windows open: {len(reminded)}"
    )
    anchor_head()


IMPORT_HELP = """Load existing licences, with their renewals, transfer and status so far, from a CSV or
Excel (.xlsx) FILE whose first line holds the Persian headers (`flask licensing template` writes one).
Each licence attaches to its office in the registry by the office's code (import the offices first
with `flask registry import`). Rows with errors are listed by line and skipped; the good rows are
saved. A licence already imported is left unchanged, so the same file can be run again.

\b
Columns:
""" + "\n".join(f"  {c.header}{'  (required)' if c.required else ''}" for c in COLUMNS)


@licensing_cli.command("import", help=IMPORT_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, then roll back: nothing is saved.")
def import_command(file: Path, dry_run: bool) -> None:
    report = run_import(file, import_licences, dry_run=dry_run)
    for error in report.errors:
        click.echo(f"line {error.line}: {error.reason}")
    click.echo(f"ایجاد {report.created}، بدون تغییر {report.unchanged}، خطا {len(report.errors)}")
    click.echo(report.summary())
    if dry_run:
        click.echo("اجرای آزمایشی: چیزی ذخیره نشد. / dry run: nothing was saved.")
    if report.errors:
        sys.exit(1)


@licensing_cli.command("template")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def template_command(file: Path) -> None:
    """Write an empty licence-import workbook (Persian headers, one example row) to FILE."""
    click.echo(f"template written: {write_template(file)}")
