"""Make's conditionals (ifeq, ifneq, ifdef, ifndef, else, endif) as a stack of branches.

A branch is true, false or unknown (its operands hold a part hubspec cannot compute); lines
under an unknown branch are uncertain: neither taken as run nor dropped as not run.
"""

from __future__ import annotations

from pathlib import Path

from hubspec.events.make.expand import MARK, Expander, top_level_index
from hubspec.records import record

_OPENERS = frozenset({"ifeq", "ifneq", "ifdef", "ifndef"})


@record(frozen=False, slots=True)
class _Branch:
    state: bool | None
    taken: bool | None
    """Whether an earlier branch of this conditional was true (None: maybe)."""
    text: str


class Conditions:
    def __init__(self, expander: Expander) -> None:
        self.expander = expander
        self.stack: list[_Branch] = []

    def depth(self) -> int:
        return len(self.stack)

    def close_to(self, depth: int) -> None:
        """Drop conditionals a file left open (make stops there with 'missing endif')."""
        del self.stack[depth:]

    def active(self) -> bool:
        return all(branch.state is not False for branch in self.stack)

    def uncertain(self) -> str | None:
        """The first condition around this line that hubspec cannot evaluate, if any."""
        for branch in self.stack:
            if branch.state is None:
                return branch.text
        return None

    def directive(self, text: str, path: Path, number: int) -> bool:
        """Handle `text` if it is a conditional directive; False when it is not one."""
        head, _, rest = text.partition(" ") if " " in text else text.partition("\t")
        if head in _OPENERS:
            enclosing = self.active()
            state = self._evaluate(head, rest.strip()) if enclosing else False
            self.stack.append(_Branch(state, state, text))
            return True
        if head == "else" and self.stack:
            branch = self.stack[-1]
            condition = rest.strip()
            inner_head = condition.split(None, 1)[0] if condition else ""
            if condition and inner_head not in _OPENERS:
                return True  # make: "extraneous text after else"; keep the state
            self._else(branch, inner_head, condition)
            return True
        if head == "endif" and self.stack:
            self.stack.pop()
            return True
        return head in ("else", "endif")  # unmatched: make stops; nothing follows from it

    def _else(self, branch: _Branch, inner_head: str, condition: str) -> None:
        outer_active = all(b.state is not False for b in self.stack[:-1])
        if branch.taken is True or not outer_active:
            branch.state = False
            return
        own: bool | None = True
        if condition:
            own = self._evaluate(inner_head, condition[len(inner_head) :].strip())
        if branch.taken is None:
            branch.state = None if own is not False else False
            branch.text = f"else of {branch.text}" if own is True else condition
            return
        branch.state = own
        branch.taken = own
        if condition:
            branch.text = condition

    def _evaluate(self, head: str, argument: str) -> bool | None:
        if head in ("ifdef", "ifndef"):
            name = self.expander.expand(argument)
            if MARK in name:
                return None
            if self.expander.looked_up is not None:
                self.expander.looked_up.add(name.strip())
            variable = self.expander.variables.get(name.strip())
            value = variable.value if variable is not None else ""
            if MARK in value:
                return None
            return bool(value) is (head == "ifdef")
        operands = _operands(argument)
        if operands is None:
            return None
        left, right = (self.expander.expand(part) for part in operands)
        if MARK in left or MARK in right:
            return None
        return (left == right) is (head == "ifeq")


def _operands(argument: str) -> tuple[str, str] | None:
    """`(a,b)`, `'a' 'b'`, `"a" "b"` (and mixed quotes) -> (a, b)."""
    if argument.startswith("("):
        if not argument.endswith(")"):
            return None
        inner = argument[1:-1]
        comma = top_level_index(inner, ",")
        if comma < 0:
            return None
        return inner[:comma].rstrip(), inner[comma + 1 :].lstrip()
    parts: list[str] = []
    rest = argument
    while rest and len(parts) < 2:
        quote = rest[0]
        if quote not in "'\"":
            return None
        end = rest.find(quote, 1)
        if end < 0:
            return None
        parts.append(rest[1:end])
        rest = rest[end + 1 :].lstrip()
    return (parts[0], parts[1]) if len(parts) == 2 and not rest else None
