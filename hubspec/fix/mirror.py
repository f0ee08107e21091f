"""The mirror fix: rewrite Docker Hub references to a mirror, wherever they are written.

`ecr-public` maps Docker Official Images to `public.ecr.aws/docker/library/NAME`;
`pull-through:HOST/PREFIX` maps every Hub image to an ECR pull-through cache
(`HOST/PREFIX/library/node`, `HOST/PREFIX/bitnami/redis`) and adds an ECR login before the
first pull. References are rewritten in buildspec commands, Dockerfile FROM / COPY --from /
RUN --mount from= / # syntax= lines and the ARG defaults that feed them, and compose `image:`
keys, keeping tags and digests. Each edit replaces exactly the repository part of one token.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from hubspec.docker.images import ImageRef, parse_image
from hubspec.events.model import Login, Pull, SourceKind
from hubspec.fix import layout
from hubspec.fix.edits import LoginPlan, Refusal
from hubspec.fix.place import add_login
from hubspec.load.source import line_starts_of
from hubspec.model import Edit
from hubspec.records import field, record

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext

ECR_PUBLIC_LIBRARY = "public.ecr.aws/docker/library"
_ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$"
)
_FROM = re.compile(r"^(?P<lead>\s*FROM\s+(?:--\S+\s+)*)(?P<token>\S+)", re.IGNORECASE)
_ARG = re.compile(
    r"^(?P<lead>\s*ARG\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)=)(?P<value>\S+)", re.IGNORECASE
)
_VARIABLE_ONLY = re.compile(
    r"^\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))$"
)

_EDITED_FILES = frozenset({SourceKind.DOCKERFILE, SourceKind.COMPOSE})
"""Files a mirror fix rewrites besides the buildspec (never scripts or Makefiles)."""


@record
class Mirror:
    """Where Hub images go: ECR Public's library mirror or an ECR pull-through cache."""

    kind: str
    host: str = ""
    prefix: str = ""
    region: str = ""

    def repository(self, ref: ImageRef) -> str | None:
        """The mirrored repository for a Hub image, or None when this mirror lacks it."""
        if self.kind == "ecr-public":
            if not ref.is_official:
                return None
            return f"{ECR_PUBLIC_LIBRARY}/{ref.path.removeprefix('library/')}"
        return f"{self.host}/{self.prefix}/{ref.path}"

    def why_not(self, ref: ImageRef) -> str:
        return (
            f"{ref.familiar} is not a Docker Official Image; ECR Public mirrors only those"
            " (use --mirror pull-through:... for it)"
        )

    @property
    def login_command(self) -> str:
        return (
            f"aws ecr get-login-password --region {self.region} | docker login --username AWS"
            f" --password-stdin {self.host}"
        )


def parse_mirror(text: str) -> Mirror:
    """`ecr-public` or `pull-through:ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX`."""
    if text == "ecr-public":
        return Mirror("ecr-public")
    if text.startswith("pull-through:"):
        target = text.removeprefix("pull-through:").strip("/")
        host, _, prefix = target.partition("/")
        match = _ECR_HOST.match(host)
        if match is None or not prefix:
            raise ValueError(
                f"'{text}': expected pull-through:ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX"
            )
        return Mirror("pull-through", host, prefix, match.group("region"))
    raise ValueError(
        f"'{text}': expected ecr-public or pull-through:ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX"
    )


@record(frozen=False)
class MirrorPlan:
    """Edits per file (None = the buildspec), what they do, and what stays on Docker Hub."""

    buildspec: LoginPlan = field(default_factory=LoginPlan)
    files: dict[Path, list[Edit]] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)
    rewritten: dict[str, str] = field(default_factory=dict)
    in_buildspec: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def plan_mirror_fix(context: LintContext, mirror: Mirror) -> MirrorPlan | None:
    """Rewrite every Docker Hub pull this buildspec makes; None when it makes none."""
    pulls = [event for event in context.analysis.events if isinstance(event, Pull) and event.hub]
    if not pulls:
        return None
    plan = MirrorPlan()
    done: set[tuple[Path | None, int, str]] = set()
    for pull in pulls:
        repository = mirror.repository(pull.image)
        if repository is None:
            _skip(plan, mirror.why_not(pull.image))
            continue
        source = pull.source
        key = (
            source.path,
            source.line if source.path else (source.span or (0, 0))[0],
            pull.image.name,
        )
        if key in done:
            continue
        done.add(key)
        if source.kind is SourceKind.COMMAND and source.span is not None:
            _rewrite_command(context, plan, pull, repository)
        elif source.kind in _EDITED_FILES and source.path is not None:
            _rewrite_file(context, plan, pull, repository)
        elif source.kind is SourceKind.SCRIPT:
            _skip(
                plan,
                f"{pull.image.familiar} is pulled by {pull.how}; scripts are not edited,"
                " rewrite it there by hand",
            )
        else:
            _skip(
                plan,
                f"{pull.image.familiar} is pulled implicitly ({pull.how}); name a mirror image for it by hand",
            )
    _rename_everywhere(context, plan)
    if mirror.kind == "pull-through" and plan.rewritten:
        _add_ecr_login(context, mirror, pulls, plan)
    return plan


