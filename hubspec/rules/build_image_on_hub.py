"""
## What it does
Notes a batch task whose build environment image (`env.image`) is a Docker Hub image.

## Why is this bad?
CodeBuild pulls the build image itself, before any command runs, so a `docker login` in the
buildspec cannot help: without a registry credential on the project the pull is anonymous
and shares the per-IP rate limit.

## Example
```yaml
batch:
  build-list:
    - identifier: linux
      env:
        image: node:20
```

## Use instead
```yaml
batch:
  build-list:
    - identifier: linux
      env:
        image: public.ecr.aws/docker/library/node:20
```

## Fix
Not fixable in the buildspec: use an ECR (or ECR Public) image, or give the CodeBuild project
a registry credential (Secrets Manager) for Docker Hub.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    from hubspec.docker.images import is_docker_hub, parse_image

    for task in context.analysis.model.batch_tasks:
        if task.image is None or task.image_node is None or task.image.startswith("aws/codebuild/"):
            continue
        ref = parse_image(task.image)
        if ref is None or not is_docker_hub(ref, mirrors=context.settings.mirrors):
            continue
        yield Diagnostic(
            "HS104",
            f"batch task {task.identifier} builds in {ref.familiar}, which CodeBuild pulls from"
            " Docker Hub itself; a docker login in the buildspec does not cover it",
            task.image_node.start,
            task.image_node.end,
        )


RULE = Rule(
    code="HS104",
    name="build-image-on-hub",
    severity=Severity.INFO,
    summary="a batch task's build image is pulled from Docker Hub by CodeBuild itself",
    docs=docs_of(__doc__),
    check=check,
)
