"""Rich code frames for a terminal: the offending line, a caret under the column, the message."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.text import Text

from hubspec.load.source import split_lines
from hubspec.model import Finding, Severity
from hubspec.report import Report, summary_line

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}
_CONTEXT = 1


def render(report: Report, out: TextIO, *, color: bool | None = None) -> None:
    console = Console(
        file=out,
        force_terminal=color,
        no_color=color is False,
        highlight=False,
        soft_wrap=True,
    )
    for finding in report.active:
        console.print(_frame(finding, report.sources.get(finding.path, "")))
    for note in report.notes:
        line = Text(f"{note.path}", style="bold")
        line.append(": note: ", style="blue")
        line.append(note.message)
        console.print(line)
    console.print(Text(summary_line(report), style="bold"))


def _frame(finding: Finding, source: str) -> Text:
    start = finding.span.start
    head = Text()
    head.append(f"{finding.path}:{start.line}:{start.column}", style="bold")
    head.append(": ")
    head.append(finding.rule, style=_STYLES[finding.severity])
    head.append(f" [{finding.name}] ", style="dim")
    head.append(finding.message)
    if finding.project is not None:
        head.append(f" (project {finding.project})", style="dim")
    head.append("\n")
    lines = split_lines(source)
    first = max(1, start.line - _CONTEXT)
    width = len(str(min(len(lines), start.line + _CONTEXT)))
    for number in range(first, min(len(lines), start.line) + 1):
        line = lines[number - 1].replace("\t", " ")
        if len(line) > 200:
            line = line[:200] + "..."
        head.append(f" {number:>{width}} | ", style="blue")
        head.append(line + "\n")
    if 1 <= start.line <= len(lines):
        caret_width = 1
        if finding.span.end.line == start.line:
            caret_width = max(1, min(finding.span.end.column - start.column, 80))
        pad = " " * (min(start.column, 201) - 1)
        head.append(f" {'':>{width}} | ", style="blue")
        head.append(pad + "^" * caret_width, style=_STYLES[finding.severity])
        head.append("\n")
    for note in finding.notes:
        head.append(f" {'':>{width}} = ", style="blue")
        head.append(note + "\n", style="dim")
    return head
