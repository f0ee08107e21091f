"""Where a login line goes: before the first pull it covers, as the same user, in any layout.

The preferred place is the start of pre_build (or right before the pull when it runs in
install or pre_build, or when pre_build runs as another user). A command list shared through
a YAML anchor/alias is never edited, since that would change every place using it: the login
then goes right before the pull in its own list if that one is not shared, else at the end of
the last earlier phase that runs as the same user (in a `commands:` added to it if need be).
Block and flow style are both written as the file writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubspec.build.model import DEFAULT_USER, PHASES, Step
from hubspec.fix import flow, layout
from hubspec.fix.edits import LoginPlan, Refusal
from hubspec.fix.layout import Layout, insert_lines_after, insert_lines_before
from hubspec.load.document import Document, Node
from hubspec.records import record

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def shared(document: Document, node: Node) -> bool:
    """Whether editing `node` would change other places too: an alias repeats it.

    An anchor that no alias names shares nothing, so that node is edited like any other.
    """
    return id(node) in document.alias_targets


@record
class _Login:
    """One login line to place, and the words for what was done."""

    command: str
    user: str
    what: str
    shape: Layout

    def block(self) -> str:
        return layout.quote(self.command, self.shape.quote)

    def flow(self) -> str:
        return flow.scalar(self.command, self.shape.quote)


def add_login(
    context: LintContext,
    shape: Layout,
    command: str,
    user: str,
    step: Step,
    plan: LoginPlan,
    placed: set[tuple[str, int]],
    what: str = "the Docker Hub login",
) -> None:
    """Place a login command before `step` runs, as `user`, in the file's own layout."""
    document = context.document
    login = _Login(command, user, what, shape)
    phases = document.root.get("phases")
    if phases is None or phases.kind != "mapping":
        raise Refusal("phases is not a mapping; hubspec cannot place the login")
    if shared(document, phases):
        raise Refusal("phases is shared through a YAML anchor/alias; add the login by hand")
    own = _step_list(document, phases, step)
    if PHASES.index(step.phase) > PHASES.index("pre_build"):
        start = "pre_build" if _phase_user(context, "pre_build") == user else step.phase
        if _at_phase_start(document, phases, start, login, plan, placed):
            return
    if not shared(document, own):
        _before_item(document, own, step.node, login, plan, placed)
        plan.changes.append(f"added {what} before the first pull in {step.phase} (as {user})")
        return
    for phase in reversed(PHASES[: PHASES.index(step.phase)]):
        if _phase_user(context, phase) == user and _at_phase_end(
            document, phases, phase, login, plan
        ):
            plan.changes.append(
                f"added {what} at the end of {phase} (as {user}): the first pull is in"
                f" phases.{step.phase}.{step.section}, a list shared through a YAML anchor/alias"
            )
            return
    raise Refusal(
        f"phases.{step.phase}.{step.section} is shared through a YAML anchor/alias and no"
        f" earlier phase runs as {user} to hold the login; editing the list would change every"
        " place that uses it. Add the login by hand"
    )


def _phase_user(context: LintContext, phase: str) -> str:
    model = context.analysis.model
    if phase in model.phase_users:
        return model.phase_users[phase]
    top = context.document.root.get("run-as")
    return (
        str(top.value) if top is not None and top.kind == "scalar" and top.value else DEFAULT_USER
    )


def _step_list(document: Document, phases: Node, step: Step) -> Node:
    phase_node = phases.get(step.phase)
    items = (
        phase_node.get(step.section)
        if phase_node is not None and phase_node.kind == "mapping"
        else None
    )
    if items is None or items.kind != "sequence":
        raise Refusal(f"phases.{step.phase}.{step.section} is not a list")
    return items


def _at_phase_start(
    document: Document,
    phases: Node,
    name: str,
    login: _Login,
    plan: LoginPlan,
    placed: set[tuple[str, int]],
) -> bool:
    """Put the login first in phase `name` (made if missing); False if its list is shared."""
    phase = phases.get(name)
    commands = phase.get("commands") if phase is not None and phase.kind == "mapping" else None
    if commands is not None and commands.kind == "sequence" and commands.items:
        if shared(document, commands):
            return False
        _before_item(document, commands, commands.items[0], login, plan, placed)
        plan.changes.append(f"added {login.what} at the start of {name} (as {login.user})")
        return True
    if phase is None:
        _new_phase(document, phases, name, login, plan)
        plan.changes.append(f"added a {name} phase with {login.what} (as {login.user})")
        return True
    if not _fill_phase(document, phases, name, login, plan):
        return False
    plan.changes.append(f"added {login.what} to {name} (as {login.user})")
    return True


