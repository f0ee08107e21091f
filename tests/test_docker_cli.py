from __future__ import annotations

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspec.docker.cli import (
    BUILDKIT_IMAGE,
    PROGRAM_MARK,
    PROGRAMS,
    BuildUse,
    ComposeUse,
    DockerEvent,
    ImageSource,
    ImageUse,
    Invocation,
    LoginUse,
    LogoutUse,
    Unresolved,
    docker_events,
    invocation,
    is_hub_login_server,
)


def argv(text: str) -> list[str | None]:
    """Shell-split `text`; the word `?` stands for a word not known statically."""
    return [None if word == "?" else word for word in shlex.split(text)]


def events(text: str) -> list[DockerEvent]:
    return docker_events(argv(text))


def image(text: str, word: int, verb: str) -> list[DockerEvent]:
    """`docker run`/`create` (and `container run`/`create`) use a local image first."""
    parts = verb.split()
    runs = parts[-1] in ("run", "create") and parts[-2] in ("docker", "container")
    return [ImageUse(text, word, verb, ImageSource.LOCAL_FIRST if runs else ImageSource.REGISTRY)]


IMAGE_CASES = {
    # docker pull
    "docker pull node:20": image("node:20", 2, "docker pull"),
    "docker image pull node": image("node", 3, "docker image pull"),
    "docker pull -q --platform linux/arm64 node": image("node", 5, "docker pull"),
    "docker pull --platform=linux/arm64 -a node": image("node", 4, "docker pull"),
    "docker pull --all-tags --disable-content-trust node": image("node", 4, "docker pull"),
    "docker pull node --platform linux/amd64": image("node", 2, "docker pull"),
    "docker pull -- node": image("node", 3, "docker pull"),
    "docker pull ? node": image("node", 3, "docker pull"),
    # docker run / create, every option shape
    "docker run node:20": image("node:20", 2, "docker run"),
    "docker container run node:20": image("node:20", 3, "docker container run"),
    "docker create redis": image("redis", 2, "docker create"),
    "docker container create redis": image("redis", 3, "docker container create"),
    "docker run --rm -it node:20 bash": image("node:20", 4, "docker run"),
    "docker run -itd nginx": image("nginx", 3, "docker run"),
    "docker run -dp 8080:80 nginx": image("nginx", 4, "docker run"),
    "docker run -e FOO=1 -v /a:/b -w /b node npm test": image("node", 8, "docker run"),
    "docker run -eFOO=1 node": image("node", 3, "docker run"),
    "docker run -e=FOO=1 node": image("node", 3, "docker run"),
    "docker run --env=FOO=1 --name=x node": image("node", 4, "docker run"),
    "docker run --name x --network host node": image("node", 6, "docker run"),
    "docker run -u 1000:1000 -h box node": image("node", 6, "docker run"),
    "docker run --privileged tonistiigi/binfmt --install all": image(
        "tonistiigi/binfmt", 3, "docker run"
    ),
    "docker run --rm=false --sig-proxy=false node": image("node", 4, "docker run"),
    "docker run --mount type=bind,src=.,dst=/w --entrypoint sh node -c 'echo'": image(
        "node", 6, "docker run"
    ),
    "docker run -c 512 --cpus 2 -m 1g --shm-size 2g node": image("node", 10, "docker run"),
    "docker run --health-cmd 'curl x' --health-interval 5s node": image("node", 6, "docker run"),
    "docker run --gpus all --ulimit nofile=1024 --tmpfs /t node": image("node", 8, "docker run"),
    "docker run --platform linux/amd64 --pull always node": image("node", 6, "docker run"),
    "docker run --pull=missing node": image("node", 3, "docker run"),
    "docker run --pull ? node": image("node", 4, "docker run"),
    "docker run -e ? node": image("node", 4, "docker run"),
    "docker run -- node": image("node", 3, "docker run"),
    "docker run node --pull never": image("node", 2, "docker run"),
    "docker run --pull never node": [],
    "docker run --pull=never node": [],
    "docker create --pull never node": [],
    "docker run --help": [],
    "docker run": [],
    # global options and program spellings
    "docker --config /tmp/cfg pull node": image("node", 4, "docker pull"),
    "docker --config=/tmp/cfg pull node": image("node", 3, "docker pull"),
    "docker -c ctx -H tcp://h:2375 -l debug -D run node": image("node", 9, "docker run"),
    "docker --tls --tlsverify --tlscacert ca.pem --tlscert c.pem --tlskey k.pem pull x": image(
        "x", 10, "docker pull"
    ),
    "docker --context=ctx --log-level=info pull x": image("x", 4, "docker pull"),
    "/usr/bin/docker pull node": image("node", 2, "docker pull"),
    "/usr/local/bin/docker pull node": image("node", 2, "docker pull"),
    "docker.exe pull node": image("node", 2, "docker pull"),
    "docker --version": [],
    "docker --help": [],
    "docker": [],
    "docker ps": [],
    "docker push me/app": [],
    "docker tag a b": [],
    "docker image ls": [],
    "docker image": [],
    # wrappers
    "sudo docker pull node": image("node", 3, "docker pull"),
    "sudo -E docker pull node": image("node", 4, "docker pull"),
    "sudo -u jenkins -E docker pull node": image("node", 6, "docker pull"),
    "sudo --user=jenkins docker pull node": image("node", 4, "docker pull"),
    "sudo -Eu jenkins docker pull node": image("node", 5, "docker pull"),
    "sudo --preserve-env=PATH HOME=/h docker pull node": image("node", 5, "docker pull"),
    "env docker pull node": image("node", 3, "docker pull"),
    "env -i PATH=/bin DOCKER_CONFIG=/c docker pull node": image("node", 6, "docker pull"),
    "env -u HOME docker pull node": image("node", 5, "docker pull"),
    "FOO=1 docker pull node": image("node", 3, "docker pull"),
    "time docker pull node": image("node", 3, "docker pull"),
    "time -p docker pull node": image("node", 4, "docker pull"),
    "command docker pull node": image("node", 3, "docker pull"),
    "exec docker pull node": image("node", 3, "docker pull"),
    "exec -a name docker pull node": image("node", 5, "docker pull"),
    "nice -n 10 docker pull node": image("node", 5, "docker pull"),
    "nohup docker pull node": image("node", 3, "docker pull"),
    "timeout 300 docker pull node": image("node", 4, "docker pull"),
    "timeout -s KILL -k 10 5m docker pull node": image("node", 8, "docker pull"),
    "timeout --signal=KILL 5m sudo docker pull node": image("node", 6, "docker pull"),
    "stdbuf -oL docker pull node": image("node", 4, "docker pull"),
    "command -v docker": [],
    "sudo -l docker pull node": [],
    "env -S 'docker pull node'": [],
    "sudo": [],
    "? pull node": [],
    "sudo ? pull node": [],
    "podman pull node": [],
    "buildah pull node": [],
    "xargs docker pull": [],
    "echo docker pull node": [],
    # other image operands
    "docker service create --name web -p 80:80 --replicas 2 nginx": image(
        "nginx", 9, "docker service create"
    ),
    "docker service create --with-registry-auth nginx": image("nginx", 4, "docker service create"),
    "docker plugin install --grant-all-permissions grafana/loki-docker-driver:latest": image(
        "grafana/loki-docker-driver:latest", 4, "docker plugin install"
    ),
    "docker manifest inspect node:20": image("node:20", 3, "docker manifest inspect"),
    "docker manifest inspect -v node:20": image("node:20", 4, "docker manifest inspect"),
    "docker manifest inspect mylist node:20": [],
    "docker buildx imagetools inspect --raw node:20": image(
        "node:20", 5, "docker buildx imagetools inspect"
    ),
    "docker buildx imagetools create -t me/app:1 node:20 docker-image://alpine oci-layout://x": [
        ImageUse("node:20", 6, "docker buildx imagetools create"),
        ImageUse("alpine", 7, "docker buildx imagetools create"),
    ],
    # buildx create
    "docker buildx create --use": image(BUILDKIT_IMAGE, 2, "docker buildx create"),
    "docker buildx create --name b --driver docker-container --bootstrap": image(
        BUILDKIT_IMAGE, 2, "docker buildx create"
    ),
    "docker buildx --builder x create --driver-opt network=host": image(
        BUILDKIT_IMAGE, 4, "docker buildx create"
    ),
    "docker buildx create --driver-opt image=moby/buildkit:v0.13.0": image(
        "moby/buildkit:v0.13.0", 4, "docker buildx create"
    ),
    "docker buildx create --driver-opt=network=host,image=ecr.example.com/buildkit:1": image(
        "ecr.example.com/buildkit:1", 3, "docker buildx create"
    ),
    "docker buildx create --driver-opt '\"image=a/b:1\",network=host'": image(
        "a/b:1", 4, "docker buildx create"
    ),
    "docker buildx create --driver remote tcp://buildkitd:1234": [],
    "docker buildx create --driver kubernetes": [],
    "docker buildx create --driver=docker": [],
    "docker buildx create --name b --leave --node n": [],
    "docker buildx create --driver ?": [
        Unresolved("the driver of docker buildx create is not known statically", 4)
    ],
    "docker buildx create --driver-opt ?": [
        Unresolved(
            "a --driver-opt of docker buildx create is not known statically (it may set image=)",
            4,
        )
    ],
    "docker buildx bake": [
        Unresolved(
            "docker buildx bake builds the targets of a bake or compose file, "
            "which hubspec does not analyse",
            2,
        )
    ],
    "docker buildx use b": [],
    "docker buildx inspect --bootstrap": [],
}


