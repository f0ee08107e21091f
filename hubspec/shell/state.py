"""What the shell analysis reports and the state it tracks, shared by its two analysers.

`hubspec.shell.walk` walks tree-sitter-bash's parse of any script; `hubspec.shell.quick` reads the
common one-line commands without a parse. Both build these records and apply these state
changes, so their results can be compared exactly.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from hubspec.records import field, fields, record
from hubspec.shell.wrappers import WRAPPERS, unwrap


@record(slots=True)
class Word:
    """One argv word; `value` is None when only the running shell could know it."""

    value: str | None
    raw: str
    start: int
    end: int
    variables: tuple[str, ...] = ()


@record(slots=True)
class SimpleCommand:
    """One command the script runs, with enough context for rules to judge it."""

    words: tuple[Word, ...]
    assignments: tuple[tuple[str, str | None], ...]
    start: int
    end: int
    conditional: bool
    pipe_input: SimpleCommand | None
    nesting: int
    cwd: str = "."  # working directory it runs in, as ShellState.cwd ("?" unknown)
    writes: tuple[tuple[str, str | None], ...] = ()
    """The files its redirections write, in order: (operator, file as the shell names it),
    as `(">>", "build.env")` or `("2>", None)` for a name not known statically. Descriptors
    (`2>&1`) are not files."""


@record(slots=True)
class Function:
    """A shell function: its body's text, and where that text is, to run it where it is called.

    `start` is where the body starts in the coordinates of the analysis that defined it
    (`origin`), or `fixed` the span every command of that analysis was reported at. A call
    from another analysis (a later buildspec command) reports the body's commands at the call.
    """

    body: str
    start: int
    fixed: tuple[int, int] | None
    origin: object


@record(frozen=False)
class ShellState:
    """What is known about the shell between commands; mutated while analysing."""

    variables: dict[str, str] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    cwd: str = "."
    functions: dict[str, Function] = field(default_factory=dict)
    dirs: tuple[str, ...] = ()
    """`pushd`'s stack below `cwd`, the last pushed last: where `popd` goes back to."""

    def copy(self) -> ShellState:
        """Subshells and nested shells must not leak changes into their parent."""
        return ShellState(
            dict(self.variables), set(self.unknown), self.cwd, dict(self.functions), self.dirs
        )


@record(slots=True)
class ShellResult:
    """Everything `analyse` learnt about one script."""

    commands: tuple[SimpleCommand, ...]
    errors: tuple[tuple[int, str], ...]
    state: ShellState
    """The state after the script: the incoming object itself when nothing changed it."""


# The generated __init__ of a frozen record assigns each field through
# object.__setattr__; a megabyte of script makes hundreds of thousands of words, so
# the walker fills the slots directly. The objects are the same as __init__ builds.
_new = object.__new__
_SlotSetter = Callable[[Any, object], None]
_W_VALUE: _SlotSetter = vars(Word)["value"].__set__
_W_RAW: _SlotSetter = vars(Word)["raw"].__set__
_W_START: _SlotSetter = vars(Word)["start"].__set__
_W_END: _SlotSetter = vars(Word)["end"].__set__
_W_VARIABLES: _SlotSetter = vars(Word)["variables"].__set__


(
    _C_WORDS,
    _C_ASSIGNMENTS,
    _C_START,
    _C_END,
    _C_CONDITIONAL,
    _C_PIPE,
    _C_NESTING,
    _C_CWD,
    _C_WRITES,
) = (vars(SimpleCommand)[name].__set__ for name in fields(SimpleCommand))


def make_command(
    words: tuple[Word, ...],
    assignments: tuple[tuple[str, str | None], ...],
    start: int,
    end: int,
    conditional: bool,
    pipe_input: SimpleCommand | None,
    nesting: int,
    cwd: str,
    writes: tuple[tuple[str, str | None], ...] = (),
) -> SimpleCommand:
    cmd: SimpleCommand = _new(SimpleCommand)
    _C_WORDS(cmd, words)
    _C_ASSIGNMENTS(cmd, assignments)
    _C_START(cmd, start)
    _C_END(cmd, end)
    _C_CONDITIONAL(cmd, conditional)
    _C_PIPE(cmd, pipe_input)
    _C_NESTING(cmd, nesting)
    _C_CWD(cmd, cwd)
    _C_WRITES(cmd, writes)
    return cmd


