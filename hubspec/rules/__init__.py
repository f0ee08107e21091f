"""The rule registry: every rule's metadata, docs and check, in code order."""

from __future__ import annotations

from hubspec.rules import (
    build_image_on_hub,
    docker_daemon_unavailable,
    hub_login,
    hub_pull,
    invalid_yaml,
    login_secret_not_from_store,
    password_on_command_line,
    plaintext_credential,
    privileged_mode_unused,
    pull_budget,
    schema_violation,
    unknown_key,
    unresolved_buildspec,
    unresolved_image,
    unused_suppression,
)
from hubspec.rules.base import Rule

RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            invalid_yaml.RULE,
            schema_violation.RULE,
            unknown_key.RULE,
            unused_suppression.RULE,
            hub_pull.RULE,
            hub_login.RULE,
            unresolved_image.RULE,
            unresolved_buildspec.RULE,
            build_image_on_hub.RULE,
            docker_daemon_unavailable.RULE,
            privileged_mode_unused.RULE,
            password_on_command_line.RULE,
            plaintext_credential.RULE,
            login_secret_not_from_store.RULE,
            pull_budget.RULE,
        ),
        key=lambda rule: rule.code,
    )
)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def find(code_or_name: str) -> Rule | None:
    """A rule by its code (any case) or its kebab-case name."""
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())


def markdown_table() -> str:
    """The README's rule table, generated from the rules so it cannot drift."""
    lines = ["| code | name | severity | fix | what |", "|---|---|---|---|---|"]
    for rule in RULES:
        fix = "yes" if rule.fixable else ""
        lines.append(
            f"| {rule.code} | {rule.name} | {rule.severity.value} | {fix} | {rule.summary} |"
        )
    return "\n".join(lines) + "\n"