@pytest.mark.parametrize("text", list(IMAGE_CASES))
def test_image_events(text: str) -> None:
    assert events(text) == IMAGE_CASES[text]


UNRESOLVED_CASES = {
    "docker ?": Unresolved("the subcommand of docker is not known statically", 1),
    "docker ? pull node": Unresolved("the subcommand of docker is not known statically", 1),
    "docker image ?": Unresolved("the subcommand of docker image is not known statically", 2),
    "docker buildx ?": Unresolved("the subcommand of docker buildx is not known statically", 2),
    "docker pull ?": Unresolved(
        "the image operand of docker pull is not known statically", 2, operand=True
    ),
    "docker pull -q ?": Unresolved(
        "the image operand of docker pull is not known statically", 3, operand=True
    ),
    "docker run ?": Unresolved(
        "the image operand of docker run is not known statically",
        2,
        operand=True,
        source=ImageSource.LOCAL_FIRST,
    ),
    "docker run --rm ? echo hi": Unresolved(
        "the image operand of docker run is not known statically",
        3,
        operand=True,
        source=ImageSource.LOCAL_FIRST,
    ),
    "docker run ? node": Unresolved(
        "the image operand of docker run is not known statically",
        2,
        operand=True,
        source=ImageSource.LOCAL_FIRST,
    ),
    "docker container create ?": Unresolved(
        "the image operand of docker container create is not known statically",
        3,
        operand=True,
        source=ImageSource.LOCAL_FIRST,
    ),
    "docker run --frobnicate node": Unresolved(
        "docker run has an option hubspec does not know (--frobnicate), "
        "so its image operand is unclear",
        2,
    ),
    "docker run -Z node": Unresolved(
        "docker run has an option hubspec does not know (-Z), so its image operand is unclear", 2
    ),
    "docker service create ?": Unresolved(
        "the image operand of docker service create is not known statically", 3, operand=True
    ),
    "docker compose ?": Unresolved("the docker compose subcommand is not known statically", 2),
    "docker-compose ?": Unresolved("the docker-compose subcommand is not known statically", 1),
    "docker logout ?": Unresolved("the registry of docker logout is not known statically", 2),
}


