"""
## What it does
Reports a build image on Docker Hub that CodeBuild pulls without a registry credential: the
CodeBuild project's image (`Environment.Image` in a template, `environment { image }` in
Terraform), or a batch task's `env.image` in the buildspec.

## Why is this bad?
CodeBuild pulls the build image itself, before any command runs, so a `docker login` in the
buildspec cannot help: without a registry credential on the project the pull is anonymous,
from addresses shared with other AWS customers, and the build fails before its first phase
with `BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE ... toomanyrequests`.

## Example
```yaml
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Image: node:20
```

## Use instead
```yaml
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Image: node:20
        ImagePullCredentialsType: SERVICE_ROLE
        RegistryCredential:
          Credential: arn:aws:secretsmanager:eu-west-1:111122223333:secret:dockerhub
          CredentialProvider: SECRETS_MANAGER
```
or an ECR (Public) image such as `public.ecr.aws/docker/library/node:20`.

## Fix
`hubspec fix --registry-secret ARN|NAME` adds `RegistryCredential` and
`ImagePullCredentialsType: SERVICE_ROLE` to the project and prints the `aws secretsmanager
create-secret` command and the IAM statement the service role needs. A batch task's image
is not fixable in the buildspec: use an ECR image there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, ProjectDiagnostic, ProjectFacts, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    for task in context.analysis.model.batch_tasks:
        if task.image is None or task.image_node is None:
            continue
        familiar = hub_image(task.image, context.settings.mirrors)
        if familiar is None:
            continue
        yield Diagnostic(
            "HS104",
            f"batch task {task.identifier} builds in {familiar}, which CodeBuild pulls from"
            " Docker Hub itself; a docker login in the buildspec does not cover it",
            task.image_node.start,
            task.image_node.end,
        )


def check_project(facts: ProjectFacts) -> Iterator[ProjectDiagnostic]:
    project = facts.project
    if project.image is None:
        return
    familiar = hub_image(project.image, frozenset())
    if familiar is None:
        return
    if project.registry_credential and project.image_pull_credentials_type == "SERVICE_ROLE":
        return
    if project.registry_credential:
        why = "it has a RegistryCredential but ImagePullCredentialsType is not SERVICE_ROLE"
    else:
        why = "it has no RegistryCredential"
    yield ProjectDiagnostic(
        "HS104",
        f"project {project.name} builds in {familiar}, which CodeBuild pulls from Docker Hub"
        f" anonymously before the build starts: {why}",
        project.image_span or project.span,
    )


def hub_image(image: str, mirrors: frozenset[str]) -> str | None:
    """The familiar name of a Docker Hub build image, or None (curated, ECR, other registry)."""
    from hubspec.docker.images import is_docker_hub, parse_image

    if image.startswith("aws/codebuild/") or "${" in image:
        return None
    ref = parse_image(image)
    if ref is None or not is_docker_hub(ref, mirrors=mirrors):
        return None
    return ref.familiar


RULE = Rule(
    code="HS104",
    name="build-image-on-hub",
    severity=Severity.WARNING,
    summary="a build image (project or batch task) on Docker Hub with no registry credential",
    docs=docs_of(__doc__),
    check=check,
    project_check=check_project,
)