def _rename_everywhere(context: LintContext, plan: MirrorPlan) -> None:
    """Rewrite the other mentions of a rewritten image in commands too (`docker tag node:20 x`):
    after the pull, only the mirrored name exists locally."""
    renames = {old: new for old, new in plan.in_buildspec.items() if old != "create"}
    if not renames:
        return
    pattern = re.compile(
        r"(?<![\w./:@$-])("
        + "|".join(re.escape(key) for key in sorted(renames, key=len, reverse=True))
        + r")(?![\w./:@-])"
    )
    taken = {edit.start for edit in plan.buildspec.edits}
    text = context.document.text
    for step in context.analysis.model.steps:
        for match in pattern.finditer(text, step.node.start, step.node.end):
            if match.start() not in taken:
                taken.add(match.start())
                plan.buildspec.edits.append(
                    Edit(match.start(), match.end(), renames[match.group(1)])
                )


def _skip(plan: MirrorPlan, reason: str) -> None:
    if reason not in plan.skipped:
        plan.skipped.append(reason)


def _replace_repository(token: str, ref: ImageRef, repository: str) -> str | None:
    """The token with its repository part mapped; None when that part is not literal."""
    body = token.split("@", 1)[0]
    slash = body.rfind("/")
    colon = body.find(":", slash + 1)
    written = body[:colon] if colon != -1 else body
    if "$" in written:
        return None
    parsed = parse_image(written)
    if parsed is None or parsed.name != ref.name:
        return None
    return repository + token[len(written) :]


def _rewrite_command(context: LintContext, plan: MirrorPlan, pull: Pull, repository: str) -> None:
    assert pull.source.span is not None
    start, end = pull.source.span
    raw = context.document.text[start:end]
    quote = raw[0] if raw[:1] in "'\"" and raw[-1:] == raw[:1] and len(raw) > 1 else ""
    inner = raw[len(quote) : len(raw) - len(quote)] if quote else raw
    replaced = _replace_repository(inner, pull.image, repository)
    if replaced is None and pull.source.instruction.endswith("buildx create") and inner == "create":
        # The buildkit image is implicit: name the mirrored one with --driver-opt.
        tag = f":{pull.image.tag}" if pull.image.tag else ""
        option = f" --driver-opt image={repository}{tag}"
        plan.buildspec.edits.append(Edit(end, end, option))
        plan.rewritten[inner] = inner + option
        plan.in_buildspec[inner] = inner + option
        position = context.document.position(start)
        plan.buildspec.changes.append(
            f"line {position.line}: buildx create now uses {repository}{tag}"
        )
        return
    if replaced is None:
        _skip(plan, f"{pull.written} in a command is built from variables; rewrite it by hand")
        return
    offset = start + len(quote)
    plan.buildspec.edits.append(Edit(offset, offset + len(inner), replaced))
    plan.rewritten[inner] = replaced
    plan.in_buildspec[inner] = replaced
    position = context.document.position(start)
    plan.buildspec.changes.append(f"line {position.line}: {inner} -> {replaced}")