@pytest.mark.parametrize("text", list(UNRESOLVED_CASES))
def test_unresolved(text: str) -> None:
    assert events(text) == [UNRESOLVED_CASES[text]]


def build(**changes: object) -> BuildUse:
    fields: dict[str, object] = {
        "context": ".",
        "dockerfile": None,
        "build_args": (),
        "platforms": (),
        "word": 1,
        "verb": "docker build",
        "unresolved": None,
    }
    fields.update(changes)
    return BuildUse(**fields)  # type: ignore[arg-type]


BUILD_CASES = {
    "docker build .": build(),
    "docker build -t me/app:1 .": build(tags=(3,)),
    "docker build . -t me/app:1": build(tags=(4,)),
    "docker image build .": build(word=2, verb="docker image build"),
    "docker builder build .": build(word=2, verb="docker builder build"),
    "docker buildx build --push .": build(word=2, verb="docker buildx build"),
    "docker buildx b .": build(word=2, verb="docker buildx b"),
    "docker buildx --builder x build .": build(word=4, verb="docker buildx build"),
    "DOCKER_BUILDKIT=1 docker build .": build(word=2),
    "docker build -f docker/Dockerfile.prod app": build(
        context="app", dockerfile="docker/Dockerfile.prod"
    ),
    "docker build --file=Dockerfile.ci .": build(dockerfile="Dockerfile.ci"),
    "docker build -fDockerfile.ci .": build(dockerfile="Dockerfile.ci"),
    "docker build --build-arg A=1 --build-arg B= --build-arg C .": build(
        build_args=(("A", "1"), ("B", ""), ("C", None))
    ),
    "docker build --build-arg=A=x=y .": build(build_args=(("A", "x=y"),)),
    "docker build --build-arg ? .": build(build_args_complete=False),
    "docker build ? -t x .": build(build_args_complete=False, tags=(4,)),
    "docker build --platform linux/amd64,linux/arm64 --platform linux/s390x .": build(
        platforms=("linux/amd64", "linux/arm64", "linux/s390x")
    ),
    "docker build --target test .": build(target="test"),
    "docker build --pull=false --no-cache -q --rm --force-rm .": build(),
    "docker build --check .": build(),
    "docker build --call outline .": build(),
    "docker build --secret id=npm,src=.npmrc --ssh default --progress plain -o out .": build(),
    "docker build --cache-to type=inline --network host --add-host a:1.2.3.4 .": build(),
    "docker build --attest type=sbom --provenance mode=max --sbom true --annotation a=b .": build(),
    "docker build --label a=b --iidfile id --metadata-file m.json --allow network.host .": build(),
    "docker build --ulimit nofile=1024 --shm-size 1g --cgroup-parent p --isolation x .": build(),
    "docker build -m 1g --memory-swap 2g -c 2 --cpuset-cpus 0 --cpu-quota 1 .": build(),
    "docker build ctx --security-opt x --squash --compress --stream": build(context="ctx"),
    "docker build -f ? .": build(
        dockerfile=None, unresolved="the Dockerfile path (-f) is not known statically"
    ),
    "docker build -f - .": build(
        dockerfile="-", unresolved="the Dockerfile is read from standard input"
    ),
    "docker build -": build(
        context="-", unresolved="the build context and its Dockerfile are read from standard input"
    ),
    "docker build -f Dockerfile -": build(context="-", dockerfile="Dockerfile"),
    "docker build ?": build(
        context=None,
        unresolved="the build context is not known statically",
        build_args_complete=False,
    ),
    "docker build -t x": build(
        context=None, unresolved="docker build has no build context argument", tags=(3,)
    ),
    "docker build https://github.com/me/app.git#main": build(
        context="https://github.com/me/app.git#main",
        unresolved="the build context is a remote URL, whose Dockerfile hubspec cannot read",
    ),
    "docker build git@github.com:me/app.git": build(
        context="git@github.com:me/app.git",
        unresolved="the build context is a remote URL, whose Dockerfile hubspec cannot read",
    ),
    "docker build --frob x .": build(
        context="x", unresolved="docker build has an option hubspec does not know (--frob)"
    ),
    "docker build --frob .": build(),
}