def _at_phase_end(
    document: Document, phases: Node, name: str, login: _Login, plan: LoginPlan
) -> bool:
    """Put the login last in an existing phase `name`; False where that is not possible."""
    phase = phases.get(name)
    if phase is None:
        return False
    commands = phase.get("commands") if phase.kind == "mapping" else None
    if commands is None or commands.kind != "sequence" or not commands.items:
        return _fill_phase(document, phases, name, login, plan)
    if shared(document, commands):
        return False
    if commands.flow:
        plan.edits.append(flow.add_item(document, commands, login.flow()))
        return True
    prefix = layout.dash_prefix(document, commands.items[0])
    if prefix is None:
        return False
    plan.edits.append(
        insert_lines_after(
            document, layout.last_content(document, commands), [prefix + login.block()], login.shape
        )
    )
    return True


def _new_phase(document: Document, phases: Node, name: str, login: _Login, plan: LoginPlan) -> None:
    """A new phase holding only the login: before the first phase (after install, if any)."""
    if phases.flow:
        first = phases.pairs[0][0] if phases.pairs else None
        entry = f"{name}: {{commands: [{login.flow()}]}}"
        plan.edits.append(flow.add_entry(document, phases, entry, before=first))
        return
    base = " " * layout.column(document, phases.pairs[0][0].start)
    unit = " " * login.shape.indent
    dash = " " * login.shape.dash_offset
    lines = [f"{base}{name}:", f"{base}{unit}commands:", f"{base}{unit}{dash}- {login.block()}"]
    install = phases.get("install")
    if install is not None and name != "install":
        end = layout.last_content(document, install)
        plan.edits.append(insert_lines_after(document, end, lines, login.shape))
        return
    start = layout.comment_block_start(document, phases.pairs[0][0].start)
    plan.edits.append(insert_lines_before(document, start, lines, login.shape))


def _fill_phase(
    document: Document, phases: Node, name: str, login: _Login, plan: LoginPlan
) -> bool:
    """Give an existing phase without commands (or with an empty list) the login as its
    commands; False when the phase is shared or its commands are an alias."""
    phase_key = phases.key_node(name)
    phase = phases.get(name)
    assert phase_key is not None and phase is not None
    shape = login.shape
    dash = " " * shape.dash_offset
    if phase.kind == "scalar" and phase.value is None and not phases.flow:
        base = " " * (layout.column(document, phase_key.start) + shape.indent)
        lines = [f"{base}commands:", f"{base}{dash}- {login.block()}"]
        plan.edits.append(insert_lines_after(document, phase_key.end, lines, shape))
        return True
    if phase.kind != "mapping":
        raise Refusal(f"phases.{name} is not a mapping; add the login by hand: {login.command}")
    if shared(document, phase):
        return False
    if phase.get("steps") is not None:
        raise Refusal(f"phases.{name} uses steps, not commands; add the login as a step by hand")
    commands_key = phase.key_node("commands")
    commands = phase.get("commands")
    if commands_key is None or commands is None:
        _new_commands(document, phase, login, plan)
    elif commands.kind == "scalar" and commands.value is None and not phase.flow:
        column = " " * layout.column(document, commands_key.start)
        plan.edits.append(
            insert_lines_after(
                document, commands_key.end, [f"{column}{dash}- {login.block()}"], shape
            )
        )
    elif commands.kind == "sequence" and commands.flow and not commands.items:
        if shared(document, commands):
            return False
        plan.edits.append(flow.add_item(document, commands, login.flow()))
    else:
        raise Refusal(f"phases.{name}.commands is not a list; add the login by hand")
    return True


def _new_commands(document: Document, phase: Node, login: _Login, plan: LoginPlan) -> None:
    """A `commands:` list with the login, in a phase that has none (before its `finally`)."""
    finally_key = phase.key_node("finally")
    if phase.flow:
        entry = f"commands: [{login.flow()}]"
        plan.edits.append(flow.add_entry(document, phase, entry, before=finally_key))
        return
    base = " " * layout.column(document, phase.pairs[0][0].start)
    dash = " " * login.shape.dash_offset
    lines = [f"{base}commands:", f"{base}{dash}- {login.block()}"]
    if finally_key is not None:
        start = layout.comment_block_start(document, finally_key.start)
        plan.edits.append(insert_lines_before(document, start, lines, login.shape))
    else:
        end = layout.last_content(document, phase)
        plan.edits.append(insert_lines_after(document, end, lines, login.shape))


def _before_item(
    document: Document,
    items: Node,
    item: Node,
    login: _Login,
    plan: LoginPlan,
    placed: set[tuple[str, int]],
) -> None:
    """Insert the login right before `item` of the list `items` (once per place)."""
    if items.flow:
        if ("item", item.start) not in placed:
            placed.add(("item", item.start))
            plan.edits.append(flow.add_item(document, items, login.flow(), before=item))
        return
    prefix = layout.dash_prefix(document, item)
    if prefix is None:
        raise Refusal("the list item does not start its own line; add the login by hand")
    start = layout.comment_block_start(document, item.start)
    if ("item", start) in placed:
        return
    placed.add(("item", start))
    plan.edits.append(insert_lines_before(document, start, [prefix + login.block()], login.shape))
