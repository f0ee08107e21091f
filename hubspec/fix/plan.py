"""Plan the login fix: which names to add to which secret store, and the login line.

Every edit is an insertion at a position taken from the node tree, written in the file's own
indentation, dash style, quoting and line endings, in block or flow style as the file has it
(`place` decides where the login goes). A version 0.1 file has no `env` block: its login
line reads Parameter Store itself. Where no safe insertion exists (a shared env, a Windows
shell) the plan is refused with the reason.
"""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from hubspec.events.model import Login, Pull, with_login_state
from hubspec.fix import flow, layout
from hubspec.fix.edits import AddedReference, LoginPlan, Refusal
from hubspec.fix.layout import Layout, insert_lines_after, insert_lines_before
from hubspec.fix.place import add_login, shared
from hubspec.load.document import Document, Node
from hubspec.model import Edit, Position

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext

STORES = ("parameter-store", "secrets-manager")
ALL_SECTIONS = ("variables", "parameter-store", "secrets-manager")
_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./:@+=-]*$")


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
    shell = _env_shell(document)
    if shell in ("powershell.exe", "cmd.exe"):
        raise Refusal(
            f"env.shell is {shell}: hubspec writes the login in bash syntax; add it in"
            f" {shell} syntax by hand (PowerShell: $env:DOCKER_TOKEN | docker login"
            " --username $env:DOCKER_USER --password-stdin)"
        )
    user_var, token_var = _credential_names(context)
    plan = LoginPlan()
    shape = layout.detect(document)
    wanted = _wanted(context, user_var, token_var)
    if context.analysis.model.version == "0.1":
        command = _reading_login(context, user_var, token_var, wanted, plan)
    else:
        if wanted:
            _add_env(document, shape, context.settings.fix.store, wanted, plan)
        command = f'echo "${token_var}" | docker login --username "${user_var}" --password-stdin'
    for name, reference, role in wanted:
        plan.added.append(AddedReference(name, context.settings.fix.store, reference, role))
    placed: set[tuple[str, int]] = set()
    for user, pull in firsts.items():
        add_login(context, shape, command, user, pull.place.step, plan, placed)
        plan.fixed_users.append(user)
    return plan


def _wanted(context: LintContext, user_var: str, token_var: str) -> list[tuple[str, str, str]]:
    """(variable, store reference, role) for each credential no env section defines yet."""
    fix = context.settings.fix
    defined = set(context.analysis.model.defined(*ALL_SECTIONS)) | context.store_variables
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
    return wanted


def _reading_login(
    context: LintContext,
    user_var: str,
    token_var: str,
    wanted: list[tuple[str, str, str]],
    plan: LoginPlan,
) -> str:
    """The login line of a version 0.1 file, which has no env block to reference a store in.

    Each 0.1 command runs in its own shell, but `docker login` stores the token in the
    user's ~/.docker/config.json, which later commands read: one line is enough. Names no
    env section defines are read from Parameter Store by the line itself (GetParameters,
    the action an env parameter-store entry needs too).
    """
    references = {role: reference for _, reference, role in wanted}
    if references and context.settings.fix.store != "parameter-store":
        raise Refusal(
            "version 0.1 has no env block to name a Secrets Manager secret in; use the"
            " parameter-store store, or move the file to version 0.2 first"
        )

    def read(role: str, variable: str, decrypt: str) -> str:
        if role not in references:
            return f'"${variable}"'
        name = shlex.quote(references[role])
        return (
            f"aws ssm get-parameters --names {name}{decrypt}"
            " --query 'Parameters[0].Value' --output text"
        )

    token = read("token", token_var, " --with-decryption")
    user = read("username", user_var, "")
    if references:
        plan.changes.append(
            "version 0.1 has no env block: the login reads "
            + " and ".join(references.values())
            + " from Parameter Store itself"
        )
    token_part = f"echo {token}" if token.startswith('"') else token
    user_part = user if user.startswith('"') else f'"$({user})"'
    return f"{token_part} | docker login --username {user_part} --password-stdin"


def _env_shell(document: Document) -> str | None:
    env = document.root.get("env")
    shell = env.get("shell") if env is not None and env.kind == "mapping" else None
    return str(shell.value) if shell is not None and shell.kind == "scalar" else None