@pytest.mark.parametrize("text", list(BUILD_CASES))
def test_build(text: str) -> None:
    assert events(text) == [BUILD_CASES[text]]


def test_build_pulls_from_options() -> None:
    found = events(
        "docker buildx build --build-context base=docker-image://alpine:3 "
        "--build-context src=../src --cache-from me/app:cache "
        "--cache-from type=registry,ref=me/app:buildcache --cache-from type=local,src=/c "
        "--cache-from=type=gha ."
    )
    assert found == [
        build(word=2, verb="docker buildx build", named_contexts=("base", "src")),
        ImageUse("alpine:3", 4, "docker buildx build --build-context"),
        ImageUse("me/app:cache", 8, "docker buildx build --cache-from"),
        ImageUse("me/app:buildcache", 10, "docker buildx build --cache-from"),
    ]


def test_build_help() -> None:
    assert events("docker build --help") == []
    assert events("docker buildx build -h") == []


def compose(**changes: object) -> ComposeUse:
    fields: dict[str, object] = {
        "files": (),
        "project_directory": None,
        "services": (),
        "word": 2,
        "verb": "docker compose up",
        "unresolved": None,
    }
    fields.update(changes)
    # up, run and create start the named services' dependencies unless told otherwise
    verb = str(fields["verb"]).rsplit(" ", 1)[-1]
    fields.setdefault("with_dependencies", verb in ("up", "run", "create"))
    return ComposeUse(**fields)  # type: ignore[arg-type]


