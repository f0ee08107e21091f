"""A make command line: directory, Makefiles, goals, command-line variables, dry run."""

from __future__ import annotations

from collections.abc import Sequence

from hubspec.records import field, record

_WITH_ARGUMENT = frozenset("CfIoW")
"""Short options that take the next word (or the rest of this one) as their argument."""
_OPTIONAL_NUMBER = frozenset("jl")
_DRY = frozenset("nqt")
"""Options after which make runs no recipe (except `+` lines and $(MAKE) lines)."""
_LONG_WITH_ARGUMENT = {
    "--directory": "C",
    "--file": "f",
    "--makefile": "f",
    "--include-dir": "I",
    "--old-file": "o",
    "--assume-old": "o",
    "--new-file": "W",
    "--assume-new": "W",
    "--what-if": "W",
}
_LONG_DRY = frozenset({"--just-print", "--dry-run", "--recon", "--question", "--touch"})
_LONG_NOTHING = frozenset({"--help", "--version", "--print-data-base"})
_LONG_FLAGS = frozenset(
    {
        "--always-make",
        "--environment-overrides",
        "--ignore-errors",
        "--keep-going",
        "--no-keep-going",
        "--stop",
        "--silent",
        "--quiet",
        "--no-silent",
        "--print-directory",
        "--no-print-directory",
        "--no-builtin-rules",
        "--no-builtin-variables",
        "--warn-undefined-variables",
        "--check-symlink-times",
        "--trace",
        "--debug",
        "--jobs",
        "--load-average",
        "--max-load",
        "--output-sync",
        "--shuffle",
    }
)


@record(frozen=False)
class MakeArgs:
    """What a make command line asks for; `problem` is set when it cannot be followed."""

    directories: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    include_dirs: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)
    appends: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    runs_nothing: bool = False
    environment_overrides: bool = False
    problem: str | None = None


def parse_make_args(argv: Sequence[str | None]) -> MakeArgs:
    """`make [options] [VAR=value] [goal...]` (argv[0] is the program)."""
    found = MakeArgs()
    words = list(argv[1:])
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word is None:
            found.problem = "a make argument is not known statically"
            return found
        if word == "--":
            found.goals.extend(w for w in words[index:] if w is not None)
            break
        if word.startswith("--"):
            index = _long(found, word, words, index)
        elif word.startswith("-") and word != "-":
            index = _short(found, word, words, index)
        elif "=" in word and _is_assignment(word):
            _assignment(found, word)
        else:
            found.goals.append(word)
        if found.problem:
            return found
    return found


def _is_assignment(word: str) -> bool:
    name = word.split("=", 1)[0].rstrip(":+?!")
    return bool(name) and not any(c in name for c in " \t#")


def _assignment(found: MakeArgs, word: str) -> None:
    name, value = word.split("=", 1)
    if name.endswith("+"):
        found.appends[name[:-1]] = value
    elif name.endswith(("!", "?")):
        found.problem = f"the command-line assignment {word} is not followed"
    else:
        found.overrides[name.rstrip(":")] = value


def _long(found: MakeArgs, word: str, words: list[str | None], index: int) -> int:
    name, equals, value = word.partition("=")
    if name in _LONG_WITH_ARGUMENT:
        if not equals:
            if index >= len(words) or words[index] is None:
                found.problem = f"make {name} has no known argument"
                return index
            value = words[index] or ""
            index += 1
        _option(found, _LONG_WITH_ARGUMENT[name], value)
    elif name in _LONG_DRY:
        found.dry_run = True
    elif name in _LONG_NOTHING:
        found.runs_nothing = True
    elif name == "--environment-overrides":
        found.environment_overrides = True
    elif name not in _LONG_FLAGS:
        found.problem = f"make option {name} is not understood"
    return index


def _short(found: MakeArgs, word: str, words: list[str | None], index: int) -> int:
    position = 1
    while position < len(word):
        letter = word[position]
        position += 1
        if letter in _WITH_ARGUMENT:
            value = word[position:]
            if not value:
                if index >= len(words) or words[index] is None:
                    found.problem = f"make -{letter} has no known argument"
                    return index
                value = words[index] or ""
                index += 1
            _option(found, letter, value)
            return index
        if letter in _OPTIONAL_NUMBER:
            rest = word[position:]
            if rest.isdigit():
                return index
            following = words[index] if index < len(words) else None
            if not rest and following is not None and following.isdigit():
                index += 1
            continue
        if letter in _DRY:
            found.dry_run = True
        elif letter in "pv":
            found.runs_nothing = True
        elif letter == "e":
            found.environment_overrides = True
        elif letter == "E":
            found.problem = "make -E (--eval) is not followed"
            return index
        elif letter == "O":
            return index  # -O[type]: the rest of the word is its optional argument
        elif letter not in "BbdikrRsSwL":
            found.problem = f"make option -{letter} is not understood"
            return index
    return index


def _option(found: MakeArgs, letter: str, value: str) -> None:
    if letter == "C":
        found.directories.append(value)
    elif letter == "f":
        found.files.append(value)
    elif letter == "I":
        found.include_dirs.append(value)
