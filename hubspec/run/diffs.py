"""What reports and diffs may show of a file: its text with literal secrets masked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubspec.facts.secrets import mask
from hubspec.lint.pipeline import LintResult

if TYPE_CHECKING:
    from hubspec.fix import FixOutcome


def unified_diff(outcome: FixOutcome) -> str:
    """The change a fix would make, as unified diffs of the decoded texts (every file)."""
    import difflib

    secrets = _secrets(outcome.before)
    pairs: list[tuple[str, str, str]] = []
    if outcome.new_data is not None:
        new_text = outcome.new_data.decode("utf-8").lstrip("\ufeff")
        pairs.append((outcome.path, outcome.before.text, new_text))
    pairs.extend((str(path), old, new) for path, old, new in outcome.files)
    chunks: list[str] = []
    for name, old_text, new_text in pairs:
        old = _patch_lines(mask(old_text, secrets))
        new = _patch_lines(mask(new_text, secrets))
        before, after = (name, name) if name.startswith("/") else (f"a/{name}", f"b/{name}")
        lines = difflib.unified_diff(old, new, before, after)
        chunks.extend(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines
        )
    return "".join(chunks)


def _patch_lines(text: str) -> list[str]:
    """Lines as `patch` and `git apply` count them: each ends at LF (kept), nowhere else;
    `str.splitlines` would also end them at CR, NEL or U+2028 and the hunks would not apply."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _secrets(result: LintResult) -> set[str]:
    return set(result.context.secrets) if result.context is not None else set(result.secrets)


def shown_text(result: LintResult) -> str:
    """A file's text as reports may quote it: literal secrets masked."""
    return mask(result.text, _secrets(result))
