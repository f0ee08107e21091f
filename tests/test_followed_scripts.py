"""Scripts a buildspec runs, through the real command line: followed, and bounded on bad input.

Every case runs `python -m hubspec lint` in a repository made in tmp_path (with a `.git`
folder), under a memory limit and a timeout: a FIFO, a device, a symlink out of the
repository, a binary or huge file, or a script that runs itself must give a finding (HS103)
and never a hang, a traceback or a read outside the source.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from repos import hubspec, lint, repository, write

from hubspec.events.made import copied_files, downloads


def test_from_the_top_and_from_a_subfolder(tmp_path: Path) -> None:
    top = repository(tmp_path, "bash scripts/login.sh", "bash scripts/build.sh")
    write(top, "scripts/login.sh", 'echo "$TOKEN" | docker login -u me --password-stdin\n')
    write(top, "scripts/build.sh", "docker pull node:20\n")
    assert lint(top, "buildspec.yml", "--ignore", "HS203") == []
    (top / "scripts" / "login.sh").write_text("echo no login here\n")
    expected = (
        "HS101 node:20 is pulled from Docker Hub without a Docker Hub login:"
        " `docker pull node:20` in scripts/build.sh, line 1"
    )
    assert lint(top, "buildspec.yml") == [f"buildspec.yml:6:9: {expected}"]
    assert lint(top / "scripts", "../buildspec.yml") == [f"../buildspec.yml:6:9: {expected}"]


def test_a_login_in_a_script_counts_for_later_pulls(tmp_path: Path) -> None:
    top = repository(tmp_path, "./ci/docker-login.sh", "docker pull python:3.12")
    login = write(top, "ci/docker-login.sh", "#!/bin/sh\ndocker login -u me --password-stdin\n")
    login.chmod(0o755)
    assert lint(top, "buildspec.yml") == []


def test_binary_script(tmp_path: Path) -> None:
    top = repository(tmp_path, "bash tool.sh")
    write(top, "tool.sh", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 16)
    (line,) = lint(top, "buildspec.yml")
    assert " HS103 " in line and "tool.sh is a binary file" in line, line


def test_huge_script(tmp_path: Path) -> None:
    top = repository(tmp_path, "source big.sh")
    write(top, "big.sh", "echo x\n" * (1024 * 1024 // 7 + 10))
    (line,) = lint(top, "buildspec.yml")
    assert " HS103 " in line and "big.sh is too large or cannot be read" in line, line


def test_fifo_is_not_opened_for_reading(tmp_path: Path) -> None:
    top = repository(tmp_path, "bash pipe.sh", ". ./pipe.sh")
    os.mkfifo(top / "pipe.sh")
    lines = lint(top, "buildspec.yml")
    assert len(lines) == 2 and all("not a regular file" in line for line in lines), lines


def test_symlink_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.sh").write_text("docker pull node:20\n")
    (outside / "Dockerfile").write_text("FROM node:20\n")
    top = repository(tmp_path, "bash link.sh", "docker build -f escape/Dockerfile .")
    (top / "link.sh").symlink_to(outside / "secret.sh")
    (top / "escape").symlink_to(outside)
    lines = lint(top, "buildspec.yml")
    assert [line.split(": ")[1].split()[0] for line in lines] == ["HS103", "HS103"], lines
    assert "link.sh is a symlink out of the source root, which hubspec does not read" in lines[0]
    assert (
        "escape/Dockerfile is a symlink out of the source root, which hubspec does not read"
        in lines[1]
    )
    assert not any("node:20" in line for line in lines)


def test_devices_and_paths_outside_the_source(tmp_path: Path) -> None:
    top = repository(
        tmp_path,
        "bash /dev/stdin",
        ". /dev/zero",
        "source /dev/urandom",
        "bash ../../../../dev/zero",
        "bash zero.sh",
    )
    (top / "zero.sh").symlink_to("/dev/zero")
    lines = lint(top, "buildspec.yml")
    assert [line.split(":")[1] for line in lines] == ["8", "9"], lines
    assert "../../../../dev/zero is in an unknown directory" in lines[0]
    assert "zero.sh is a symlink out of the source root, which hubspec does not read" in lines[1]


def test_a_script_that_runs_itself_again(tmp_path: Path) -> None:
    top = repository(tmp_path, "bash a.sh")
    write(top, "a.sh", "bash b.sh\n")
    write(top, "b.sh", "docker pull redis:7\nsource ./a.sh\n")
    lines = lint(top, "buildspec.yml")
    assert len(lines) == 2, lines
    assert " HS101 redis:7 " in lines[0]
    assert "a.sh runs itself again (a.sh -> b.sh -> a.sh); not followed" in lines[1]


def test_scripts_nested_deeper_than_the_bound(tmp_path: Path) -> None:
    top = repository(tmp_path, "bash s0.sh")
    for index in range(12):
        write(top, f"s{index}.sh", f"bash s{index + 1}.sh\n")
    write(top, "s12.sh", "docker pull redis:7\n")
    (line,) = lint(top, "buildspec.yml")
    assert " HS103 " in line and "s8.sh is run 9 files deep; hubspec follows 8" in line, line


@pytest.mark.parametrize("count", [100])
def test_many_scripts_stay_within_the_file_budget(tmp_path: Path, count: int) -> None:
    top = repository(tmp_path, "bash all.sh")
    write(top, "all.sh", "".join(f"bash part{index}.sh\n" for index in range(count)))
    for index in range(count):
        write(top, f"part{index}.sh", "echo part\n")
    (line,) = lint(top, "buildspec.yml")
    assert " HS103 " in line and "over the file budget" in line, line


def test_script_names_no_file_can_have(tmp_path: Path) -> None:
    """A NUL or a lone surrogate (YAML escapes) in a script name: HS103, printed escaped."""
    top = repository(tmp_path, '"bash x\\0y.sh"', '". \\ud800.sh"', '"docker pull \\ud800"')
    lines = lint(top, "buildspec.yml")
    assert [line.split(": ")[1].split()[0] for line in lines] == ["HS103"] * 3, lines
    assert "the script x\\x00y.sh is not a valid file name" in lines[0]
    assert "the script \\ud800.sh is not a valid file name" in lines[1]
    assert "'\\ud800' is not an image reference" in lines[2]


def test_a_buildspec_in_a_subfolder_runs_scripts_from_the_top(tmp_path: Path) -> None:
    """CodeBuild runs every phase at the source root: `bash scripts/x.sh` is top/scripts/x.sh,
    whether hubspec is run from the top or from the buildspec's folder."""
    top = repository(tmp_path)
    (top / "buildspec.yml").unlink()
    (top / "ci").mkdir()
    (top / "ci" / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - bash scripts/build.sh\n"
    )
    write(top, "scripts/build.sh", "docker build -t app .\n")
    (top / "Dockerfile").write_text("FROM node:20\n")
    message = (
        "HS101 node:20 is pulled from Docker Hub without a Docker Hub login: FROM node:20 in"
        " Dockerfile, line 1, built by `docker build -t app .`"
    )
    assert lint(top, "ci/buildspec.yml") == [f"ci/buildspec.yml:5:9: {message}"]
    assert lint(top / "ci", "buildspec.yml") == [f"buildspec.yml:5:9: {message}"]


