"""Literal secrets written in a buildspec, so that no output ever shows them.

Reports quote source lines (code frames, diffs); a line holding a literal password or
token is shown with the value replaced by asterisks.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from hubspec.build.project import Project, ProjectVariable, VariableType
from hubspec.events.model import Analysis, Login

MASK = "********"

SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|(^|_)PWD($|_)|(^|_)PASS($|_)|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)",
    re.IGNORECASE,
)
NOT_A_SECRET_SUFFIX = re.compile(
    r"_(NAME|ARN|ID|PATH|PARAM|PARAMETER|FILE|URL|URI|REGION|TYPE|LENGTH|ENABLED|KEY_ID|HEADER|ENDPOINT|SSM)$",
    re.IGNORECASE,
)
# The patterns below are text, compiled (and cached by `re`) on first use: most runs
# need none of them, and compiling them took 0.9 ms of every start.
_PLACEHOLDER = r"(?i)^(\$.*|none|null|changeme|xxx+|<.*>|\*+|arn:aws:.*|/.*|\{\{.*\}\})$"


_TOKEN_VALUE = (
    r"^(dckr_pat_|dckr_oat_|ghp_|gho_|ghs_|github_pat_|glpat-|xox[abpr]-|npm_|AKIA[0-9A-Z]{16}$)"
    r"[A-Za-z0-9_-]*$"
)
"""Values whose shape alone says token: Docker Hub, GitHub, GitLab, Slack, npm, AWS keys."""


def looks_like_token(value: str | None) -> bool:
    """A value that is a well-known kind of token, whatever its variable is called."""
    return value is not None and len(value) >= 12 and bool(re.match(_TOKEN_VALUE, value.strip()))


def looks_like_secret(name: str, value: str | None) -> bool:
    """A literal value under a secret-sounding name that is not a reference or placeholder."""
    if value is None or len(value) < 4 or value.lower() in ("true", "false", "yes", "no"):
        return False
    if not SECRET_NAME.search(name) or NOT_A_SECRET_SUFFIX.search(name):
        return False
    return not re.match(_PLACEHOLDER, value.strip())


def plaintext_secrets(project: Project) -> list[ProjectVariable]:
    """A project's PLAINTEXT variables that hold a secret (by name or by the value's shape)."""
    return [
        variable
        for variable in project.variables
        if variable.type is VariableType.PLAINTEXT
        and (looks_like_secret(variable.name, variable.value) or looks_like_token(variable.value))
    ]


def secret_literals(analysis: Analysis, text: str) -> set[str]:
    """Secret-looking env.variables values and `docker login -p` literals in this file."""
    found: set[str] = set()
    for entry in analysis.model.env:
        literal = entry.literal
        if entry.section == "variables" and literal and looks_like_secret(entry.name, literal):
            found.add(literal)
    for event in analysis.events:
        if isinstance(event, Login) and event.password_span and not event.password_variables:
            start, end = event.password_span
            raw = text[start:end].strip("'\"")
            if raw:
                found.add(raw)
    return {value for value in found if len(value) >= 4}


def mask(text: str, secrets: AbstractSet[str]) -> str:
    """The text with every secret value replaced; longest first so parts are not left."""
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


_ASSIGNMENT = r"^[ \t-]*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?[ \t]*:[ \t]*(.+?)[ \t]*$"
_PASSWORD_OPTION = r"(?:^|\s)(?:-p|--password)(?:=|\s+)(['\"]?)([^\s'\"]+)\1"


def text_secrets(text: str) -> set[str]:
    """Secret-looking values found line by line, for a file that does not parse as YAML."""
    found: set[str] = set()
    for line in text.splitlines():
        match = re.match(_ASSIGNMENT, line.split(" #", 1)[0])
        if match:
            value = match.group(2).strip("'\"")
            if looks_like_secret(match.group(1), value):
                found.add(value)
        for option in re.finditer(_PASSWORD_OPTION, line):
            if not option.group(2).startswith("$"):
                found.add(option.group(2))
    return {value for value in found if len(value) >= 4}
