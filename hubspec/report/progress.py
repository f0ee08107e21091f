"""A progress bar on stderr while many files are linted (never in machine-readable output)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressBar:
    """Starts showing only once more than `threshold` files are in the run.

    rich is imported only then: a run over a few files (pre-commit) does not pay for it.
    """

    def __init__(self, stream: TextIO, threshold: int, label: str = "linting") -> None:
        self.threshold = threshold
        self.label = label
        self.stream = stream
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def update(self, done: int, total: int) -> None:
        if total <= self.threshold:
            return
        if self.progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn(self.label),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("lint", total=total)
        if self.task is not None:
            self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