COMPOSE_CASES = {
    "docker compose up": compose(),
    "docker compose up -d": compose(),
    "docker compose pull": compose(verb="docker compose pull"),
    "docker compose create": compose(verb="docker compose create"),
    "docker compose build": compose(verb="docker compose build"),
    "docker-compose up -d": compose(word=1, verb="docker-compose up"),
    "/usr/local/bin/docker-compose pull": compose(word=1, verb="docker-compose pull"),
    "docker compose -f a.yml -f b.yml up": compose(files=("a.yml", "b.yml"), word=6),
    "docker compose --file=a.yml up": compose(files=("a.yml",), word=3),
    "docker compose -fa.yml up": compose(files=("a.yml",), word=3),
    "docker compose -p proj --project-directory ./app up": compose(
        project_directory="./app", word=6
    ),
    "docker-compose --workdir ./app up": compose(
        project_directory="./app", word=3, verb="docker-compose up"
    ),
    "docker compose --env-file .env.ci --profile test up": compose(
        env_files=(".env.ci",), profiles=("test",), word=6
    ),
    "docker compose --ansi never --progress plain --parallel 2 --dry-run up": compose(word=9),
    "docker-compose --no-ansi --verbose --log-level INFO -H tcp://h up": compose(
        word=7, verb="docker-compose up"
    ),
    "docker --context ctx compose up": compose(word=4),
    "docker compose up -d web db": compose(services=("web", "db")),
    "docker compose up --build --scale web=2 --exit-code-from tests tests": compose(
        services=("tests",)
    ),
    "docker compose up -t 30 web": compose(services=("web",)),
    "docker compose up ? web": compose(),
    "docker compose up web ?": compose(),
    "docker compose up --pull never": compose(pull_policy="never"),
    "docker compose up --pull=always web": compose(pull_policy="always", services=("web",)),
    "docker compose pull --policy missing --ignore-buildable": compose(
        verb="docker compose pull", pull_policy="missing", ignore_buildable=True
    ),
    "docker compose pull -q --include-deps web": compose(
        verb="docker compose pull", services=("web",), with_dependencies=True
    ),
    "docker compose up --no-deps web": compose(services=("web",), with_dependencies=False),
    "docker compose build --with-dependencies web": compose(
        verb="docker compose build", services=("web",), with_dependencies=True
    ),
    "docker compose build --pull --build-arg A=1 --build-arg B web": compose(
        verb="docker compose build",
        pull_policy="always",
        build_args=(("A", "1"), ("B", None)),
        services=("web",),
    ),
    "docker compose run --rm -e A=1 web npm test": compose(
        verb="docker compose run", services=("web",)
    ),
    "docker compose run --pull always -T web": compose(
        verb="docker compose run", services=("web",), pull_policy="always"
    ),
    "docker compose run ? npm test": compose(verb="docker compose run"),
    "docker compose -f ? up": compose(
        word=4, unresolved="a compose file (-f) is not known statically"
    ),
    "docker compose -f a.yml -f ? up": compose(
        files=("a.yml",), word=6, unresolved="a compose file (-f) is not known statically"
    ),
    "docker compose --project-directory ? up": compose(
        word=4, unresolved="the compose project directory is not known statically"
    ),
}


