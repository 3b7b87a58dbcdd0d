"""The typed error of every bill reader: it names the file, line and column, never content."""

from __future__ import annotations


class BillError(ValueError):
    """An unreadable bill. ``file`` is the file's name, ``line`` its 1-based line (or None
    for the whole file), ``column`` the column's name or number when one is at fault;
    ``needs_mapping``: only its columns were not recognised (a column mapping would do)."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        needs_mapping: bool = False,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.reason = message
        self.needs_mapping = needs_mapping
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")
