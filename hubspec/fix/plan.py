"""Plan the login fix: which names to add to which secret store, and where the login goes.

Every edit is an insertion at a position taken from the node tree, written in the file's own
indentation, dash style, quoting and line endings. Where no safe insertion exists (flow
style, a list shared through an alias, a 0.1 file) the plan is refused with the reason.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hubspec.build.model import DEFAULT_USER, PHASES, Step
from hubspec.events.model import Login, Pull, with_login_state
from hubspec.fix import layout
from hubspec.fix.layout import Layout
from hubspec.load.document import Document, Node
from hubspec.model import Edit, Position
from hubspec.records import field, record

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext

STORES = ("parameter-store", "secrets-manager")
ALL_SECTIONS = ("variables", "parameter-store", "secrets-manager")
_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./:@+=-]*$")


class Refusal(Exception):
    """The fix cannot be applied safely; the message says why and what to do instead."""


@record
class AddedReference:
    """A secret-store entry the fix added: the user must create what it points to."""

    variable: str
    store: str
    reference: str
    role: str


@record(frozen=False)
class LoginPlan:
    """The edits of one file, and what they do in words."""

    edits: list[Edit] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    added: list[AddedReference] = field(default_factory=list)
    fixed_users: list[str] = field(default_factory=list)


def first_unauthenticated_pulls(context: LintContext, active: set[Position]) -> dict[str, Pull]:
    """The first reported Docker Hub pull without login, per user, in execution order.

    `active` holds the positions of HS101 findings that count (not suppressed, not
    deselected): a pull the user chose to ignore is not fixed.
    """
    firsts: dict[str, Pull] = {}
    for event, logged_in in with_login_state(context.analysis.events):
        if (
            isinstance(event, Pull)
            and event.hub
            and not logged_in
            and context.document.position(event.place.start) in active
        ):
            firsts.setdefault(event.place.user, event)
    return firsts


def plan_login_fix(context: LintContext, active: set[Position]) -> LoginPlan | None:
    """The edits that log in before every reported Docker Hub pull; None if none."""
    firsts = first_unauthenticated_pulls(context, active)
    if not firsts:
        return None
    document = context.document
    model = context.analysis.model
    if model.version == "0.1":
        raise Refusal(
            "version 0.1: the env block is 0.2 syntax, and moving to 0.2 changes how commands"
            " share a shell; move the file to version 0.2 first, then run hubspec fix"
        )
    shell = _env_shell(document)
    if shell in ("powershell.exe", "cmd.exe"):
        raise Refusal(
            f"env.shell is {shell}: hubspec writes the login in bash syntax; add it in"
            f" {shell} syntax by hand (PowerShell: $env:DOCKER_TOKEN | docker login"
            " --username $env:DOCKER_USER --password-stdin)"
        )
    if document.root.flow:
        raise Refusal(
            "the buildspec is one flow-style mapping ({...}); hubspec only edits block style"
        )
    fix = context.settings.fix
    user_var, token_var = _credential_names(context)
    plan = LoginPlan()
    shape = layout.detect(document)
    defined = model.defined(*ALL_SECTIONS)
    wanted: list[tuple[str, str, str]] = []
    for variable, role in ((user_var, "username"), (token_var, "token")):
        if variable in defined:
            continue
        if fix.store == "secrets-manager":
            if not fix.secret_id:
                raise Refusal(
                    "--store secrets-manager needs --secret ID (the secret holding username and token)"
                )
            reference = f"{fix.secret_id}:{role}"
        else:
            reference = fix.user_parameter if role == "username" else fix.token_parameter
        wanted.append((variable, reference, role))
    if wanted:
        _add_env(document, shape, fix.store, wanted, plan)
    command = f'echo "${token_var}" | docker login --username "${user_var}" --password-stdin'
    placed: set[tuple[str, int]] = set()
    for user, pull in firsts.items():
        add_login(context, shape, command, user, pull.place.step, plan, placed)
        plan.fixed_users.append(user)
    return plan


def _env_shell(document: Document) -> str | None:
    env = document.root.get("env")
    shell = env.get("shell") if env is not None and env.kind == "mapping" else None
    return str(shell.value) if shell is not None and shell.kind == "scalar" else None


def _credential_names(context: LintContext) -> tuple[str, str]:
    """Names an existing Docker Hub login already uses, else the configured ones."""
    fix = context.settings.fix
    for event in context.analysis.events:
        if (
            isinstance(event, Login)
            and event.hub
            and event.username_variables
            and event.password_variables
        ):
            return event.username_variables[0], event.password_variables[0]
    return fix.user_variable, fix.token_variable


def _yaml_value(value: str) -> str:
    return value if _PLAIN_VALUE.match(value) else "'" + value.replace("'", "''") + "'"


def _insert_lines_after(document: Document, offset: int, lines: list[str], shape: Layout) -> Edit:
    """Insert whole lines after the line holding `offset` (keeps a missing final newline)."""
    end = layout.line_end(document, offset)
    return Edit(end, end, "".join(shape.newline + line for line in lines))


def _insert_lines_before(
    document: Document, line_start: int, lines: list[str], shape: Layout
) -> Edit:
    return Edit(line_start, line_start, "".join(line + shape.newline for line in lines))


def _add_env(
    document: Document,
    shape: Layout,
    store: str,
    wanted: list[tuple[str, str, str]],
    plan: LoginPlan,
) -> None:
    root = document.root
    unit = " " * shape.indent
    entries = [f"{name}: {_yaml_value(reference)}" for name, reference, _ in wanted]
    env_key = root.key_node("env")
    env = root.get("env")
    if env_key is None or env is None:
        anchor = root.get("version")
        if anchor is None:
            raise Refusal("the buildspec has no version key to place the env block after")
        base = " " * layout.column(document, root.pairs[0][0].start)
        lines = [
            f"{base}env:",
            f"{base}{unit}{store}:",
            *(f"{base}{unit}{unit}{e}" for e in entries),
        ]
        plan.edits.append(
            _insert_lines_after(document, layout.last_content(document, anchor), lines, shape)
        )
    elif env.kind == "scalar" and env.value is None:
        base = " " * (layout.column(document, env_key.start) + shape.indent)
        lines = [f"{base}{store}:", *(f"{base}{unit}{e}" for e in entries)]
        plan.edits.append(_insert_lines_after(document, env_key.end, lines, shape))
    elif env.kind != "mapping" or env.flow:
        raise Refusal(
            "env is written in flow style ({...}); hubspec does not rewrite flow mappings."
            f" Add under env.{store}: " + ", ".join(entries)
        )
    else:
        section_key = env.key_node(store)
        section = env.get(store)
        child = " " * layout.column(document, env.pairs[0][0].start)
        if section_key is None or section is None:
            lines = [f"{child}{store}:", *(f"{child}{unit}{e}" for e in entries)]
            plan.edits.append(
                _insert_lines_after(document, layout.last_content(document, env), lines, shape)
            )
        elif section.kind == "scalar" and section.value is None:
            inner = " " * (layout.column(document, section_key.start) + shape.indent)
            lines = [f"{inner}{e}" for e in entries]
            plan.edits.append(_insert_lines_after(document, section_key.end, lines, shape))
        elif section.kind != "mapping" or section.flow or not section.pairs:
            raise Refusal(
                f"env.{store} is written in flow style; add by hand: " + ", ".join(entries)
            )
        else:
            inner = " " * layout.column(document, section.pairs[0][0].start)
            lines = [f"{inner}{e}" for e in entries]
            plan.edits.append(
                _insert_lines_after(document, layout.last_content(document, section), lines, shape)
            )
    for name, reference, role in wanted:
        plan.added.append(AddedReference(name, store, reference, role))
        plan.changes.append(f"added env.{store} {name}: {reference}")


def _phase_user(context: LintContext, phase: str) -> str:
    model = context.analysis.model
    if phase in model.phase_users:
        return model.phase_users[phase]
    top = context.document.root.get("run-as")
    return (
        str(top.value) if top is not None and top.kind == "scalar" and top.value else DEFAULT_USER
    )


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
    text = layout.quote(command, shape.quote)
    phases = document.root.get("phases")
    if phases is None or phases.kind != "mapping" or phases.flow:
        raise Refusal("phases is not a block mapping; hubspec cannot place the login")
    early = PHASES.index(step.phase) <= PHASES.index("pre_build")
    if early or _phase_user(context, "pre_build") != user:
        target_phase = step.phase
        if early:
            items = _command_list(document, phases, step.phase, step.section)
            _insert_before_item(document, shape, items, step.node, text, plan, placed)
            plan.changes.append(f"added {what} before the first pull in {step.phase} (as {user})")
            return
    else:
        target_phase = "pre_build"
    phase_key = phases.key_node(target_phase)
    phase = phases.get(target_phase)
    unit = shape.indent
    dash = " " * shape.dash_offset
    if phase_key is None or phase is None:
        base = " " * layout.column(document, phases.pairs[0][0].start)
        lines = [
            f"{base}{target_phase}:",
            f"{base}{' ' * unit}commands:",
            f"{base}{' ' * unit}{dash}- {text}",
        ]
        install = phases.get("install")
        if install is not None and phases.key_node("install") is not None:
            plan.edits.append(
                _insert_lines_after(document, layout.last_content(document, install), lines, shape)
            )
        else:
            first_key = phases.pairs[0][0]
            start = layout.comment_block_start(document, first_key.start)
            plan.edits.append(_insert_lines_before(document, start, lines, shape))
        plan.changes.append(f"added a {target_phase} phase with {what} (as {user})")
        return
    if phase.kind == "scalar" and phase.value is None:
        base = " " * (layout.column(document, phase_key.start) + unit)
        lines = [f"{base}commands:", f"{base}{dash}- {text}"]
        plan.edits.append(_insert_lines_after(document, phase_key.end, lines, shape))
        plan.changes.append(f"added {what} to {target_phase} (as {user})")
        return
    if phase.kind != "mapping" or phase.flow:
        raise Refusal(
            f"phases.{target_phase} is not a block mapping; add the login by hand: {command}"
        )
    if phase.get("steps") is not None:
        raise Refusal(
            f"phases.{target_phase} uses steps, not commands; add the login as a step by hand"
        )
    commands_key = phase.key_node("commands")
    commands = phase.get("commands")
    base = " " * layout.column(document, phase.pairs[0][0].start)
    if commands_key is None or commands is None:
        lines = [f"{base}commands:", f"{base}{dash}- {text}"]
        finally_key = phase.key_node("finally")
        if finally_key is not None:
            start = layout.comment_block_start(document, finally_key.start)
            plan.edits.append(_insert_lines_before(document, start, lines, shape))
        else:
            plan.edits.append(
                _insert_lines_after(document, layout.last_content(document, phase), lines, shape)
            )
    elif commands.kind == "scalar" and commands.value is None:
        key_col = layout.column(document, commands_key.start)
        lines = [f"{' ' * key_col}{dash}- {text}"]
        plan.edits.append(_insert_lines_after(document, commands_key.end, lines, shape))
    else:
        _check_editable(document, commands, f"phases.{target_phase}.commands")
        if not commands.items:
            raise Refusal(
                f"phases.{target_phase}.commands is an empty flow list; add the login by hand"
            )
        _insert_before_item(document, shape, commands, commands.items[0], text, plan, placed)
    plan.changes.append(f"added {what} at the start of {target_phase} (as {user})")


def _command_list(document: Document, phases: Node, phase: str, section: str) -> Node:
    phase_node = phases.get(phase)
    items = (
        phase_node.get(section) if phase_node is not None and phase_node.kind == "mapping" else None
    )
    if items is None or items.kind != "sequence":
        raise Refusal(f"phases.{phase}.{section} is not a list")
    _check_editable(document, items, f"phases.{phase}.{section}")
    return items


def _check_editable(document: Document, items: Node, where: str) -> None:
    if items.kind != "sequence":
        raise Refusal(f"{where} is not a list")
    if items.flow:
        raise Refusal(
            f"{where} is a flow-style list ([...]); hubspec only inserts into block lists"
        )
    if id(items) in document.alias_targets or items.anchor:
        raise Refusal(
            f"{where} is shared through a YAML anchor/alias; editing it would change every place"
            " that uses it. Add the login by hand"
        )


def _insert_before_item(
    document: Document,
    shape: Layout,
    items: Node,
    item: Node,
    text: str,
    plan: LoginPlan,
    placed: set[tuple[str, int]],
) -> None:
    prefix = layout.dash_prefix(document, item)
    if prefix is None:
        raise Refusal("the list item does not start its own line; add the login by hand")
    start = layout.comment_block_start(document, item.start)
    if ("item", start) in placed:
        return
    placed.add(("item", start))
    plan.edits.append(_insert_lines_before(document, start, [prefix + text], shape))