@pytest.mark.parametrize("text", list(COMPOSE_CASES))
def test_compose(text: str) -> None:
    assert events(text) == [COMPOSE_CASES[text]]


@pytest.mark.parametrize(
    "text",
    [
        "docker compose",
        "docker compose ps",
        "docker compose down",
        "docker compose logs web",
        "docker compose config",
        "docker compose --help",
        "docker compose version",
        "docker-compose --version",
        "docker compose up --help",
    ],
)
def test_compose_without_pulls(text: str) -> None:
    assert events(text) == []


def login(**changes: object) -> LoginUse:
    fields: dict[str, object] = {
        "server": None,
        "server_word": None,
        "username_word": None,
        "password_word": None,
        "password_stdin": False,
        "word": 1,
        "unresolved": None,
    }
    fields.update(changes)
    return LoginUse(**fields)  # type: ignore[arg-type]


LOGIN_CASES = {
    "docker login": login(),
    "docker login docker.io": login(server="docker.io", server_word=2),
    "docker login -u me -p secret": login(username_word=3, password_word=5),
    "docker login -u me --password-stdin": login(username_word=3, password_stdin=True),
    "docker login --username me --password-stdin": login(username_word=3, password_stdin=True),
    "docker login --username=me --password=secret": login(username_word=2, password_word=3),
    "docker login -ume -psecret": login(username_word=2, password_word=3),
    "docker login --password-stdin=false -u me": login(username_word=4),
    "docker login -u ? -p ?": login(username_word=3, password_word=5),
    "docker login -u AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com": login(
        server="123456789012.dkr.ecr.us-east-1.amazonaws.com",
        server_word=5,
        username_word=3,
        password_stdin=True,
    ),
    "docker login --username AWS --password-stdin public.ecr.aws": login(
        server="public.ecr.aws", server_word=5, username_word=3, password_stdin=True
    ),
    "docker login https://index.docker.io/v1/ -u me": login(
        server="https://index.docker.io/v1/", server_word=2, username_word=4
    ),
    "docker login -u me --password-stdin ?": login(
        server_word=5,
        username_word=3,
        password_stdin=True,
        unresolved="the registry of docker login is not known statically",
    ),
    "sudo -u jenkins docker --config /c login -u me --password-stdin": login(
        word=6, username_word=8, password_stdin=True
    ),
    "docker logout": LogoutUse(None, 1),
    "docker logout ghcr.io": LogoutUse("ghcr.io", 1),
    "docker logout docker.io": LogoutUse("docker.io", 1),
}


@pytest.mark.parametrize("text", list(LOGIN_CASES))
def test_login(text: str) -> None:
    assert events(text) == [LOGIN_CASES[text]]