def add_writes(cmd: SimpleCommand, writes: tuple[tuple[str, str | None], ...]) -> None:
    """Give a command the files a redirection around it writes (`{ a; b; } > f`), in place:
    only while the analysis that made it runs, so every reference sees the same command."""
    _C_WRITES(cmd, cmd.writes + writes)


def make_word(
    value: str | None, raw: str, start: int, end: int, variables: tuple[str, ...]
) -> Word:
    word: Word = _new(Word)
    _W_VALUE(word, value)
    _W_RAW(word, raw)
    _W_START(word, start)
    _W_END(word, end)
    _W_VARIABLES(word, variables)
    return word


# --------------------------------------------------------------------------- commands

SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "busybox"})
DECLARATIONS = frozenset({"export", "declare", "typeset", "readonly", "local"})
# Command names `_effects` has to look at; everything else leaves the state alone.
EFFECTFUL = (
    DECLARATIONS
    | SHELLS
    | frozenset(WRAPPERS)
    | {"unset", "cd", "pushd", "popd", "read", "printf", "eval"}
)
MUTATORS = DECLARATIONS | {"unset", "cd", "pushd", "popd", "read", "printf"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# --------------------------------------------------------------------------- state


def appended(state: ShellState, name: str, value: str | None) -> str | None:
    """The value `NAME+=value` gives: unknown if the variable or the value is."""
    if value is None or (name in state.unknown and name not in state.variables):
        return None
    return state.variables.get(name, "") + value


def set_var(state: ShellState, name: str, value: str | None, append: bool = False) -> str | None:
    """Record an assignment; returns the value the variable ends up with."""
    if append:
        value = appended(state, name, value)
    if value is None:
        state.variables.pop(name, None)
        state.unknown.add(name)
    else:
        state.variables[name] = value
        state.unknown.discard(name)
    return value


SOURCE_DIR_MARK = "/codebuild/output/src"
"""Where the build starts (`$CODEBUILD_SRC_DIR`, the source root), which the working
directory "." stands for: a path under it is kept relative to it (`cd "$CODEBUILD_SRC_DIR/app"`
leads to "app")."""


def new_cwd(cwd: str, target: str | None) -> str:
    """Where `cd target` leads from `cwd`; "?" once it cannot be known."""
    if target is None or target == "-" or target.startswith("~"):
        return "?"
    if target == "":
        return cwd
    if target.startswith("/"):
        path = posixpath.normpath(target)
        if path == SOURCE_DIR_MARK:
            return "."
        if path.startswith(SOURCE_DIR_MARK + "/"):
            return path[len(SOURCE_DIR_MARK) + 1 :]
        return path
    if cwd == "?":
        return "?"
    return posixpath.normpath(posixpath.join(cwd, target))


def absolute_cwd(cwd: str) -> str | None:
    """The working directory as `pwd` prints it; None if not known."""
    if cwd == "?":
        return None
    return posixpath.normpath(posixpath.join(SOURCE_DIR_MARK, cwd))


def change_directory(name: str, args: Sequence[Word], state: ShellState) -> None:
    """What `cd`, `pushd` or `popd` with these arguments do to the directory and its stack.

    `pushd DIR` keeps the directory it leaves on the stack, and a plain `popd` goes back to
    it. A `popd` with nothing known on the stack (a script's own shell starts with none; a
    rotation like `pushd +1` is not followed) leaves the directory unknown.
    """
    before = state.cwd
    if name == "popd":
        if args or not state.dirs:
            state.cwd, state.dirs = "?", ()
        else:
            state.cwd, state.dirs = state.dirs[-1], state.dirs[:-1]
        return
    state.cwd = cd_target(name, args, before)
    if name == "pushd":
        state.dirs = (*state.dirs, before) if _pushes(args) else ()


def _pushes(args: Sequence[Word]) -> bool:
    """Whether `pushd ARGS` moves to a directory, keeping the one it leaves (a known or
    unknown target); not `pushd` alone, `pushd -n DIR` or a rotation (`+1`, `-0`)."""
    for word in args:
        value = word.value
        if value == "--":
            continue
        if value is not None and len(value) > 1 and value[0] in "+-":
            if "n" in value or value[1:].isdigit():
                return False
            continue
        return True
    return False


def cd_target(name: str, args: Sequence[Word], cwd: str) -> str:
    """The working directory after `cd` or `pushd` with these arguments."""
    rest = list(args)
    while rest:
        v = rest[0].value
        if v == "--":
            rest.pop(0)
            break
        if v is not None and len(v) > 1 and v[0] == "-" and v != "-":
            if name == "pushd" and "n" in v:
                return cwd
            if name == "pushd" and v[1:].isdigit():
                return "?"
            rest.pop(0)
            continue
        break
    if not rest:
        return "?"
    target = rest[0].value
    if name == "pushd" and target is not None and target[:1] == "+":
        return "?"
    return new_cwd(cwd, target)


# --------------------------------------------------------------------------- frames


class Frame:
    """Execution context: which state commands see and whether they surely run.

    A subshell frame starts out reading its parent's state and copies it on its
    first write only: copying eagerly for every pipeline stage is quadratic in a
    script that both defines many variables and runs many pipelines.
    """

    __slots__ = ("cond", "last", "pipe", "shared", "state")

    def __init__(
        self,
        state: ShellState,
        cond: bool,
        pipe: SimpleCommand | None = None,
        *,
        shared: bool = False,
    ) -> None:
        self.state = state  # read through this; write through `own()`
        self.shared = shared
        self.cond = cond
        self.pipe = pipe  # pipe input for the next command that runs directly here
        self.last: SimpleCommand | None = None  # last command that ran directly here

    def own(self) -> ShellState:
        """The state, made private to this frame before it is changed."""
        if self.shared:
            self.state = self.state.copy()
            self.shared = False
        return self.state


Stage = TypeVar("Stage")


def run_pipeline(
    stages: Sequence[Stage],
    frame: Frame,
    first: SimpleCommand | None,
    run: Callable[[Stage, Frame], None],
) -> None:
    """Every stage is a subshell; each one reads what the previous one wrote."""
    previous = first
    for stage in stages:
        sub = Frame(frame.state, frame.cond, previous, shared=True)
        run(stage, sub)
        previous = sub.last
        if sub.last is not None:
            frame.last = sub.last
    frame.pipe = None


def expand_parameter(
    frame: Frame, name: str, prefix: str, op: str | None, alt: str | None
) -> str | None:
    """`${NAME}`, `${#NAME}`, `${NAME:-alt}`, `${NAME:=alt}`, `${NAME:+alt}`, `${NAME:?}`.

    `prefix` is what comes before the name (`#`, `!`), `op` the operator and `alt` the value
    of the word after it; None when the result is not known statically.
    """
    state = frame.state
    value = state.variables.get(name)
    is_set = value is not None
    unknown = not is_set and (name in state.unknown or not IDENT.match(name))
    if prefix == "#" and op is None:
        return str(len(value)) if value is not None else None
    if prefix:
        return None
    if op is None:
        return value
    if op in (":-", ":=", "-", "="):
        use_value = is_set and (op in ("-", "=") or value != "")
        if use_value:
            return value
        if unknown:
            return None
        if op in (":=", "="):
            set_var(frame.own(), name, alt)
        return alt
    if op in (":+", "+"):
        if unknown:
            return None
        if is_set and (op == "+" or value != ""):
            return alt
        return ""
    if op in (":?", "?"):
        return value if is_set and (op == "?" or value != "") else None
    return None


# ----------------------------------------------------------------- effects


# --------------------------------------------------------------------------- builtins


def apply_builtin(words: Sequence[Word], frame: Frame) -> None:
    """What a builtin does to the shell state: declarations, unset, cd, read, printf -v."""
    name = words[0].value
    if name not in MUTATORS:
        return
    args = words[1:]
    if name in DECLARATIONS:
        _declare(args, frame.own())
    elif name == "unset":
        functions = any(w.value == "-f" for w in args)
        for w in args:
            if w.value is None or not IDENT.match(w.value):
                continue
            state = frame.own()
            if functions:
                state.functions.pop(w.value, None)
            else:
                state.variables.pop(w.value, None)
                state.unknown.discard(w.value)
    elif name in ("cd", "pushd", "popd"):
        change_directory(name, args, frame.own())
    elif name == "read":
        _read(args, frame.own())
    elif name == "printf" and len(args) >= 2 and args[0].value == "-v":
        target = args[1].value
        if target is not None and IDENT.match(target):
            set_var(frame.own(), target, None)


def _split_assignment(word: Word) -> tuple[str, str | None, bool] | None:
    """`NAME=VALUE` / `NAME+=VALUE` as given to export/declare; None for a bare name."""
    text = word.value if word.value is not None else word.raw
    if "=" not in text:
        return None
    name, _, value = text.partition("=")
    append = name.endswith("+")
    if append:
        name = name[:-1]
    if "[" in name:  # array element: the array becomes unknown
        name = name.split("[", 1)[0]
        return (name, None, False) if IDENT.match(name) else None
    if not IDENT.match(name):
        return None
    return name, (value if word.value is not None else None), append


def _declare(args: Sequence[Word], state: ShellState) -> None:
    functions = False
    for w in args:
        v = w.value
        if v is not None and v[:1] in ("-", "+") and "=" not in v:
            functions = functions or "f" in v or "F" in v
            continue
        if functions:
            continue
        parsed = _split_assignment(w)
        if parsed is not None:
            set_var(state, parsed[0], parsed[1], parsed[2])


def _read(args: Sequence[Word], state: ShellState) -> None:
    targets: list[str] = []
    i = 0
    while i < len(args):
        v = args[i].value
        i += 1
        if v is None:
            continue
        if v == "--":
            targets.extend(w.value for w in args[i:] if w.value is not None)
            break
        if len(v) > 1 and v[0] == "-":
            for k, ch in enumerate(v[1:]):
                if ch in "adinNptu":
                    optarg = v[k + 2 :]
                    if not optarg and i < len(args):
                        optarg = args[i].value or ""
                        i += 1
                    if ch == "a":
                        targets.append(optarg)
                    break
            continue
        targets.append(v)
    for target in targets or ["REPLY"]:
        if IDENT.match(target):
            set_var(state, target, None)


POSITIONAL = ("#", "@", "*", *(str(n) for n in range(1, 10)))
"""The parameters a function call or a script's arguments set: `$#`, `$@`, `$*`, `$1`..`$9`."""

Saved = dict[str, tuple[str | None, bool]]
"""Variables before a call changed them, to restore after it: (value, whether unknown)."""


def bind_arguments(state: ShellState, arguments: Sequence[Word]) -> Saved:
    """Set `$1`.. `$#`, `$@` and `$*` for a function or script called with these words.

    Returns what they were, for `restore`. A parameter beyond the arguments is empty; `$@`
    and `$*` are the arguments joined by blanks, unknown when one of them is.
    """
    saved = save(state, POSITIONAL)
    values = [word.value for word in arguments]
    joined = None if None in values else " ".join(v for v in values if v is not None)
    set_var(state, "#", str(len(values)))
    set_var(state, "@", joined)
    set_var(state, "*", joined)
    for n in range(1, 10):
        set_var(state, str(n), values[n - 1] if n <= len(values) else "")
    return saved


def arguments(state: ShellState) -> list[str] | None:
    """The arguments `bind_arguments` bound, one per word as `"$@"` gives them; None if unknown."""
    count = state.variables.get("#")
    if count is None or not count.isdigit() or int(count) > 9:
        return None
    values = [state.variables.get(str(n)) for n in range(1, int(count) + 1)]
    return None if None in values else [value for value in values if value is not None]


def save(state: ShellState, names: Iterable[str]) -> Saved:
    """What `names` are now (a value, unknown, or unset), for `restore`."""
    return {name: (state.variables.get(name), name in state.unknown) for name in names}


def restore(state: ShellState, saved: Saved) -> None:
    """Put back variables as `save` found them."""
    for name, (value, unknown) in saved.items():
        if value is not None or unknown:
            set_var(state, name, value)
        else:
            state.variables.pop(name, None)
            state.unknown.discard(name)


def nested_body(words: Sequence[Word]) -> Sequence[Word] | None:
    """The words `bash -c BODY` or `eval ARGS` run as a script of their own, when all known."""
    unwrapped = unwrap([word.value for word in words])
    if unwrapped is None:
        return None
    i = unwrapped.word
    name = str(words[i].value)
    base = name.rsplit("/", 1)[-1]
    body_words: Sequence[Word]
    if base == "eval":
        body_words = words[i + 1 :]
    elif base in SHELLS:
        j = i + 1
        if base == "busybox":
            if j >= len(words) or words[j].value not in ("sh", "ash"):
                return None
            j += 1
        command_mode = False
        while j < len(words):
            v = words[j].value
            if v is None:
                return None
            if v == "--":
                j += 1
                break
            if v.startswith("--"):
                j += 2 if v in ("--rcfile", "--init-file") else 1
                continue
            if len(v) > 1 and v[0] in "-+":
                flags = v[1:]
                if v[0] == "-" and "c" in flags:
                    command_mode = True
                j += 1 + flags.count("o") + flags.count("O")
                continue
            break
        if not command_mode or j >= len(words):
            return None
        body_words = words[j : j + 1]
    else:
        return None
    if not body_words or any(w.value is None for w in body_words):
        return None
    return body_words