def _rewrite_file(context: LintContext, plan: MirrorPlan, pull: Pull, repository: str) -> None:
    source = pull.source
    assert source.path is not None
    text = plan.texts.get(source.path)
    if text is None:
        text = context.reader(source.path)
        if text is None:
            _skip(
                plan,
                f"{source.path} cannot be read again; {pull.image.familiar} stays on Docker Hub",
            )
            return
        plan.texts[source.path] = text
    starts = line_starts_of(text)
    if not 0 < source.line <= len(starts):
        _skip(plan, f"{source.path}, line {source.line}: not found")
        return
    line_start = starts[source.line - 1]
    line = text[line_start:].split("\n", 1)[0]
    edit = _token_edit(line, line_start, source.instruction, pull, repository)
    if edit is None and source.kind is SourceKind.DOCKERFILE and source.default_args:
        edit = _arg_default_edit(text, starts, line, source.default_args, pull, repository)
    if edit is None:
        _skip(
            plan,
            f"{pull.image.familiar} in {source.path.name}, line {source.line} is not written literally; rewrite it by hand",
        )
        return
    edits = plan.files.setdefault(source.path, [])
    if all(existing.start != edit.start for existing in edits):
        edits.append(edit)
        plan.rewritten[text[edit.start : edit.end]] = edit.replacement
        plan.buildspec.changes.append(
            f"{_relative(context, source.path)}, line {text.count(chr(10), 0, edit.start) + 1}:"
            f" {text[edit.start : edit.end]} -> {edit.replacement}"
        )


def _relative(context: LintContext, path: Path) -> str:
    try:
        return path.relative_to(context.source_root).as_posix()
    except ValueError:
        return path.as_posix()


def _token_edit(
    line: str, line_start: int, instruction: str, pull: Pull, repository: str
) -> Edit | None:
    """An edit of the image token on a Dockerfile or compose line, by instruction."""
    candidates: list[tuple[int, str]] = []
    if instruction == "FROM":
        match = _FROM.match(line)
        if match:
            candidates.append((match.start("token"), match.group("token")))
    elif instruction == "image":
        match = re.search(r"image:\s*(['\"]?)(?P<token>[^'\"\s#]+)\1", line)
        if match:
            candidates.append((match.start("token"), match.group("token")))
    else:
        for pattern in (
            r"--from=(?P<token>[^\s,]+)",
            r"from=(?P<token>[^\s,]+)",
            r"syntax\s*=\s*(?P<token>\S+)",
        ):
            for match in re.finditer(pattern, line):
                candidates.append((match.start("token"), match.group("token")))
    for column, token in candidates:
        replaced = _replace_repository(token, pull.image, repository)
        if replaced is not None:
            return Edit(line_start + column, line_start + column + len(token), replaced)
    return None


def _arg_default_edit(
    text: str, starts: list[int], line: str, names: tuple[str, ...], pull: Pull, repository: str
) -> Edit | None:
    """`ARG BASE=node:20` feeding `FROM ${BASE}`: rewrite the default instead."""
    match = _FROM.match(line)
    variable = _VARIABLE_ONLY.match(match.group("token")) if match else None
    if variable is None:
        return None
    name = variable.group("braced") or variable.group("plain")
    if name not in names:
        return None
    for start in starts:
        arg = _ARG.match(text[start:].split("\n", 1)[0])
        if arg and arg.group("name") == name:
            value = arg.group("value")
            quote = value[0] if value[:1] in "'\"" else ""
            inner = value.strip("'\"")
            replaced = _replace_repository(inner, pull.image, repository)
            if replaced is None:
                return None
            begin = start + arg.start("value") + len(quote)
            return Edit(begin, begin + len(inner), replaced)
    return None


def _add_ecr_login(
    context: LintContext, mirror: Mirror, pulls: list[Pull], plan: MirrorPlan
) -> None:
    """The pull-through cache needs an ECR login before the first pull, as each user."""
    firsts: dict[str, Pull] = {}
    for pull in pulls:
        firsts.setdefault(pull.place.user, pull)
    logins = [event for event in context.analysis.events if isinstance(event, Login)]
    shape = layout.detect(context.document)
    placed: set[tuple[str, int]] = set()
    for user, pull in firsts.items():
        covered = any(
            login.server == mirror.host
            and login.place.user == user
            and login.place.start < pull.place.start
            for login in logins
        )
        if covered:
            continue
        if context.analysis.model.version == "0.1":
            raise Refusal("version 0.1: add the ECR login by hand, or move the file to 0.2 first")
        add_login(
            context,
            shape,
            mirror.login_command,
            user,
            pull.place.step,
            plan.buildspec,
            placed,
            "the ECR login",
        )