def test_login_help() -> None:
    assert events("docker login --help") == []
    assert events("docker logout --help") == []


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        (None, (True, True)),
        ("", (True, True)),
        ("docker.io", (True, True)),
        ("https://index.docker.io/v1/", (True, True)),
        ("https://index.docker.io/v1", (True, False)),
        ("http://index.docker.io/v1/", (True, False)),
        ("index.docker.io", (True, False)),
        ("Docker.io", (True, False)),
        ("registry-1.docker.io", (True, False)),
        ("https://registry-1.docker.io", (True, False)),
        ("https://registry-1.docker.io/v2/", (True, False)),
        ("registry-1.docker.io:443", (True, False)),
        ("registry.hub.docker.com", (True, False)),
        ("hub.docker.com", (True, False)),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", (False, False)),
        ("https://123456789012.dkr.ecr.us-east-1.amazonaws.com", (False, False)),
        ("public.ecr.aws", (False, False)),
        ("ghcr.io", (False, False)),
        ("quay.io", (False, False)),
        ("localhost:5000", (False, False)),
        ("docker.io.example.com", (False, False)),
    ],
)
def test_is_hub_login_server(server: str | None, expected: tuple[bool, bool]) -> None:
    assert is_hub_login_server(server) == expected


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("docker pull node", None),
        ("sudo docker pull node", "root"),
        ("sudo -E docker pull node", "root"),
        ("sudo -u jenkins docker pull node", "jenkins"),
        ("sudo -Eu jenkins docker pull node", "jenkins"),
        ("sudo --user=codebuild docker pull node", "codebuild"),
        ("sudo --user codebuild docker pull node", "codebuild"),
        ("sudo -u '#1000' docker pull node", "#1000"),
        ("sudo -u ? docker pull node", "<unknown>"),
        ("timeout 5 sudo -u a docker pull node", "a"),
        ("env A=1 docker pull node", None),
        ("echo hi", None),
        ("sudo -u a echo hi", None),
    ],
)
def test_effective_user(text: str, user: str | None) -> None:
    found = invocation(argv(text))
    assert (found.user if found is not None else None) == user


def test_invocation() -> None:
    assert invocation(argv("DOCKER_CONFIG=/c sudo -u x HOME=/h docker pull y")) == Invocation(
        program="docker",
        word=5,
        user="x",
        env=(("DOCKER_CONFIG", "/c"), ("HOME", "/h")),
        config="/c",
    )
    found = invocation(argv("docker --config /tmp/cfg login"))
    assert found is not None and found.config == "/tmp/cfg"
    found = invocation(argv("docker --config ? login"))
    assert found is not None and found.config == "<unknown>"
    found = invocation(argv("docker-compose up"))
    assert found == Invocation("docker-compose", 0, None, (), None)
    assert invocation(argv("git pull")) is None
    assert invocation([]) is None


def test_words_point_into_argv() -> None:
    words = argv("sudo -E docker --context c run -d --name x -p 80:80 nginx:1.27 nginx -g x")
    (event,) = docker_events(words)
    assert isinstance(event, ImageUse)
    assert words[event.word] == "nginx:1.27"


_TOKENS = [
    "docker", "docker-compose", "sudo", "env", "timeout", "5", "-u", "x", "pull", "run", "build",
    "buildx", "create", "compose", "up", "login", "logout", "image", "container", "-f", "-",
    "--", "--pull", "never", "-it", "-e", "A=1", "--name=x", "node:20", ".", "--driver-opt",
    "image=a", "--build-arg", "--password-stdin", "-p", "--config", "service", "manifest",
    "inspect", "imagetools", "bake", "-h", "--help", "=", "-e=", "--x=", "FOO=bar",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(_TOKENS), st.text(max_size=6)), max_size=12))
def test_never_crashes_and_words_are_in_range(words: list[str | None]) -> None:
    for event in docker_events(words):
        indices = [event.word]
        if isinstance(event, LoginUse):
            indices += [
                i for i in (event.server_word, event.username_word, event.password_word) if i
            ]
        assert all(0 <= index < len(words) for index in indices)
        if isinstance(event, ImageUse):
            assert words[event.word] is not None


def test_every_program_name_holds_the_mark_the_quick_check_looks_for() -> None:
    """docker_events skips commands with no word holding PROGRAM_MARK: none may be missed."""
    assert all(PROGRAM_MARK in name for name in PROGRAMS)


@pytest.mark.parametrize(
    "argv",
    [
        ["sudo", "-u", "ci", "docker", "pull", "node:20"],
        ["env", "DOCKER_CONFIG=/x", "/usr/local/bin/docker-compose", "pull"],
        ["timeout", "60", "docker.exe", "pull", "node:20"],
    ],
)
def test_docker_behind_wrappers_is_still_found(argv: list[str]) -> None:
    assert docker_events(argv) != []


@pytest.mark.parametrize("argv", [["make", "docker"], ["echo", None, "x"], ["podman", "pull", "a"]])
def test_commands_that_run_no_docker_have_no_events(argv: list[str | None]) -> None:
    assert docker_events(argv) == []