def test_sarif_links_a_pull_to_the_script_line_that_makes_it(tmp_path: Path) -> None:
    """Code scanning viewers show a result's related locations: the script's line, named
    relative to where hubspec runs, as the result's own file is."""
    top = repository(
        tmp_path,
        "bash scripts/build.sh",
        files={"scripts/build.sh": "set -e\ndocker pull node:20\n"},
    )
    (top / "ci").mkdir()
    for cwd, script in ((top, "scripts/build.sh"), (top / "ci", "../scripts/build.sh")):
        shown = "buildspec.yml" if cwd == top else "../buildspec.yml"
        sarif = json.loads(hubspec("lint", "--format", "sarif", shown, cwd=cwd).stdout)
        (result,) = sarif["runs"][0]["results"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == shown
        (related,) = result["relatedLocations"]
        assert related["physicalLocation"] == {
            "artifactLocation": {"uri": script},
            "region": {"startLine": 2},
        }
        assert related["message"]["text"] == "`docker pull` pulls node:20"


def test_a_script_the_build_downloads_is_named_as_downloaded(tmp_path: Path) -> None:
    """`curl -o` / `curl -O` / `wget` write the file the next command runs: its commands are
    not known, and the message says why (not "was not found", as if looked for wrongly)."""
    top = repository(
        tmp_path,
        "curl -fsSL -o get_helm.sh https://raw.githubusercontent.com/helm/helm/main/get-helm-3",
        "bash get_helm.sh",
        "cd tools && curl -LO https://example.com/dist/install.sh && sh install.sh",
        "/usr/bin/wget -P vendor https://example.com/setup.sh",
        "bash vendor/setup.sh",
    )
    lines = lint(top, "buildspec.yml")
    assert [line.split(": HS")[0] for line in lines] == [
        "buildspec.yml:6:9",
        "buildspec.yml:7:69",
        "buildspec.yml:9:9",
    ]
    assert "get_helm.sh is downloaded by `curl -fsSL -o get_helm.sh https://raw." in lines[0]
    assert "tools/install.sh is downloaded by `curl -LO https://example.com/dist" in lines[1]
    assert "vendor/setup.sh is downloaded by `/usr/bin/wget -P vendor https://" in lines[2]
    assert all("HS103" in line and "not taken from the repository" in line for line in lines)


def test_a_download_replaces_the_repositorys_copy_from_where_it_runs(tmp_path: Path) -> None:
    """The build's download, not the checkout's file, runs after it; before it, the
    checkout's file runs."""
    files = {"scripts/build.sh": "docker pull node:20\n"}
    fetch = "curl -o scripts/build.sh https://example.com/build.sh"
    after = lint(repository(tmp_path / "a", fetch, "bash scripts/build.sh", files=files))
    assert len(after) == 1 and "HS103" in after[0] and "is downloaded by" in after[0]
    before = lint(repository(tmp_path / "b", "bash scripts/build.sh", fetch, files=files))
    assert len(before) == 1 and "HS101 node:20" in before[0]


def test_a_file_the_build_writes_is_named_as_written(tmp_path: Path) -> None:
    """A redirection or `tee` makes the file the next command runs or builds from: its text
    is the build's, so the message names the command that writes it (not "was not found")."""
    top = repository(
        tmp_path,
        'echo "SKIP=true" >> build.env',
        "source build.env",
        "printf 'FROM node:20\\n' > ci/Dockerfile",
        "docker build -f ci/Dockerfile .",
        'echo "$B64" | base64 -d | tee -a gen.sh >/dev/null',
        "sh gen.sh",
        "curl -sL https://example.com/install.sh > install.sh 2>&1",
        "bash install.sh",
        "'{ echo a; echo b; } > grouped.sh'",
        "bash grouped.sh",
        "cd tools && envsubst < setup.tpl > ../setup.sh",
        "bash ../setup.sh",
        files={"ci/Dockerfile": "FROM python:3.12\n"},
    )
    lines = lint(top, "buildspec.yml")
    assert [line.split(": HS")[0] for line in lines] == [
        f"buildspec.yml:{line}:9" for line in (6, 8, 10, 12, 14, 16)
    ]
    assert all(" HS103 " in line and "not taken from the repository" in line for line in lines)
    assert 'script build.env is written by `echo "SKIP=true" >> build.env` during' in lines[0]
    assert (
        "Dockerfile ci/Dockerfile is written by `printf 'FROM node:20\\n' > ci/Dockerfile`"
        in (lines[1])
    )
    assert 'gen.sh is written by `echo "$B64" | base64 -d | tee -a gen.sh` during' in lines[2]
    assert (
        "install.sh is downloaded by `curl -sL https://example.com/install.sh > install"
        in (lines[3])
    )
    assert "grouped.sh is written by `echo a > grouped.sh` during" in lines[4]
    assert "setup.sh is written by `envsubst > ../setup.sh` during" in lines[5]


def test_a_written_file_replaces_the_checkouts_copy_from_where_it_is_written(
    tmp_path: Path,
) -> None:
    """Before the write the checkout's file is built; after it, the build's. Descriptors
    (`2>&1`), `/dev/null`, absolute paths and names not known statically write no file of
    the repository."""
    files = {"Dockerfile": "FROM node:20\n"}
    write_it = 'echo "FROM $BASE" > Dockerfile'
    before = lint(repository(tmp_path / "a", "docker build .", write_it, files=files))
    assert len(before) == 1 and "HS101 node:20" in before[0], before
    after = lint(repository(tmp_path / "b", write_it, "docker build .", files=files))
    assert len(after) == 1 and " HS103 " in after[0] and "is written by" in after[0], after
    harmless = (
        "make 2>&1 | tee /tmp/build.log",
        "echo x > /dev/null 2>&1 >&2",
        'echo x > "$OUTPUT"',
        "echo x 1>&2 3>&1",
        "cat < Dockerfile",
        "docker build .",
    )
    lines = lint(repository(tmp_path / "c", *harmless, files=files))
    assert len(lines) == 1 and "HS101 node:20" in lines[0], lines


def test_a_file_the_build_copies_is_read_from_where_it_comes_from(tmp_path: Path) -> None:
    """`cp docker/Dockerfile.prod Dockerfile` then `docker build .` builds the copy: its FROM
    lines are the source's (named where they are written, so a mirror fix edits that file);
    the copy is the source as it was then, whatever is written to the source later."""
    top = repository(
        tmp_path,
        "cp docker/Dockerfile.prod Dockerfile",
        "docker build .",
        "cp Dockerfile keep && echo 'FROM scratch' > Dockerfile && docker build -f keep .",
        "cp -t ci docker/Dockerfile.test docker/Dockerfile.prod",
        "docker build -f ci/Dockerfile.test .",
        "cp -r docker build && docker build -f build/Dockerfile.prod .",
        "cp docker/Dockerfile.test out && docker build -f out/Dockerfile.test .",
        "cp missing.sh run.sh && bash run.sh",
        "cp a b; cp b a; bash a",
        files={
            "Dockerfile": "FROM node:18\n",
            "docker/Dockerfile.prod": "FROM node:20\n",
            "docker/Dockerfile.test": "FROM node:22\n",
            "ci/.keep": "",
            "out/.keep": "",
        },
    )
    lines = lint(top, "buildspec.yml")
    assert [line.split(": ", 1)[0] for line in lines] == [
        "buildspec.yml:6:9",
        "buildspec.yml:7:67",
        "buildspec.yml:9:9",
        "buildspec.yml:10:31",
        "buildspec.yml:11:42",
        "buildspec.yml:12:33",
        "buildspec.yml:13:25",
    ]
    assert "HS101 node:20 " in lines[0] and "in docker/Dockerfile.prod, line 1" in lines[0]
    assert "HS101 node:20 " in lines[1]  # keep is the copy made before the echo
    assert "HS101 node:22 " in lines[2] and "in docker/Dockerfile.test, line 1" in lines[2]
    assert "HS101 node:20 " in lines[3]  # the folder copied whole
    assert "HS101 node:22 " in lines[4]  # into the folder out/, under its own name
    assert (
        "the script run.sh is copied by `cp missing.sh run.sh` from missing.sh, which was"
        " not found" in lines[5]
    )
    assert "HS103 " in lines[6] and "the script a is copied by `cp b a` from a" in lines[6]


def test_a_file_the_build_moves_away_is_no_longer_there(tmp_path: Path) -> None:
    """`mv Dockerfile.prod Dockerfile`: Dockerfile is the moved file; Dockerfile.prod (or a
    file in a folder moved away) is gone from there, until the build puts one back."""
    top = repository(
        tmp_path,
        "mv docker/Dockerfile.prod Dockerfile",
        "docker build .",
        "docker build -f docker/Dockerfile.prod .",
        "mv docker old && docker build -f docker/Dockerfile.test .",
        "cp old/Dockerfile.test docker/Dockerfile.test && docker build -f docker/Dockerfile.test .",
        "cp docker/Dockerfile.prod x && docker build -f x .",
        files={
            "Dockerfile": "FROM node:18\n",
            "docker/Dockerfile.prod": "FROM node:20\n",
            "docker/Dockerfile.test": "FROM node:22\n",
        },
    )
    lines = lint(top, "buildspec.yml")
    assert len(lines) == 5, lines
    assert lines[0].startswith("buildspec.yml:6:9: HS101 node:20 ")
    assert "in docker/Dockerfile.prod, line 1" in lines[0]
    assert lines[1].startswith("buildspec.yml:7:9: HS103 ") and (
        "the Dockerfile docker/Dockerfile.prod was moved away by"
        " `mv docker/Dockerfile.prod Dockerfile` earlier in the build" in lines[1]
    )
    assert lines[2].startswith("buildspec.yml:8:26: HS103 ") and (
        "was moved away by `mv docker old`" in lines[2]
    )
    assert lines[3].startswith("buildspec.yml:9:58: HS101 node:22 ")  # put back by the cp
    assert lines[4].startswith("buildspec.yml:10:40: HS103 ") and (
        "is copied by `cp docker/Dockerfile.prod x` from docker/Dockerfile.prod, which was"
        " moved away by `mv docker/Dockerfile.prod Dockerfile`" in lines[4]
    )


@pytest.mark.parametrize(
    ("words", "copied"),
    [
        (["cp", "a", "b"], [("a", "b", True)]),
        (["cp", "-fv", "a", "b"], [("a", "b", True)]),
        (["/bin/cp", "-T", "a", "b"], [("a", "b", False)]),
        (["cp", "a", "b", "dir"], [("a", "dir/a", False), ("b", "dir/b", False)]),
        (["cp", "-t", "dir", "x/a"], [("x/a", "dir/a", False)]),
        (["cp", "--target-directory=dir", "a"], [("a", "dir/a", False)]),
        (["mv", "--backup=numbered", "a", "b"], [("a", "b", True)]),
        (["cp", "-r", "src", "dst"], [("src", "dst", True)]),
        (["cp", "--parents", "a/b", "dir"], []),
        (["cp", "-s", "a", "b"], []),
        (["cp", "--whatever", "a", "b"], []),
        (["cp", None, "b"], []),
        (["cp", "a"], []),
        (["scp", "a", "b"], []),
    ],
)
def test_the_files_cp_and_mv_put_in_place(
    words: list[str | None], copied: list[tuple[str, str, bool]]
) -> None:
    assert copied_files(words) == copied


@pytest.mark.parametrize(
    ("words", "written"),
    [
        (["curl", "-fsSL", "-o", "get.sh", "https://h/x"], ["get.sh"]),
        (["curl", "-fsSLo", "get.sh", "https://h/x"], ["get.sh"]),
        (["curl", "-oget.sh", "https://h/x"], ["get.sh"]),
        (["curl", "--output=get.sh", "https://h/x"], ["get.sh"]),
        (["curl", "-LO", "https://h/dist/Miniconda3.sh"], ["Miniconda3.sh"]),
        (["curl", "-H", "Referer: https://a/b", "-O", "https://h/c.sh?v=1"], ["c.sh"]),
        (["curl", "--output-dir", "tools", "-LO", "https://h/t.sh"], ["tools/t.sh"]),
        (["curl", "-sL", "https://h/x"], []),  # to stdout
        (["curl", "-o", "-", "https://h/x"], []),
        (["curl", "-o", None, "https://h/x"], []),  # a name not known
        (["wget", "https://h/d/setup.sh"], ["setup.sh"]),
        (["wget", "-P", "tools", "https://h/t.sh"], ["tools/t.sh"]),
        (["wget", "-q", "-O", "x.sh", "https://h/k"], ["x.sh"]),
        (["wget", "--output-document=x.sh", "https://h/k"], ["x.sh"]),
        (["wget", "-qO-", "https://h/k"], []),
        (["wget", "-o", "log.txt", "https://h/k.sh"], ["k.sh"]),  # -o is wget's log file
        (["git", "clone", "https://h/r.git"], []),
    ],
)
def test_the_files_curl_and_wget_write(words: list[str | None], written: list[str]) -> None:
    assert downloads(words) == written


_FROM_ITS_FOLDER = (
    "#!/usr/bin/env bash\n"
    "set -euo pipefail\n"
    'cd "$(dirname "$0")/.."\n'
    "source scripts/env.sh\n"
    'docker build -f docker/Dockerfile -t "$IMAGE" .\n'
)


@pytest.mark.parametrize("command", ["./scripts/build.sh", "bash scripts/build.sh"])
def test_a_script_that_moves_to_its_own_folder(tmp_path: Path, command: str) -> None:
    """`cd "$(dirname "$0")/.."`: `$0` is the script as it was run, so the folder is known
    and the Dockerfile it builds is read (before, the directory was unknown and the pull in
    docker/Dockerfile was missed)."""
    top = repository(tmp_path, f"cd docs && cd .. && {command}")
    (write(top, "scripts/build.sh", _FROM_ITS_FOLDER)).chmod(0o755)
    write(top, "scripts/env.sh", "IMAGE=app:latest\n")
    write(top, "docker/Dockerfile", "FROM python:3.12-slim\n")
    (top / "docs").mkdir()
    assert lint(top, "buildspec.yml") == [
        "buildspec.yml:5:29: HS101 python:3.12-slim is pulled from Docker Hub without a Docker"
        " Hub login: FROM python:3.12-slim in docker/Dockerfile, line 1, built by"
        ' `docker build -f docker/Dockerfile -t "$IMAGE" .`'
    ]


@pytest.mark.parametrize(
    "script",
    [
        'cd "$(git rev-parse --show-toplevel)"\ndocker build -f docker/Dockerfile .\n',
        'ROOT=$(git rev-parse --show-toplevel)\ncd /tmp\ndocker build -f "$ROOT/docker/Dockerfile" "$ROOT"\n',
    ],
)
def test_a_script_that_moves_to_the_top_of_the_work_tree(tmp_path: Path, script: str) -> None:
    """`git rev-parse --show-toplevel` prints the checkout's top (the source root): the
    Dockerfile named from there is read (before, the directory was unknown: HS103)."""
    top = repository(tmp_path, "cd ci && bash build.sh")
    write(top, "ci/build.sh", script)
    write(top, "docker/Dockerfile", "FROM python:3.12-slim\n")
    (line,) = lint(top, "buildspec.yml")
    assert " HS101 python:3.12-slim " in line and "in docker/Dockerfile, line 1" in line, line


@pytest.mark.parametrize("move", ["cd /tmp", "cd $SOMEWHERE"])
def test_a_path_under_codebuild_src_dir_is_found_from_anywhere(tmp_path: Path, move: str) -> None:
    """`$CODEBUILD_SRC_DIR/...` names a file of the checkout wherever the build has moved to
    (was: HS103 "outside the source or in an unknown directory" after a `cd` out of it)."""
    top = repository(
        tmp_path,
        f"{move} && docker build -f $CODEBUILD_SRC_DIR/docker/Dockerfile $CODEBUILD_SRC_DIR",
    )
    write(top, "docker/Dockerfile", "FROM python:3.12-slim\n")
    (line,) = lint(top, "buildspec.yml")
    assert " HS101 python:3.12-slim " in line and "in docker/Dockerfile, line 1" in line, line


def test_a_sourced_library_finds_its_folder_from_bash_source(tmp_path: Path) -> None:
    """`${BASH_SOURCE[0]}` names the sourced file; back in the caller it names the caller."""
    top = repository(tmp_path, "source ci/lib/main.sh", 'cd "$(dirname "${BASH_SOURCE[0]}")"')
    write(
        top,
        "ci/lib/main.sh",
        'LIB="$( cd "$( dirname "${BASH_SOURCE[0]}" )" >/dev/null 2>&1 && pwd )"\n'
        'source "$LIB/images.sh"\n',
    )
    write(top, "ci/lib/images.sh", "docker pull redis:7\n")
    lines = lint(top, "buildspec.yml")
    assert lines[0] == (
        "buildspec.yml:5:9: HS101 redis:7 is pulled from Docker Hub without a Docker Hub login:"
        " `docker pull redis:7` in ci/lib/images.sh, line 1"
    )
    assert len(lines) == 1, lines  # the second command: cd "." at most, nothing to report


def test_dollar_zero_of_a_sourced_script_is_the_callers(tmp_path: Path) -> None:
    """A sourced file's `$0` is its caller's, which the buildspec's shell does not say."""
    top = repository(tmp_path, "source ci/env.sh")
    write(top, "ci/env.sh", 'cd "$(dirname "$0")"\nbash images.sh\n')
    write(top, "ci/images.sh", "docker pull redis:7\n")
    (line,) = lint(top, "buildspec.yml")
    assert "HS103" in line and "images.sh is in an unknown directory" in line, line


def test_popd_goes_back_where_pushd_left(tmp_path: Path) -> None:
    """The Dockerfile built after `pushd frontend ... popd` is the top's (was: an unknown
    directory, HS103)."""
    top = repository(tmp_path, "bash ci/build.sh")
    write(top, "ci/build.sh", "pushd frontend\nnpm ci\npopd\ndocker build -t app .\n")
    write(top, "Dockerfile", "FROM node:20\n")
    (top / "frontend").mkdir()
    (line,) = lint(top, "buildspec.yml")
    assert " HS101 node:20 is pulled" in line and "FROM node:20 in Dockerfile, line 1" in line


def test_a_scripts_own_shell_has_no_pushd_stack(tmp_path: Path) -> None:
    """`popd` in a script bash runs cannot go back to where the buildspec's `pushd` left:
    that shell's stack is not the script's (bash says the stack is empty)."""
    top = repository(tmp_path, "pushd app && bash ../ci/build.sh")
    write(top, "ci/build.sh", "popd\ndocker build -t app .\n")
    write(top, "Dockerfile", "FROM node:20\n")
    (top / "app").mkdir()
    (line,) = lint(top, "buildspec.yml")
    assert " HS103 " in line and "unknown directory" in line, line
