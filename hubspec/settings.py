"""Settings that shape linting and fixing, filled by the CLI from options and config files."""

from __future__ import annotations

from pathlib import Path

from hubspec.model import Severity
from hubspec.records import field, record


@record
class FixDefaults:
    """Names the login fix writes: shell variables and the secret-store references."""

    user_variable: str = "DOCKER_USER"
    token_variable: str = "DOCKER_TOKEN"
    user_parameter: str = "dockerhub-user"
    token_parameter: str = "dockerhub-token"
    store: str = "parameter-store"
    secret_id: str | None = None
    registry_secret: str | None = None
    """HS104: the Secrets Manager secret (ARN or name) a project's RegistryCredential names."""


@record
class Settings:
    """Everything a lint run depends on besides the files themselves."""

    source_root: Path | None = None
    mirrors: frozenset[str] = frozenset()
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)
    fix: FixDefaults = field(default_factory=FixDefaults)
    no_ignores: bool = False
    budget_share: float = 0.1
