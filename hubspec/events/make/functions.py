"""Make's text functions that need nothing but their arguments ($(subst ...), $(patsubst ...)).

Functions that look at the file system or run commands ($(shell ...), $(wildcard ...)) are
not here: their value is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Function = Callable[[Sequence[str]], str]


def pattern_match(pattern: str, word: str) -> str | None:
    """The stem `%` stands for when `word` matches `pattern` (or the word itself if no `%`)."""
    if "%" not in pattern:
        return "" if pattern == word else None
    prefix, suffix = pattern.split("%", 1)
    if len(word) >= len(prefix) + len(suffix) and word.startswith(prefix) and word.endswith(suffix):
        return word[len(prefix) : len(word) - len(suffix)]
    return None


def patsubst(pattern: str, replacement: str, text: str) -> str:
    out = []
    for word in text.split():
        stem = pattern_match(pattern, word)
        if stem is None:
            out.append(word)
        elif "%" in replacement:
            out.append(replacement.replace("%", stem, 1))
        else:
            out.append(replacement)
    return " ".join(out)


def _filter(keep: bool) -> Function:
    def run(args: Sequence[str]) -> str:
        patterns = args[0].split()
        words = args[1].split() if len(args) > 1 else []
        return " ".join(
            w for w in words if any(pattern_match(p, w) is not None for p in patterns) is keep
        )

    return run


def _word(args: Sequence[str]) -> str:
    words = args[1].split() if len(args) > 1 else []
    number = args[0].strip()
    if not number.isdigit() or int(number) < 1:
        raise ValueError(f"$(word) needs a positive number, not '{number}'")
    index = int(number)
    return words[index - 1] if index <= len(words) else ""


def _each(change: Callable[[str], str]) -> Function:
    return lambda args: " ".join(change(w) for w in args[0].split())


def _affix(before: bool) -> Function:
    def run(args: Sequence[str]) -> str:
        affix = args[0]
        words = args[1].split() if len(args) > 1 else []
        return " ".join(affix + w if before else w + affix for w in words)

    return run


def _dir(word: str) -> str:
    head = word.rpartition("/")[0]
    return head + "/" if "/" in word else "./"


def _suffix(word: str) -> str:
    base = word.rpartition("/")[2]
    return base[base.rfind(".") :] if "." in base else ""


def _basename(word: str) -> str:
    suffix = _suffix(word)
    return word[: len(word) - len(suffix)] if suffix else word


FUNCTIONS: dict[str, Function] = {
    "subst": lambda a: a[2].replace(a[0], a[1]) if a[0] else a[2] + a[1],
    "patsubst": lambda a: patsubst(a[0].strip(), a[1].strip(), a[2]),
    "strip": lambda a: " ".join(a[0].split()),
    "findstring": lambda a: a[0] if a[0] in a[1] else "",
    "filter": _filter(True),
    "filter-out": _filter(False),
    "sort": lambda a: " ".join(sorted(set(a[0].split()))),
    "word": _word,
    "words": lambda a: str(len(a[0].split())),
    "firstword": lambda a: (a[0].split() or [""])[0],
    "lastword": lambda a: (a[0].split() or [""])[-1],
    "dir": _each(_dir),
    "notdir": _each(lambda w: w.rpartition("/")[2]),
    "suffix": lambda a: " ".join(s for s in (_suffix(w) for w in a[0].split()) if s),
    "basename": _each(_basename),
    "addprefix": _affix(True),
    "addsuffix": _affix(False),
    "info": lambda a: "",
    "warning": lambda a: "",
}
"""Name -> function of its expanded arguments (split at commas)."""

ARGUMENT_COUNT = {"subst": 3, "patsubst": 3, "findstring": 2, "filter": 2, "filter-out": 2}
ARGUMENT_COUNT |= {"word": 2, "addprefix": 2, "addsuffix": 2}

KNOWN_UNKNOWABLE = frozenset(
    {
        "shell",
        "wildcard",
        "realpath",
        "abspath",
        "foreach",
        "call",
        "eval",
        "value",
        "origin",
        "flavor",
        "file",
        "guile",
        "let",
        "intcmp",
        "join",
        "wordlist",
        "error",
        "or",
        "and",
    }
)
"""Function names make knows whose value hubspec does not compute."""
