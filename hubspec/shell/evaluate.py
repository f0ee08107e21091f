"""Words and expansions: the value of each word of a command, as far as it is known statically.

Takes the word groups `hubspec.shell.syntax` cuts and the shell state of the frame; hands on
`Word`s (None for a value only the running shell could know) and runs the command
substitutions inside them through the walker (`_stmt`, `_block`, given by the subclass).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hubspec.shell.output import may_print, printed
from hubspec.shell.quoting import ansi_c, unescape, unescape_dq
from hubspec.shell.state import (
    IDENT,
    Frame,
    Saved,
    SimpleCommand,
    Word,
    expand_parameter,
    make_word,
)
from hubspec.shell.syntax import (
    ACTIVE,
    LITERAL,
    STATEMENTS,
    Group,
    Node,
    Syntax,
    cut_after_dollar,
    glued_dollar,
    string_piece_start,
)

DEPTH_MESSAGE = "shell nesting too deep to analyse"


class Shared:
    """Output and limits shared by a script and every `bash -c` body inside it."""

    __slots__ = (
        "budget",
        "calls",
        "commands",
        "depth",
        "errors",
        "locals",
        "max_nesting",
        "origin",
        "runs",
        "too_deep",
    )

    def __init__(self, max_nesting: int, budget: int) -> None:
        self.commands: list[SimpleCommand] = []
        self.errors: list[tuple[int, str]] = []
        self.depth = 0
        self.budget = budget
        self.max_nesting = max_nesting
        self.too_deep = False
        self.origin = object()  # the functions this analysis defines know it by this
        self.calls = 0  # function calls running now, one inside the other
        self.runs = 0  # loop and function bodies run so far
        self.locals: list[Saved] = []  # per running call: what its `local`s hid


class Evaluator(Syntax):
    """Evaluates the words of one script; the walker subclass runs its statements."""

    def __init__(
        self,
        script: str,
        shared: Shared,
        nesting: int,
        shift: int,
        fixed: tuple[int, int] | None,
    ) -> None:
        super().__init__(script, shared.errors, shift, fixed)
        self.sh = shared
        self.nesting = nesting

    def _stmt(self, node: Node, fr: Frame) -> None:
        raise NotImplementedError  # the walker runs statements

    def _block(self, node: Node, fr: Frame) -> None:
        raise NotImplementedError

    def _assignment(
        self,
        node: Node,
        fr: Frame,
        names: list[str] | None = None,
        tail: Sequence[Node] = (),
    ) -> tuple[str, str | None, bool]:
        raise NotImplementedError  # assignments change the state: the walker's job

    def _scan(self, node: Node, fr: Frame) -> None:
        """Run the substitutions of a node that is not itself a command."""
        self._value(node, fr, [])

    def _too_deep(self, node: Node) -> None:
        if not self.sh.too_deep:
            self.sh.too_deep = True
            self._error(self._c(node.start_byte), DEPTH_MESSAGE)

    # ----------------------------------------------------------------- entry

    def _eval_group(self, group: Group, fr: Frame) -> Word:
        first = group[0]
        gstart = first[2]
        gend = max(part[3] for part in group) if len(group) > 1 else first[3]
        raw = self.src[gstart:gend]
        if self.fixed is None:
            start = gstart + self.shift
            end = gend + self.shift
        else:
            start, end = self.fixed
        if len(group) == 1 and first[1] == "word" and first[0] is not None:
            return make_word(unescape(raw) if "\\" in raw else raw, raw, start, end, ())
        out: list[str] = []
        known = True
        names: list[str] = []
        skip = False
        for i, (node, t, s, e) in enumerate(group):
            if node is None:
                out.append(t)
                continue
            if skip:
                skip = False
                continue
            if t == "word":
                value: str | None = unescape(self.src[s:e])
            elif t == "variable_name":
                value = self.src[s:e]  # `export NAME`: a name, not a reference
            elif t == "$" and i + 1 < len(group):
                following = group[i + 1]
                if following[0] is not None and following[1] == "string":
                    continue  # $"..." is a translated string
                glued = following[0] is not None and following[1] == "word" and following[2] == e
                text = self.src[following[2] : following[3]] if glued else None
                value, skip = glued_dollar(text, fr.state.variables, names)
            elif (
                t == "variable_assignment"
                and i + 1 < len(group)
                and (following_node := group[i + 1][0]) is not None
                and cut_after_dollar(node, following_node)
            ):
                # `export R=$A.b.$B.c`: cut after its `$` as in a prefix assignment
                skip = True
                name, value, append = self._assignment(node, fr, names, tail=(following_node,))
                if value is not None and name:
                    value = name + ("+=" if append else "=") + value
                else:
                    value = None
            else:
                value = self._value(node, fr, names)
            if value is None:
                known = False
            elif known:
                out.append(value)
        variables = tuple(dict.fromkeys(names)) if names else ()
        return make_word("".join(out) if known else None, raw, start, end, variables)

    def _value(self, node: Node, fr: Frame, names: list[str]) -> str | None:
        """A piece of a word after quote removal and expansion; None if not static."""
        t = node.type
        if t == "word":
            return unescape(self._text(node))
        if t in LITERAL or not node.is_named:
            return self._text(node)
        if t == "raw_string":
            text = self._text(node)
            return text[1:-1] if len(text) >= 2 and text.endswith("'") else text[1:]
        if t == "simple_expansion":
            name_node = node.named_children[0] if node.named_child_count else None
            if name_node is None:
                return self._text(node)
            name = self._text(name_node)
            if IDENT.match(name):
                names.append(name)
            return fr.state.variables.get(name)
        if t == "variable_name":
            # a bare name in arithmetic is a reference (as argv word see `_eval_group`)
            name = self._text(node)
            names.append(name)
            return name
        if t == "ansi_c_string":
            text = self._text(node)
            return ansi_c(text[2:-1] if len(text) >= 3 and text.endswith("'") else text[2:])
        sh = self.sh
        sh.depth += 1
        try:
            if sh.depth > sh.budget:
                self._too_deep(node)
                return None
            if t in ("string", "translated_string"):
                return self._string(node, fr, names)
            if t == "concatenation":
                return self._join(
                    node.children, self._c(node.start_byte), self._c(node.end_byte), fr, names
                )
            if t == "expansion":
                return self._expansion(node, fr, names)
            if t in ("command_substitution", "process_substitution"):
                sub = Frame(fr.state, fr.cond, shared=True)
                before = len(sh.commands)
                self._block(node, sub)
                if t == "process_substitution" or len(sh.commands) == before:
                    return None
                return _printed(node, sub, sh.commands[-1], self._text)
            if t == "variable_assignment":
                name, value, append = self._assignment(node, fr, names)
                if value is None or not name:
                    return None
                return name + ("+=" if append else "=") + value
            if t in STATEMENTS:
                self._stmt(node, fr)
                return None
            if node.child_count == 0:
                return self._text(node)
            # arithmetic, arrays, subscripts, anything new: not static, but walk it
            for child in node.children:
                if child.type in STATEMENTS:
                    self._stmt(child, fr)
                else:
                    self._value(child, fr, names)
            return None
        finally:
            sh.depth -= 1

    def _string(self, node: Node, fr: Frame, names: list[str]) -> str | None:
        src = self.src
        start = self._c(node.start_byte)
        end = self._c(node.end_byte)
        lo = start + (2 if src.startswith('$"', start) else 1)
        last = node.children[-1] if node.child_count else None
        closed = (
            last is not None
            and last.type == '"'
            and not last.is_missing
            and end - 1 >= lo
            and src[end - 1 : end] == '"'
        )
        hi = end - 1 if closed else end
        out: list[str] = []
        known = True
        cur = lo
        for child in node.children:
            if child.type not in ACTIVE:
                continue
            cs = string_piece_start(src, self._c(child.start_byte))
            if cs > cur:
                out.append(unescape_dq(src[cur:cs]))
            value = self._value(child, fr, names)
            if value is None:
                known = False
            elif known:
                out.append(value)
            cur = max(cur, self._c(child.end_byte))
        if hi > cur:
            out.append(unescape_dq(src[cur:hi]))
        return "".join(out) if known else None

    def _join(
        self, nodes: Sequence[Node], lo: int, hi: int, fr: Frame, names: list[str]
    ) -> str | None:
        """Concatenate pieces; text between them is unquoted literal text."""
        src = self.src
        out: list[str] = []
        known = True
        cur = lo
        skip = False
        for i, child in enumerate(nodes):
            if child.is_missing:
                continue
            cs = self._c(child.start_byte)
            ce = self._c(child.end_byte)
            if cs > cur:
                out.append(unescape(src[cur:cs]))
            cur = max(cur, ce)
            if skip:
                skip = False
                continue
            value: str | None
            if child.type == "$" and i + 1 < len(nodes):
                following = nodes[i + 1]
                if following.type == "string":
                    continue
                glued = following.type == "word" and following.start_byte == child.end_byte
                text = self._text(following) if glued else None
                value, skip = glued_dollar(text, fr.state.variables, names)
                if skip:
                    cur = max(cur, self._c(following.end_byte))
            else:
                value = self._value(child, fr, names)
            if value is None:
                known = False
            elif known:
                out.append(value)
        if hi > cur:
            out.append(unescape(src[cur:hi]))
        return "".join(out) if known else None

    def _expansion(self, node: Node, fr: Frame, names: list[str]) -> str | None:
        """`${...}`: plain, length and the default/alternative forms are static."""
        children = node.children
        prefix = ""
        name_node: Node | None = None
        op: str | None = None
        op_end = 0
        rest: list[Node] = []
        odd = False
        for child in children:
            t = child.type
            if t in ("${", "}") and not child.is_named:
                continue
            if name_node is None:
                if t in ("variable_name", "special_variable_name", "subscript"):
                    name_node = child
                elif not child.is_named and not prefix:
                    prefix = t
                else:
                    odd = True
                    rest.append(child)
            elif op is None and not child.is_named:
                op = t
                op_end = self._c(child.end_byte)
            elif op is None:
                odd = True
                rest.append(child)
            else:
                if not child.is_named:
                    odd = True
                rest.append(child)
        closing = children[-1] if children else None
        hi = (
            self._c(closing.start_byte)
            if closing is not None and closing.type == "}" and not closing.is_missing
            else self._c(node.end_byte)
        )
        name = self._text(name_node) if name_node is not None else ""
        if name_node is not None and name_node.type == "subscript":
            base = name_node.child_by_field_name("name")
            index = name_node.child_by_field_name("index")
            if base is not None:
                names.append(self._text(base))
            if base is not None and index is not None and self._text(index) == "0":
                name = self._text(base)  # `${A[0]}` is `$A`: a known value is a scalar
            else:
                self._value(name_node, fr, [])
                odd = True
        elif IDENT.match(name):
            names.append(name)
        # the default/alternative word is walked even when not used: it may run commands
        alt: str | None = ""
        if rest:
            alt = self._join(rest, op_end if op is not None else hi, hi, fr, names)
        if odd or name_node is None:
            return None
        return expand_parameter(fr, name, prefix, op, alt)


def _statements(node: Node) -> list[Node] | None:
    """The statements of a command substitution run one after the other (`;`, `&&`, lines);
    None when one runs only if another fails (`||`), in the background or in a pipeline."""
    found: list[Node] = []
    for child in node.children:
        if child.type == "list":
            inner = _statements(child)
            if inner is None:
                return None
            found.extend(inner)
        elif child.type == "comment":
            continue
        elif child.is_named:
            found.append(child)
        elif child.type not in ("$(", ")", "`", "&&", ";"):
            return None
    return found


def _printed(
    node: Node, sub: Frame, last: SimpleCommand, text: Callable[[Node], str]
) -> str | None:
    """What a command substitution prints, when it is `cd DIR && ... && COMMAND` (or `;`) or
    `COMMAND` alone and `shell.output` knows what COMMAND prints (`last`: the command it ran
    last, after its words' own substitutions)."""
    statements = _statements(node)
    if not statements:
        return None
    *moves, final = statements
    name = _command_name(final, text)
    if not may_print(last) or name != last.words[0].raw or name in sub.state.functions:
        return None
    for move in moves:
        if move.type == "redirected_statement" and move.named_children:
            move = move.named_children[0]  # `cd DIR >/dev/null`: cd prints nothing
        if _command_name(move, text) != "cd":  # not pushd: it prints the stack
            return None
    return printed(last)


def _command_name(node: Node, text: Callable[[Node], str]) -> str | None:
    """The literal name of a simple command node (no redirection); None otherwise."""
    if node.type != "command":
        return None
    name = node.child_by_field_name("name")
    return text(name) if name is not None else None
