"""`hubspec init`: a new buildspec that builds an image, pushes it to ECR, and logs in to Hub."""

from __future__ import annotations

import re
import shlex

from hubspec.settings import FixDefaults

_REPOSITORY = re.compile(r"^[a-z0-9]+(?:[._/-][a-z0-9]+)*$")


class InitError(Exception):
    """An option value that would not make a valid buildspec."""


def render_buildspec(
    ecr_repo: str, dockerfile: str = "Dockerfile", fix: FixDefaults | None = None
) -> str:
    """The buildspec text: parameter-store block, Hub and ECR logins, build, tag, push."""
    fix = fix or FixDefaults()
    if not _REPOSITORY.match(ecr_repo):
        raise InitError(
            f"'{ecr_repo}' is not a valid ECR repository name (lowercase, digits, . _ - /)"
        )
    if (
        not dockerfile
        or any(char in dockerfile for char in "\n\"'$`\\")
        or dockerfile.startswith("-")
    ):
        raise InitError(f"'{dockerfile}' is not a Dockerfile path hubspec can write safely")
    user, token = fix.user_variable, fix.token_variable
    if fix.store == "secrets-manager":
        if not fix.secret_id:
            raise InitError("--store secrets-manager needs --secret ID")
        store = (
            "  secrets-manager:\n"
            f"    {user}: {fix.secret_id}:username\n"
            f"    {token}: {fix.secret_id}:token\n"
        )
    else:
        store = (
            "  parameter-store:\n"
            f"    {user}: {fix.user_parameter}\n"
            f"    {token}: {fix.token_parameter}\n"
        )
    context = shlex.quote(dockerfile.rsplit("/", 1)[0]) if "/" in dockerfile else "."
    file_option = "" if dockerfile == "Dockerfile" else f" -f {shlex.quote(dockerfile)}"
    return f"""# CodeBuild buildspec written by `hubspec init`: build a Docker image, push it to ECR.
# Docker Hub pulls run logged in (token from {"Secrets Manager" if fix.store == "secrets-manager" else "Parameter Store"}), so shared CodeBuild IPs
# do not hit the anonymous pull rate limit. Needs AWS_ACCOUNT_ID in the project's environment.
version: 0.2

env:
  variables:
    IMAGE_REPO_NAME: {ecr_repo}
{store}
phases:
  pre_build:
    commands:
      - echo "${token}" | docker login --username "${user}" --password-stdin
      - aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com"
      - REPOSITORY_URI="$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME"
      - IMAGE_TAG="$(echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c 1-7)"
  build:
    commands:
      - docker build{file_option} -t "$REPOSITORY_URI:latest" {context}
      - docker tag "$REPOSITORY_URI:latest" "$REPOSITORY_URI:$IMAGE_TAG"
  post_build:
    commands:
      - docker push "$REPOSITORY_URI:latest"
      - docker push "$REPOSITORY_URI:$IMAGE_TAG"
      - printf '[{{"name":"%s","imageUri":"%s"}}]' "$IMAGE_REPO_NAME" "$REPOSITORY_URI:$IMAGE_TAG" > imagedefinitions.json

artifacts:
  files:
    - imagedefinitions.json
"""
