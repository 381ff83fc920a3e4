"""Violations of the raw input contract and the one exception that carries them.

Every problem found in the raw files becomes a ``Violation`` naming file, row, column, rule and
value, so an analytics engineer can fix the data without reading a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

__all__ = ["InputError", "Violation", "listed", "show"]

_SHOWN = 25
PER_RULE = 20  # violations listed per file, column and rule; the rest are counted in one line


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (file, row, column), which rule, and what was found."""

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            unit = "line" if self.file.endswith(".csv") else "row"
            where += f" {unit} {self.row}"
        if self.column:
            where += f", column {self.column}"
        tag = "" if self.severity == "error" else f"[{self.severity}] "
        return f"{tag}{where}: rule {self.rule} — {self.message}"


class InputError(ValueError):
    """Raised when raw inputs break the contract; ``violations`` lists every problem found."""

    def __init__(self, violations: Iterable[Violation], folder: str | Path | None = None) -> None:
        self.violations = list(violations)
        self.folder = None if folder is None else str(folder)
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.violations)
        place = f" in {self.folder}" if self.folder else ""
        lines = [f"Raw input check failed ({n} problem{'' if n == 1 else 's'}){place}:"]
        lines += [f"  - {v}" for v in self.violations[:_SHOWN]]
        if n > _SHOWN:
            lines.append(f"  ... and {n - _SHOWN} more")
        return "\n".join(lines)


def listed(
    file: str, column: str | None, rule: str, found: Iterable[tuple[int | None, str]], total: int
) -> list[Violation]:
    """The first ``PER_RULE`` findings as violations, plus one line counting the rest."""
    problems = [Violation(file, row, column, rule, message) for row, message in islice(found, PER_RULE)]
    if total > PER_RULE:
        message = f"... and {total - PER_RULE:,} more break this rule (first {PER_RULE} listed)"
        problems.append(Violation(file, None, column, rule, message))
    return problems


def show(value: str) -> str:
    """A cell's text quoted for a message, cut at 60 characters."""
    return repr(value if len(value) <= 60 else value[:57] + "...")
