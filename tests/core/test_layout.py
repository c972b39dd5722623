"""The layout (docs/layout.md) as tests: the import contracts of pyproject.toml hold, and no module
of a feature package is longer than a reviewer reads in one sitting."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "core",
    "accounts",
    "registry",
    "licensing",
    "committees",
    "inspections",
    "reports",
    "letters",
    "api",
    "demo",
)
MAX_LINES = 500
# Data, not code: the demo's table of counties and sites.
DATA_FILES = {"demo/registry_data.py"}


def test_import_contracts_hold(capsys):
    """core imports no feature outside the app factory, no feature imports demo, and the features
    depend downwards only (letters > reports > inspections > committees > licensing > registry > api >
    accounts)."""
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def _modules() -> dict[str, int]:
    lines = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" in name or name in DATA_FILES:
                continue
            lines[name] = len(path.read_text(encoding="utf-8").splitlines())
    return lines


def test_no_module_is_over_the_limit():
    too_long = {name: n for name, n in _modules().items() if n > MAX_LINES}
    assert not too_long, f"over {MAX_LINES} lines: {too_long}"
