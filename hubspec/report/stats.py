"""`hubspec lint --stats`: the Docker Hub pull budget of each file, as a plain table."""

from __future__ import annotations

from typing import TextIO

from hubspec.facts.budget import LIMITS_AS_OF, PULLS_PER_WINDOW, WINDOW_HOURS
from hubspec.report import Report


def _fits(value: int | None) -> str:
    return "unlimited" if value is None else str(value)


def render(report: Report, out: TextIO) -> None:
    anonymous, personal = PULLS_PER_WINDOW["anonymous"], PULLS_PER_WINDOW["personal"]
    out.write(
        f"\nDocker Hub pulls (limits as of {LIMITS_AS_OF}, per {WINDOW_HOURS} h: anonymous"
        f" {anonymous} per shared IP, free account {personal}, paid unlimited)\n"
    )
    rows = [(report.unit, "pulls/build", "builds", "pulls/run", "runs: anonymous", "free account")]
    for budget in report.budgets:
        rows.append(
            (
                budget.path,
                str(budget.pulls_per_build),
                str(budget.builds),
                str(budget.pulls_per_run),
                _fits(budget.runs_per_window("anonymous")),
                _fits(budget.runs_per_window("personal")),
            )
        )
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        out.write("  ".join(cells).rstrip() + "\n")
    total = sum(budget.pulls_per_run for budget in report.budgets)
    out.write(f"total: {total} Docker Hub pull(s) if every {report.unit} runs once\n")
