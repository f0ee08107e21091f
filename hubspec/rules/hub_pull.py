"""
## What it does
Finds every command that pulls an image from Docker Hub when no Docker Hub login has run
before it as the same user: `docker pull`/`run`/`create` of a Hub image, every Hub `FROM`,
`COPY --from` and `RUN --mount=from=` of the Dockerfile a `docker build` uses (after `ARG`
defaults and `--build-arg`), the `# syntax=` frontend image, compose services and their
builds, and `docker buildx create`. Commands are followed in the order CodeBuild runs them:
install, pre_build, build, post_build; `commands` then `finally`.

## Why is this bad?
CodeBuild runs builds from IP addresses shared with other AWS customers, and Docker Hub
limits anonymous pulls per IP (100 per 6 hours). The quota is often used up by others, so
the build fails on its first pull with `toomanyrequests: You have reached your pull rate
limit`. A logged-in pull counts against your own account (200 per 6 hours for a free one,
unlimited for paid plans) instead.

## Example
```yaml
version: 0.2
phases:
  build:
    commands:
      - docker build -t app .   # Dockerfile: FROM node:20
```

## Use instead
```yaml
version: 0.2
env:
  parameter-store:
    DOCKER_USER: dockerhub-user
    DOCKER_TOKEN: dockerhub-token
phases:
  pre_build:
    commands:
      - echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin
  build:
    commands:
      - docker build -t app .
```

## Fix
`hubspec fix` adds the `parameter-store` block and the login before the first pull (at the
start of `pre_build`, or right before the pull when it is in `install` or `pre_build`), as
the same `run-as` user. You then store the token once with `aws ssm put-parameter`.
Alternatively pull from a mirror such as `public.ecr.aws/docker/library/node:20`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.events.model import SourceKind
from hubspec.model import Related, Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.events.model import Pull
    from hubspec.facts.context import LintContext

_ELSEWHERE = (SourceKind.DOCKERFILE, SourceKind.COMPOSE, SourceKind.SCRIPT)

ADVICE = (
    "run `hubspec fix` to log in to Docker Hub first with a token from Parameter Store,"
    " or pull from a mirror (for official images: public.ecr.aws/docker/library/...)"
)


def check(context: LintContext) -> Iterator[Diagnostic]:
    from hubspec.events.model import Pull, with_login_state

    seen: set[tuple[int, str]] = set()
    fixable = context.analysis.model.version != "0.1"
    for event, logged_in in with_login_state(context.analysis.events):
        if not isinstance(event, Pull) or not event.hub or logged_in:
            continue
        image = event.written
        key = (event.place.start, image)
        if key in seen:
            continue
        seen.add(key)
        user = f" as {event.place.user}" if event.place.user != "root" else ""
        yield Diagnostic(
            "HS101",
            f"{image} is pulled from Docker Hub without a Docker Hub login{user}: {event.how}",
            event.place.start,
            event.place.end,
            notes=(*event.place.note(), ADVICE),
            fixable=fixable,
            related=_origin(event),
        )


def _origin(event: Pull) -> tuple[Related, ...]:
    """The Dockerfile, compose or script line that names the image, when another file does."""
    source = event.source
    if source.kind not in _ELSEWHERE or source.path is None or source.line < 1:
        return ()
    written = event.written
    if source.kind is SourceKind.COMPOSE:
        message = f"the service's image {written} is pulled"
    elif source.kind is SourceKind.SCRIPT and source.instruction:
        message = f"`{source.instruction}` pulls {written}"  # a command, quoted as in messages
    else:
        message = f"{source.instruction or 'this line'} pulls {written}"  # FROM pulls node:20
    return (Related(str(source.path), source.line, message),)


RULE = Rule(
    code="HS101",
    name="hub-pull-without-login",
    severity=Severity.ERROR,
    summary="a command pulls from Docker Hub and no Docker Hub login runs before it as the same user",
    docs=docs_of(__doc__),
    check=check,
    fixable=True,
)