def _credential_names(context: LintContext) -> tuple[str, str]:
    """Names an existing Docker Hub login already uses, else Docker Hub credentials the
    project keeps in a secret store, else the configured ones."""
    fix = context.settings.fix
    for event in context.analysis.events:
        if (
            isinstance(event, Login)
            and event.hub
            and event.username_variables
            and event.password_variables
        ):
            return event.username_variables[0], event.password_variables[0]
    stored = sorted(context.project.store_variables) if context.project is not None else []
    hub = [name for name in stored if "DOCKER" in name.upper()]
    users = [name for name in hub if "USER" in name.upper()]
    secrets = [name for name in hub if any(k in name.upper() for k in ("TOKEN", "PASS", "PAT"))]
    if users and secrets:
        return users[0], secrets[0]
    return fix.user_variable, fix.token_variable


def _yaml_value(value: str) -> str:
    return value if _PLAIN_VALUE.match(value) else "'" + value.replace("'", "''") + "'"


def _add_env(
    document: Document,
    shape: Layout,
    store: str,
    wanted: list[tuple[str, str, str]],
    plan: LoginPlan,
) -> None:
    """Add the store entries under env.<store>, making env or the section where missing."""
    root = document.root
    unit = " " * shape.indent
    entries = [f"{name}: {_yaml_value(reference)}" for name, reference, _ in wanted]
    inline = ", ".join(f"{name}: {flow.scalar(reference)}" for name, reference, _ in wanted)
    env_key = root.key_node("env")
    env = root.get("env")
    hint = f" Add under env.{store}: " + ", ".join(entries)
    if env_key is None or env is None:
        plan.edits.append(_new_env(document, shape, store, entries, inline))
    elif shared(document, env):
        raise Refusal(
            "env is shared through a YAML anchor/alias; editing it would change every"
            " place that uses it." + hint
        )
    elif env.kind == "scalar" and env.value is None and not root.flow:
        base = " " * (layout.column(document, env_key.start) + shape.indent)
        lines = [f"{base}{store}:", *(f"{base}{unit}{e}" for e in entries)]
        plan.edits.append(insert_lines_after(document, env_key.end, lines, shape))
    elif env.kind != "mapping":
        raise Refusal("env is not a mapping; hubspec cannot add to it." + hint)
    else:
        plan.edits.append(_into_env(document, shape, env, store, entries, inline, hint))
    for name, reference, _ in wanted:
        plan.changes.append(f"added env.{store} {name}: {reference}")


def _new_env(
    document: Document, shape: Layout, store: str, entries: list[str], inline: str
) -> Edit:
    """An env block: after `version`, else before `phases`, else first (HS002 stays the user's)."""
    root = document.root
    phases_key = root.key_node("phases")
    if root.flow:
        return flow.add_entry(document, root, f"env: {{{store}: {{{inline}}}}}", before=phases_key)
    unit = " " * shape.indent
    base = " " * layout.column(document, root.pairs[0][0].start)
    lines = [f"{base}env:", f"{base}{unit}{store}:", *(f"{base}{unit}{unit}{e}" for e in entries)]
    version = root.get("version")
    if version is not None:
        return insert_lines_after(document, layout.last_content(document, version), lines, shape)
    first = phases_key if phases_key is not None else root.pairs[0][0]
    start = layout.comment_block_start(document, first.start)
    return insert_lines_before(document, start, lines, shape)


def _into_env(
    document: Document,
    shape: Layout,
    env: Node,
    store: str,
    entries: list[str],
    inline: str,
    hint: str,
) -> Edit:
    """The entries added to an existing env mapping, in its own style."""
    unit = " " * shape.indent
    section_key = env.key_node(store)
    section = env.get(store)
    if section_key is None or section is None:
        if env.flow:
            return flow.add_entry(document, env, f"{store}: {{{inline}}}")
        child = " " * layout.column(document, env.pairs[0][0].start)
        lines = [f"{child}{store}:", *(f"{child}{unit}{e}" for e in entries)]
        return insert_lines_after(document, layout.last_content(document, env), lines, shape)
    if shared(document, section):
        raise Refusal(f"env.{store} is shared through a YAML anchor/alias." + hint)
    if section.kind == "scalar" and section.value is None and not env.flow:
        inner = " " * (layout.column(document, section_key.start) + shape.indent)
        lines = [f"{inner}{e}" for e in entries]
        return insert_lines_after(document, section_key.end, lines, shape)
    if section.kind != "mapping":
        raise Refusal(f"env.{store} is not a mapping; hubspec cannot add to it." + hint)
    if section.flow:
        return flow.add_entry(document, section, inline)
    inner = " " * layout.column(document, section.pairs[0][0].start)
    lines = [f"{inner}{e}" for e in entries]
    return insert_lines_after(document, layout.last_content(document, section), lines, shape)
