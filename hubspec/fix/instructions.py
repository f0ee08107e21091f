"""What the user still has to do once after a login fix: create the secrets, grant the role."""

from __future__ import annotations

import json
from collections.abc import Iterable

from hubspec.fix.edits import AddedReference


def _parameter_arn(name: str) -> str:
    path = name if name.startswith("/") else "/" + name
    return f"arn:aws:ssm:<region>:<account-id>:parameter{path}"


def next_steps(added: Iterable[AddedReference]) -> list[str]:
    """Commands and the IAM statement for the references a fix added, ready to paste."""
    references = list(dict.fromkeys(added))
    parameters = [ref for ref in references if ref.store == "parameter-store"]
    secrets = list(
        dict.fromkeys(
            ref.reference.split(":", 1)[0] for ref in references if ref.store == "secrets-manager"
        )
    )
    registry = [ref.reference for ref in references if ref.store == "registry-credential"]
    lines: list[str] = []
    if registry:
        lines.extend(_registry_steps(registry))
    if parameters:
        lines.append(
            "Store the Docker Hub user and an access token once (hub.docker.com > Account settings > Personal access tokens):"
        )
        for ref in parameters:
            kind = "SecureString" if ref.role == "token" else "String"
            placeholder = "<access-token>" if ref.role == "token" else "<docker-hub-user>"
            lines.append(
                f"  aws ssm put-parameter --name {ref.reference} --type {kind} --value '{placeholder}'"
            )
        statement = {
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": [_parameter_arn(ref.reference) for ref in parameters],
        }
        lines.append("Allow the CodeBuild service role to read them (add to its policy):")
        lines.append("  " + json.dumps(statement))
        lines.append(
            "  (a SecureString under a customer-managed KMS key also needs kms:Decrypt on that key)"
        )
    if secrets:
        lines.append("Store the Docker Hub user and an access token once:")
        for secret in secrets:
            lines.append(
                f"  aws secretsmanager create-secret --name {secret} --secret-string"
                ' \'{"username":"<docker-hub-user>","token":"<access-token>"}\''
            )
        statement = {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": [
                f"arn:aws:secretsmanager:<region>:<account-id>:secret:{secret}-*"
                for secret in secrets
            ],
        }
        lines.append("Allow the CodeBuild service role to read it (add to its policy):")
        lines.append("  " + json.dumps(statement))
    return lines


def _registry_steps(secrets: list[str]) -> list[str]:
    """HS104: the secret CodeBuild pulls the build image with, and the service role's grant."""
    lines = ["Store the Docker Hub login for pulling build images once (RegistryCredential):"]
    for secret in secrets:
        if not secret.startswith("arn:"):
            lines.append(
                f"  aws secretsmanager create-secret --name {secret} --secret-string"
                ' \'{"username":"<docker-hub-user>","password":"<access-token>"}\''
            )
        else:
            lines.append(f'  (the secret {secret} must hold {{"username", "password"}})')
    resources = [
        secret
        if secret.startswith("arn:")
        else f"arn:aws:secretsmanager:<region>:<account-id>:secret:{secret}-*"
        for secret in secrets
    ]
    statement = {
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": resources,
    }
    lines.append("Allow the CodeBuild service role to read it (add to its policy):")
    lines.append("  " + json.dumps(statement))
    return lines
