"""The `server` scenario of bench/run.py: a warm `hubspec server` driven over raw JSON-RPC.

A typical 60-line buildspec (ECR and Docker Hub, a Dockerfile with two stages) is opened,
then edited one line at a time; each edit is timed from writing its didChange to reading
the publishDiagnostics of that version. Memory is the server's resident size after 100
timed edits and after the last one. Warm-up edits are not counted.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WARM_UP_EDITS = 50
MEMORY_BASE_EDITS = 100
EDITED_LINE = 40
BUILDSPEC = """\
version: 0.2

env:
  variables:
    AWS_DEFAULT_REGION: us-east-1
    IMAGE_REPO_NAME: shop-frontend
    NODE_ENV: production
  parameter-store:
    SONAR_TOKEN: /ci/sonar-token
  exported-variables:
    - IMAGE_TAG

phases:
  install:
    runtime-versions:
      nodejs: 20
    commands:
      - echo "installing dependencies"
      - npm ci --no-audit
      - npm install -g aws-cdk@2

  pre_build:
    commands:
      - echo "logging in to Amazon ECR"
      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com
      - export IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)
      - REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME
      - npm run lint
      - npm test -- --ci --reporters=default --reporters=jest-junit

  build:
    commands:
      - echo "build started on $(date)"
      - npm run build
      - docker build -t $REPOSITORY_URI:latest .
      - docker tag $REPOSITORY_URI:latest $REPOSITORY_URI:$IMAGE_TAG
      - |
        if [ "$RUN_E2E" = "true" ]; then
          docker run --rm -v "$PWD":/app -w /app cypress/included:13.6.0
        fi
      - echo "build step 0"

  post_build:
    commands:
      - echo "pushing the image"
      - docker push $REPOSITORY_URI:latest
      - docker push $REPOSITORY_URI:$IMAGE_TAG
      - printf '[{"name":"web","imageUri":"%s"}]' $REPOSITORY_URI:$IMAGE_TAG > imagedefinitions.json
      - echo "build completed on $(date)"

reports:
  jest:
    files:
      - junit.xml
    file-format: JUNITXML

artifacts:
  files:
    - imagedefinitions.json
    - cdk.out/**/*
"""
DOCKERFILE = """\
FROM node:20-alpine AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM nginx:1.27-alpine
COPY --from=build /app/dist /usr/share/nginx/html
"""


@dataclass
class ServerRun:
    """The samples of one server session."""

    edits: int
    latencies: list[float] = field(default_factory=list)
    rss_base_kb: int = 0
    rss_end_kb: int = 0


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (0.95 = p95)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def table(run: ServerRun) -> str:
    median = statistics.median(run.latencies) * 1000
    p95 = percentile(run.latencies, 0.95) * 1000
    worst = max(run.latencies) * 1000
    return (
        "| scenario | edits | didChange -> diagnostics median ms | p95 ms | max ms"
        f" | RSS MB after {MEMORY_BASE_EDITS} | RSS MB after all |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n"
        f"| server | {run.edits} | {median:.1f} | {p95:.1f} | {worst:.1f}"
        f" | {run.rss_base_kb / 1024:.1f} | {run.rss_end_kb / 1024:.1f} |\n"
    )


def goals(run: ServerRun) -> list[tuple[str, float, float]]:
    """(goal, value, limit) for issue 18: latency, and memory that does not grow."""
    return [
        ("server: didChange -> diagnostics median ms", statistics.median(run.latencies) * 1000, 20),
        ("server: didChange -> diagnostics p95 ms", percentile(run.latencies, 0.95) * 1000, 50),
        (
            f"server: RSS after {run.edits} edits / after {MEMORY_BASE_EDITS}",
            run.rss_end_kb / run.rss_base_kb if run.rss_base_kb else math.inf,
            1.2,
        ),
    ]


class Client:
    """A minimal LSP client over a subprocess's pipes (the server under test is the process)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
        self.number = 0

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while (line := self.process.stdout.readline().strip()) != b"":
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        if not length:
            raise RuntimeError("the server closed its output")
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def request(self, method: str, params: Any) -> Any:
        self.number += 1
        self.send({"jsonrpc": "2.0", "id": self.number, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.number and "method" not in message:
                return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri: str, version: int) -> list[Any]:
        while True:
            message = self.receive()
            params = message.get("params") or {}
            if (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version
            ):
                return list(params["diagnostics"])

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def close(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.process.wait(timeout=30)


def measure(
    argv: list[str], env: dict[str, str], edits: int, log: Callable[[str], None]
) -> ServerRun:
    run = ServerRun(edits)
    with tempfile.TemporaryDirectory(prefix="hubspec-bench-server-") as scratch:
        root = Path(scratch)
        (root / ".git").mkdir()
        (root / "Dockerfile").write_text(DOCKERFILE)
        path = root / "buildspec.yml"
        path.write_text(BUILDSPEC)
        assert len(BUILDSPEC.splitlines()) == 60
        assert BUILDSPEC.splitlines()[EDITED_LINE] == '      - echo "build step 0"'
        uri = path.as_uri()
        client = Client(argv, env)
        client.request(
            "initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}}
        )
        client.notify("initialized", {})
        item = {"uri": uri, "languageId": "yaml", "version": 1, "text": BUILDSPEC}
        client.notify("textDocument/didOpen", {"textDocument": item})
        first = client.diagnostics(uri, 1)
        log(f"  server: {len(first)} diagnostic(s) on open")
        previous = BUILDSPEC.splitlines()[EDITED_LINE]
        for number in range(1, WARM_UP_EDITS + edits + 1):
            version = number + 1
            line = f'      - echo "build step {number}" && docker pull node:{18 + number % 5}'
            change = {
                "range": {
                    "start": {"line": EDITED_LINE, "character": 0},
                    "end": {"line": EDITED_LINE, "character": len(previous)},  # ASCII only
                },
                "text": line,
            }
            previous = line
            started = time.perf_counter()
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            client.diagnostics(uri, version)
            elapsed = time.perf_counter() - started
            timed = number - WARM_UP_EDITS
            if timed <= 0:
                continue
            run.latencies.append(elapsed)
            if timed == MEMORY_BASE_EDITS:
                run.rss_base_kb = client.rss_kb()
            if timed % 1000 == 0:
                log(f"  server: {timed}/{edits} edits, RSS {client.rss_kb() / 1024:.1f} MB")
        run.rss_end_kb = client.rss_kb()
        code = client.close()
        if code != 0:
            raise RuntimeError(f"hubspec server exited {code} after shutdown and exit")
    return run
