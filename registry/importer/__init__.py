"""Load an existing registry of sites (and their operators) from CSV or Excel (.xlsx).

Every row goes through the same operations as the screens, inside its own SAVEPOINT: a bad row
is rolled back alone and reported with its line number (the header is line 1) and a Persian
reason. A site is matched by its code and an operator by national ID, so running the same file
again changes nothing. Nothing here commits: the caller commits (or rolls back for a dry run).

- table: the columns, reading .csv/.xlsx into a Table, the template
- rows: reading each row's values and importing it
"""

from registry.importer.rows import import_registry
from registry.importer.table import (
    _HEADER_KEYS as _HEADER_KEYS,
)
from registry.importer.table import (
    COLUMNS,
    HEADERS,
    IMPORT_REASON,
    Column,
    ImportFileError,
    ImportReport,
    RowError,
    Table,
    read_table,
    write_template,
)
from registry.importer.table import (
    _key as _key,
)

__all__ = [
    "COLUMNS",
    "HEADERS",
    "IMPORT_REASON",
    "Column",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "Table",
    "import_registry",
    "read_table",
    "write_template",
]
