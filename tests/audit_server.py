"""A real moto HTTP server on 127.0.0.1 for `hubspec audit` tests, with faults on demand.

moto answers CodeBuild's read calls; a WSGI layer in front of it records every call (so
tests can prove only read calls were made) and injects what moto cannot: AccessDenied for
chosen regions, throttling for the first calls, a pause before a call (for Ctrl-C tests).
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/codebuild"
_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Faults:
    """What the server should do wrong, and the calls it has seen (operation, region)."""

    def __init__(self) -> None:
        self.denied_regions: set[str] = set()
        self.denied_operations: set[str] = set()
        self.denied_projects: set[str] = set()
        """BatchGetProjects calls naming one of these are denied (IAM on project ARNs)."""
        self.throttle_next = 0
        self.pause_operation: str | None = None
        self.pause_after = 0
        self.pause_seconds = 0.0
        self.paused = threading.Event()
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


class _QuietHandler(MotoRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log on the test's stderr."""


class FaultyMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer with the fault layer in front of moto's own application."""

    def __init__(self, faults: Faults) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.faults = faults

    def _server_entry(self) -> None:
        app = _with_faults(DomainDispatcherApplication(create_backend_app), self.faults)
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=_QuietHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"


def _with_faults(app: WsgiApp, faults: Faults) -> WsgiApp:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.rsplit(".", 1)[-1] if target else ""
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        names = set(json.loads(body).get("names", [])) if body.startswith(b"{") else set()
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        region = scope.group(1) if scope else ""
        with faults.lock:
            if operation:
                faults.calls.append((operation, region))
            seen = sum(1 for call in faults.calls if call[0] == operation)
            throttle = operation and faults.throttle_next > 0
            if throttle:
                faults.throttle_next -= 1
        if operation and operation == faults.pause_operation and seen > faults.pause_after:
            faults.paused.set()
            time.sleep(faults.pause_seconds)
        if throttle:
            return _error(start_response, "ThrottlingException", "Rate exceeded")
        denied = operation in faults.denied_operations or names & faults.denied_projects
        if region in faults.denied_regions or denied:
            return _error(
                start_response,
                "AccessDeniedException",
                f"User is not authorized to perform: codebuild:{operation}",
            )
        return app(environ, start_response)

    return wrapped


def _error(start_response: Callable[..., Any], code: str, message: str) -> list[bytes]:
    body = json.dumps({"__type": code, "message": message}).encode()
    start_response(
        "400 Bad Request",
        [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))],
    )
    return [body]


def project(
    name: str,
    buildspec: str | None,
    *,
    image: str = "aws/codebuild/standard:7.0",
    privileged: bool = False,
    variables: list[dict[str, str]] | None = None,
    source_type: str = "GITHUB",
    registry_credential: str | None = None,
) -> dict[str, Any]:
    """CreateProject arguments for a project as a console user would make it."""
    source: dict[str, Any] = {"type": source_type}
    if source_type != "NO_SOURCE":
        source["location"] = f"https://github.com/example/{name}.git"
    else:
        source["location"] = "none"
    if buildspec is not None:
        source["buildspec"] = buildspec
    environment: dict[str, Any] = {
        "type": "LINUX_CONTAINER",
        "image": image,
        "computeType": "BUILD_GENERAL1_SMALL",
        "privilegedMode": privileged,
        "environmentVariables": variables or [],
    }
    if registry_credential is not None:
        environment["imagePullCredentialsType"] = "SERVICE_ROLE"
        environment["registryCredential"] = {
            "credential": registry_credential,
            "credentialProvider": "SECRETS_MANAGER",
        }
    return {
        "name": name,
        "source": source,
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": environment,
        "serviceRole": ROLE,
    }
