"""The AWS side of the audit: the only module that imports boto3 and botocore.

Only read calls are made: ListProjects, ListSharedProjects and BatchGetProjects. The
session comes from the usual chain (`--profile` or AWS_PROFILE, environment variables,
SSO, instance roles); boto3 itself honours AWS_ENDPOINT_URL and AWS_REGION. Throttling is
retried by botocore's standard retry mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from hubspec.records import record

INSTALL_HINT = "hubspec audit needs boto3: pip install 'hubspec[aws]'"
BATCH_SIZE = 100
"""BatchGetProjects takes at most 100 names or ARNs a call."""
MAX_ATTEMPTS = 8
"""Calls per request under throttling (botocore's standard mode backs off between them)."""
READ_CALLS = ("ListProjects", "ListSharedProjects", "BatchGetProjects")
DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "OptInRequired"}
)
BAD_CREDENTIALS = frozenset(
    {"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException"}
)


class AuditError(Exception):
    """The audit cannot run at all (no boto3, no credentials, no region): one line for the user."""


class Unreadable(Exception):
    """One region or project could not be read; the audit notes it and goes on."""

    def __init__(self, message: str, *, denied: bool = False) -> None:
        super().__init__(message)
        self.denied = denied


@record
class Batch:
    """One BatchGetProjects answer: the projects, and the names it did not find."""

    projects: tuple[dict[str, Any], ...]
    not_found: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()


def _boto3() -> Any:
    try:
        import boto3
    except ImportError:
        raise AuditError(INSTALL_HINT) from None
    return boto3


class Account:
    """A boto3 session: regions, project names and project definitions, read-only."""

    def __init__(self, profile: str | None = None) -> None:
        boto3 = _boto3()
        from botocore.exceptions import BotoCoreError

        try:
            self.session = boto3.session.Session(profile_name=profile)
        except BotoCoreError as error:  # ProfileNotFound, a broken config file
            raise AuditError(f"AWS configuration: {error}") from None

    @property
    def default_region(self) -> str | None:
        """AWS_REGION (read by the AWS CLI and the other SDKs, not by botocore), else the
        session's: AWS_DEFAULT_REGION or the profile's `region`."""
        region = os.environ.get("AWS_REGION") or self.session.region_name
        return region if isinstance(region, str) and region else None

    def client(self, region: str) -> Any:
        from botocore.config import Config

        config = Config(
            retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
            user_agent_extra="hubspec-audit",
        )
        try:
            return self.session.client("codebuild", region_name=region, config=config)
        except Exception as error:  # an unknown region name, a malformed endpoint URL
            raise Unreadable(f"cannot make a CodeBuild client ({error})") from None

    def names(self, client: Any, *, shared: bool = False) -> list[str]:
        """Every project name of the region (ListProjects), then shared project ARNs."""
        names: list[str] = []
        calls = [("list_projects", "projects")]
        if shared:
            calls.append(("list_shared_projects", "projects"))
        for operation, key in calls:
            paginator = client.get_paginator(operation)
            with translated():
                for page in paginator.paginate():
                    names.extend(str(name) for name in page.get(key, []))
        return names

    def projects(self, client: Any, names: Sequence[str]) -> Iterator[Batch]:
        """BatchGetProjects, 100 names a call; a denied call is retried name by name."""
        for start in range(0, len(names), BATCH_SIZE):
            chunk = list(names[start : start + BATCH_SIZE])
            try:
                yield self._batch(client, chunk)
            except Unreadable as problem:
                if not problem.denied:
                    raise
                if len(chunk) == 1:
                    yield Batch((), (), tuple(chunk))
                else:
                    yield self._one_by_one(client, chunk)

    def _batch(self, client: Any, names: list[str]) -> Batch:
        with translated():
            answer = client.batch_get_projects(names=names)
        return Batch(tuple(answer.get("projects", [])), tuple(answer.get("projectsNotFound", [])))

    def _one_by_one(self, client: Any, names: list[str]) -> Batch:
        projects: list[dict[str, Any]] = []
        not_found: list[str] = []
        denied: list[str] = []
        for name in names:
            try:
                batch = self._batch(client, [name])
            except Unreadable as problem:
                if not problem.denied:
                    raise
                denied.append(name)
                continue
            projects.extend(batch.projects)
            not_found.extend(batch.not_found)
        return Batch(tuple(projects), tuple(not_found), tuple(denied))


@contextmanager
def translated() -> Iterator[None]:
    """botocore's exceptions -> AuditError (stop) or Unreadable (note it, go on)."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        SSOError,
        TokenRetrievalError,
    )

    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise AuditError(
            "no AWS credentials found: set AWS_PROFILE (or --profile), run"
            " `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ) from None
    except (SSOError, TokenRetrievalError) as error:
        raise AuditError(f"AWS credentials: {error}; run `aws sso login`") from None
    except NoRegionError:
        raise AuditError("no AWS region: pass --region or set AWS_REGION") from None
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        operation = getattr(error, "operation_name", "the call")
        if code in BAD_CREDENTIALS:
            message = details.get("Message", "")
            raise AuditError(f"AWS credentials rejected ({code}): {message}") from None
        if code in DENIED:
            raise Unreadable(f"access denied to codebuild:{operation}", denied=True) from None
        raise Unreadable(f"codebuild:{operation} failed ({code or 'error'})") from None
    except BotoCoreError as error:  # no connection, a read timeout, a malformed answer
        raise Unreadable(str(error)) from None
