"""Tests for hubspec.shell.walk: commands, words, offsets, state and robustness."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubspec import records
from hubspec.shell import syntax
from hubspec.shell import walk as shell
from hubspec.shell.quick import quick_analysis
from hubspec.shell.walk import ShellResult, ShellState, SimpleCommand, Word, analyse


def run(script: str, state: ShellState | None = None, **kwargs: int) -> ShellResult:
    return analyse(script, state if state is not None else ShellState(), **kwargs)


def argv(cmd: SimpleCommand) -> list[str | None]:
    return [w.value for w in cmd.words]


def all_argv(result: ShellResult) -> list[list[str | None]]:
    return [argv(c) for c in result.commands]


def only(result: ShellResult) -> SimpleCommand:
    assert len(result.commands) == 1, all_argv(result)
    return result.commands[0]


def assert_offsets(script: str, result: ShellResult) -> None:
    """Top-level words and commands point at their own source text."""
    for cmd in result.commands:
        assert 0 <= cmd.start <= cmd.end <= len(script)
        if cmd.nesting == 0:
            for w in cmd.words:
                assert script[w.start : w.end] == w.raw
                assert cmd.start <= w.start <= w.end <= cmd.end


# --------------------------------------------------------------------------- interface


class TestInterface:
    def test_results_are_frozen_records(self) -> None:
        result = run("echo hi")
        cmd = only(result)
        for obj in (result, cmd, cmd.words[0]):
            name = records.fields(obj)[0]
            with pytest.raises(records.FrozenInstanceError):
                setattr(obj, name, None)

    def test_words_equal_and_hash_like_constructed_ones(self) -> None:
        word = only(run("echo hi")).words[1]
        assert word == Word("hi", "hi", 5, 7, ())
        assert hash(word) == hash(Word("hi", "hi", 5, 7, ()))

    def test_state_copy_is_independent(self) -> None:
        state = ShellState({"A": "1"}, {"B"}, "src")
        clone = state.copy()
        clone.variables["A"] = "2"
        clone.unknown.add("C")
        clone.cwd = "?"
        assert state == ShellState({"A": "1"}, {"B"}, "src")

    @pytest.mark.parametrize("walk", [True, False])
    @pytest.mark.parametrize("script", ["A=2; export C=3; unset B; cd x", "A=2 && cd x"])
    def test_incoming_state_is_not_mutated(self, walk: bool, script: str) -> None:
        state = ShellState({"A": "1"}, {"B"})
        result = (_walked if walk else run)(script, state)
        assert state == ShellState({"A": "1"}, {"B"}, ".")
        assert result.state.variables["A"] == "2"
        assert result.state.cwd == "x"

    @pytest.mark.parametrize("walk", [True, False])
    @pytest.mark.parametrize("script", ["make", "echo $A | tr a b", "if true; then make; fi"])
    def test_a_script_that_changes_nothing_gives_back_the_same_state(
        self, walk: bool, script: str
    ) -> None:
        state = ShellState({"A": "1"}, {"B"})
        assert (_walked if walk else run)(script, state).state is state
        assert (_walked if walk else run)(script + "; A=1", state).state is not state

    def test_parser_is_built_once(self) -> None:
        assert syntax._parser() is syntax._parser()

    def test_empty_and_blank_scripts(self) -> None:
        for script in ("", "   ", "\n\n", "# just a comment", ";"):
            result = run(script)
            assert result.commands == ()
        assert run("").errors == ()


# --------------------------------------------------------------------------- words


class TestQuoteRemoval:
    @pytest.mark.parametrize(
        ("script", "expected"),
        [
            ("echo 'a b'", "a b"),
            ("echo 'a\\nb'", "a\\nb"),
            ('echo "a b"', "a b"),
            ('echo "q\\"q"', 'q"q'),
            ('echo "b\\\\s"', "b\\s"),
            ('echo "d\\$X"', "d$X"),
            ('echo "t\\`x\\`"', "t`x`"),
            ('echo "keep\\n"', "keep\\n"),
            ("echo $'a\\tb'", "a\tb"),
            ("echo $'l1\\nl2'", "l1\nl2"),
            ("echo $'it\\'s'", "it's"),
            ("echo $'\\x41\\101\\u00e9'", "AAé"),
            ("echo a\\ b", "a b"),
            ("echo \\$HOME", "$HOME"),
            ("echo \\\\", "\\"),
            ("echo foo\"bar\"'baz'", "foobarbaz"),
            ("echo a#b", "a#b"),
            ('echo "#x"', "#x"),
            ('echo ""', ""),
            ("echo ''", ""),
            ('echo $"hello"', "hello"),
        ],
    )
    def test_value(self, script: str, expected: str) -> None:
        result = run(script)
        cmd = only(result)
        assert len(cmd.words) == 2
        assert cmd.words[1].value == expected
        assert_offsets(script, result)

    def test_concatenation_with_variable(self) -> None:
        script = "echo pre\"mid $X\"'post'$X"
        cmd = only(run(script, ShellState({"X": "v"})))
        word = cmd.words[1]
        assert word.value == "premid vpostv"
        assert word.raw == "pre\"mid $X\"'post'$X"
        assert word.variables == ("X",)
        assert (word.start, word.end) == (5, len(script))

    def test_line_continuation_joins_words(self) -> None:
        script = "docker build \\\n  -t img \\\n  .\necho do\\\nne"
        result = run(script)
        assert all_argv(result) == [["docker", "build", "-t", "img", "."], ["echo", "done"]]
        done = result.commands[1].words[1]
        assert done.raw == "do\\\nne"
        assert_offsets(script, result)

    def test_line_continuation_inside_double_quotes(self) -> None:
        cmd = only(run('echo "a\\\nb"'))
        assert cmd.words[1].value == "ab"

    def test_escaped_blank_starts_a_word(self) -> None:
        script = "echo a \\ b"
        cmd = only(run(script))
        assert argv(cmd) == ["echo", "a", " b"]
        assert cmd.words[2].raw == "\\ b"
        assert (cmd.words[2].start, cmd.words[2].end) == (7, 10)

    def test_comments_are_not_commands_or_words(self) -> None:
        script = "echo a # trailing comment\n# whole line\necho b#c"
        result = run(script)
        assert all_argv(result) == [["echo", "a"], ["echo", "b#c"]]

    def test_globs_braces_and_tilde_stay_literal(self) -> None:
        cmd = only(run("ls *.txt src/**/x {a,b} ~ ~/.docker/config.json [ab]"))
        assert argv(cmd) == [
            "ls",
            "*.txt",
            "src/**/x",
            "{a,b}",
            "~",
            "~/.docker/config.json",
            "[ab]",
        ]

    def test_non_ascii_offsets_are_characters(self) -> None:
        script = 'echo "héllo" wörld 😀 && docker pull ümlaut'
        result = run(script)
        assert all_argv(result) == [["echo", "héllo", "wörld", "😀"], ["docker", "pull", "ümlaut"]]
        assert_offsets(script, result)
        assert result.commands[1].start == script.index("docker")
        assert result.commands[1].end == len(script)

    def test_command_span_covers_redirections(self) -> None:
        script = "docker build . > build.log 2>&1; echo x"
        result = run(script)
        first = result.commands[0]
        assert script[first.start : first.end] == "docker build . > build.log 2>&1"
        assert argv(first) == ["docker", "build", "."]

    def test_words_after_a_redirection_belong_to_the_command(self) -> None:
        result = run("cmd >out 2>&1 arg; >f cmd2 a")
        assert all_argv(result) == [["cmd", "arg"], ["cmd2", "a"]]

    def test_prefix_assignments_are_not_words(self) -> None:
        script = "FOO=1 BAR='x y' docker build ."
        cmd = only(run(script))
        assert argv(cmd) == ["docker", "build", "."]
        assert cmd.assignments == (("FOO", "1"), ("BAR", "x y"))
        assert cmd.start == 0
        assert cmd.words[0].start == script.index("docker")


class TestExpansion:
    def test_simple_and_braced(self) -> None:
        state = ShellState({"REPO": "repo", "TAG": "v1"})
        script = "docker build -t $REPO:${TAG} -f docker/Dockerfile ."
        result = run(script, state)
        cmd = only(result)
        assert argv(cmd) == ["docker", "build", "-t", "repo:v1", "-f", "docker/Dockerfile", "."]
        image = cmd.words[3]
        assert image.raw == "$REPO:${TAG}"
        assert image.variables == ("REPO", "TAG")
        assert (image.start, image.end) == (16, 28)
        assert_offsets(script, result)

    def test_unknown_and_unset_variables_are_none(self) -> None:
        cmd = only(run('echo $A "${B}" x$A', ShellState({}, {"B"})))
        assert argv(cmd) == ["echo", None, None, None]
        assert [w.variables for w in cmd.words] == [(), ("A",), ("B",), ("A",)]

    def test_variables_recorded_once_in_order(self) -> None:
        cmd = only(run('echo "$B$A$B"'))
        assert cmd.words[1].variables == ("B", "A")

    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            # X="x", E="" known; U unknown; N not known at all
            ("${X:-d}", "x"),
            ("${E:-d}", "d"),
            ("${U:-d}", None),
            ("${N:-d}", "d"),
            ("${X-d}", "x"),
            ("${E-d}", ""),
            ("${U-d}", None),
            ("${N-d}", "d"),
            ("${X:+a}", "a"),
            ("${E:+a}", ""),
            ("${U:+a}", None),
            ("${N:+a}", ""),
            ("${X+a}", "a"),
            ("${E+a}", "a"),
            ("${N+a}", ""),
            ("${X:?msg}", "x"),
            ("${N:?msg}", None),
            ("${#X}", "1"),
            ("${#N}", None),
            ("${N:-}", ""),
            ('${N:-"a b"}', "a b"),
            ("${N:-a b}", "a b"),
            ("${N:-$X}", "x"),
            ("${N:-$U}", None),
            ("${X/x/y}", None),
            ("${X#x}", None),
            ("${X:0:1}", None),
            ("${!X}", None),
            ("$1", None),
            ("$@", None),
            ("${arr[0]}", None),
        ],
    )
    def test_parameter_forms(self, expr: str, expected: str | None) -> None:
        state = ShellState({"X": "x", "E": ""}, {"U"})
        cmd = only(run(f"echo {expr}", state))
        assert cmd.words[1].value == expected
        assert cmd.words[1].raw == expr

    def test_default_records_both_names(self) -> None:
        cmd = only(run("echo ${A:-$B}"))
        assert cmd.words[1].variables == ("A", "B")

    def test_assign_default_sets_the_variable(self) -> None:
        result = run("echo ${R:=eu-west-1}; echo $R ${K:=x}", ShellState({"K": "k"}))
        assert all_argv(result) == [["echo", "eu-west-1"], ["echo", "eu-west-1", "k"]]
        assert result.state.variables == {"R": "eu-west-1", "K": "k"}

    def test_command_substitution_and_arithmetic_are_none(self) -> None:
        result = run("echo $(date) `whoami` $((1 + 2)) x$(id -u)y")
        assert argv(result.commands[-1]) == ["echo", None, None, None, None]

    def test_arithmetic_records_variables(self) -> None:
        cmd = only(run("echo $(( X + $Y ))"))
        assert cmd.words[1].value is None
        assert set(cmd.words[1].variables) == {"X", "Y"}

    def test_prefix_assignments_are_not_visible_in_own_words(self) -> None:
        cmd = only(run("X=new echo $X", ShellState({"X": "old"})))
        assert argv(cmd) == ["echo", "old"]
        assert cmd.assignments == (("X", "new"),)

    def test_prefix_assignments_see_earlier_prefix_assignments(self) -> None:
        cmd = only(run("A=1 B=$A env"))
        assert cmd.assignments == (("A", "1"), ("B", "1"))

    def test_prefix_assignment_values(self) -> None:
        result = run('A=$UNSET B="$K/x" C= D=$(pwd) E=$(id -u) cmd', ShellState({"K": "k"}))
        pwd, user, cmd = result.commands
        assert (argv(pwd), argv(user), argv(cmd)) == (["pwd"], ["id", "-u"], ["cmd"])
        assert cmd.assignments == (
            ("A", None),
            ("B", "k/x"),
            ("C", ""),
            ("D", "/codebuild/output/src"),  # the build starts in $CODEBUILD_SRC_DIR
            ("E", None),
        )


# --------------------------------------------------------------------------- ordering


class TestOrderAndPipes:
    def test_command_substitution_runs_first(self) -> None:
        script = "$(aws ecr get-login --no-include-email --region $AWS_DEFAULT_REGION)"
        state = ShellState({"AWS_DEFAULT_REGION": "eu-west-1"})
        result = run(script, state)
        inner, outer = result.commands
        assert argv(inner) == [
            "aws",
            "ecr",
            "get-login",
            "--no-include-email",
            "--region",
            "eu-west-1",
        ]
        assert (inner.start, inner.end) == (2, len(script) - 1)
        assert inner.words[5].variables == ("AWS_DEFAULT_REGION",)
        assert argv(outer) == [None]
        assert (outer.start, outer.end) == (0, len(script))
        assert outer.words[0].raw == script
        assert_offsets(script, result)

    def test_substitutions_in_source_order_before_their_command(self) -> None:
        result = run('docker tag "$(a)" "$(b)"; echo "$(c $(d))"')
        assert [argv(c)[0] for c in result.commands] == ["a", "b", "docker", "d", "c", "echo"]

    def test_docker_login_password_stdin(self) -> None:
        script = 'echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin'
        state = ShellState({"DOCKER_USER": "bot"}, {"DOCKER_TOKEN"})
        result = run(script, state)
        echo, login = result.commands
        assert argv(echo) == ["echo", None]
        assert echo.words[1].variables == ("DOCKER_TOKEN",)
        assert echo.pipe_input is None
        assert argv(login) == ["docker", "login", "--username", "bot", "--password-stdin"]
        assert login.pipe_input is echo
        assert not login.conditional
        assert (login.start, login.end) == (script.index("docker"), len(script))
        assert_offsets(script, result)

    def test_pipeline_left_to_right(self) -> None:
        result = run("a | b |& c")
        a, b, c = result.commands
        assert (a.pipe_input, b.pipe_input, c.pipe_input) == (None, a, b)

    def test_pipe_input_into_compound_stage(self) -> None:
        result = run("cat f | { read x; docker login --password-stdin; } | tee log")
        cat, read, login, tee = result.commands
        assert read.pipe_input is cat
        assert login.pipe_input is None
        assert tee.pipe_input is login

    def test_pipe_input_of_substitution_is_not_the_pipe(self) -> None:
        result = run('producer | docker login -p "$(cat secret)"')
        producer, cat, login = result.commands
        assert argv(cat) == ["cat", "secret"]
        assert cat.pipe_input is None
        assert login.pipe_input is producer

    def test_lists_are_not_pipes(self) -> None:
        result = run("a && b; c || d")
        assert all(c.pipe_input is None for c in result.commands)

    def test_heredoc_piped_into_a_command(self) -> None:
        script = "cat <<EOF | docker login --password-stdin\n$TOKEN\nEOF\necho done"
        result = run(script)
        cat, login, echo = result.commands
        assert argv(cat) == ["cat"]
        assert argv(login) == ["docker", "login", "--password-stdin"]
        assert login.pipe_input is cat
        assert argv(echo) == ["echo", "done"]
        assert script[cat.start : cat.end] == "cat <<EOF"

    def test_herestring_is_not_a_word(self) -> None:
        cmd = only(run('docker login -u x --password-stdin <<< "$T"'))
        assert argv(cmd) == ["docker", "login", "-u", "x", "--password-stdin"]


# --------------------------------------------------------------------------- conditional


class TestFilesWritten:
    """`SimpleCommand.writes`: the files a command's redirections write, in both readers."""

    @pytest.mark.parametrize(
        ("script", "writes"),
        [
            ("echo a > f", [[(">", "f")]]),
            ('echo a >> "$A.env" 2>&1', [[(">>", "1.env")]]),
            ("cmd 2> err.log >&2", [[("2>", "err.log")]]),
            ("cmd &> out; cmd &>> out2", [[("&>", "out")], [("&>>", "out2")]]),
            ("cmd >| f", [[(">|", "f")]]),
            ("cmd >&out.log", [[(">&", "out.log")]]),
            ("cmd > $U", [[(">", None)]]),
            ("cmd >&2; cmd 3>&1; cmd < in; cmd >&-", [[], [], [], []]),
            ("cat > f <<EOF\nx\nEOF\n", [[(">", "f")]]),
            ("a | tee x > y", [[], [(">", "y")]]),
            ("a && b > y", [[], [(">", "y")]]),
            ("{ a; b; } > f", [[(">", "f")], []]),
            ("while read l; do echo $l; done < in > out", [[(">", "out")], []]),
        ],
    )
    def test_redirections_that_write_files(
        self, script: str, writes: list[list[tuple[str, str | None]]]
    ) -> None:
        walked = _walked(script, QUICK_STATE)
        assert [list(command.writes) for command in walked.commands] == writes
        quick = quick_analysis(script, QUICK_STATE)
        if quick is not None:
            assert quick == walked


class TestConditional:
    def test_if_block_scalar(self) -> None:
        script = (
            'if [ -n "$DOCKERHUB_USER" ]; then\n'
            '  echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USER" --password-stdin\n'
            "  docker pull x\n"
            "fi\n"
            "docker build .\n"
        )
        result = run(script)
        test, echo, login, pull, build = result.commands
        assert argv(test) == ["[", "-n", None, "]"]
        assert not test.conditional
        assert echo.conditional and login.conditional and pull.conditional
        assert login.pipe_input is echo
        assert argv(pull) == ["docker", "pull", "x"]
        assert not build.conditional
        assert result.errors == ()
        assert_offsets(script, result)

    def test_if_elif_else(self) -> None:
        result = run("if a; then b; elif c; then d; else e; fi")
        flags = {argv(c)[0]: c.conditional for c in result.commands}
        assert flags == {"a": False, "b": True, "c": True, "d": True, "e": True}

    def test_loops(self) -> None:
        result = run(
            "while w; do x; done; until u; do y; done; for i in $(ls); do z; done;"
            " for ((i=0; i<3; i++)); do q; done"
        )
        flags = {argv(c)[0]: c.conditional for c in result.commands}
        assert flags == {
            "w": False,
            "x": True,
            "u": False,
            "y": True,
            "ls": False,
            "z": True,
            "q": True,
        }

    def test_case(self) -> None:
        result = run("case $(uname) in Linux) docker pull a;; *) echo other;; esac")
        assert [(argv(c)[0], c.conditional) for c in result.commands] == [
            ("uname", False),
            ("docker", True),
            ("echo", True),
        ]

    def test_and_or_lists(self) -> None:
        result = run("a && b || c; ! d && e; f")
        flags = [(argv(c)[0], c.conditional) for c in result.commands]
        assert flags == [
            ("a", False),
            ("b", True),
            ("c", True),
            ("d", False),
            ("e", True),
            ("f", False),
        ]

    def test_function_body_runs_where_called(self) -> None:
        result = run("login() { docker login -u u; }\nfunction build { docker build .; }\nlogin")
        assert [(argv(c), c.conditional) for c in result.commands] == [
            (["login"], False),
            (["docker", "login", "-u", "u"], False),
        ]

    def test_conditional_is_inherited_by_substitutions(self) -> None:
        result = run("true && echo $(date)")
        assert [(argv(c)[0], c.conditional) for c in result.commands] == [
            ("true", False),
            ("date", True),
            ("echo", True),
        ]

    def test_subshell_and_group_keep_flag(self) -> None:
        result = run("(a; b) && { c; }")
        assert [c.conditional for c in result.commands] == [False, False, True]


# --------------------------------------------------------------------------- state


class TestPrintedOutput:
    """`$(pwd)`, `$(dirname ...)` and the like print what their words and the directory say
    (the script-directory idioms); any other substitution's output stays unknown."""

    SCRIPT = ShellState({"0": "./scripts/build.sh", "BASH_SOURCE": "scripts/lib.sh"}, set(), ".")

    @pytest.mark.parametrize(
        ("script", "value"),
        [
            ('D=$(dirname "$0")', "./scripts"),
            ('D="$(dirname "${BASH_SOURCE[0]}")"', "scripts"),
            ('D=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)', "/codebuild/output/src/scripts"),
            (
                'D="$( cd "$( dirname "${BASH_SOURCE[0]}" )" >/dev/null 2>&1 && pwd )"',
                "/codebuild/output/src/scripts",
            ),
            ("D=$(cd scripts; cd ..; pwd)", "/codebuild/output/src"),
            ('D=$(dirname "$(realpath "$0")")', "/codebuild/output/src/scripts"),
            ('D=$(dirname "`realpath $0`")', "/codebuild/output/src/scripts"),
            ('D=$(readlink -f "$0")', "/codebuild/output/src/scripts/build.sh"),
            ('D=$(basename "$0")', "build.sh"),
            ("D=$(dirname a/b/)", "a"),
            ("D=$(dirname a)", "."),
            ("D=$(dirname /a)", "/"),
            ("D=$(basename /)", "/"),
            ("D=`pwd`", "/codebuild/output/src"),
            ("cd /tmp; D=$(pwd)", "/tmp"),
            ("D=$(realpath /a/../b)", "/b"),
            ("D=${BASH_SOURCE[0]}", "scripts/lib.sh"),
            # the checkout's top: hubspec's source root is the buildspec's git work tree's
            ("D=$(git rev-parse --show-toplevel)", "/codebuild/output/src"),
            ("cd scripts && D=$(git rev-parse --show-toplevel)", "/codebuild/output/src"),
        ],
    )
    def test_known_output(self, script: str, value: str) -> None:
        assert run(script, self.SCRIPT).state.variables["D"] == value

    @pytest.mark.parametrize(
        "script",
        [
            "D=$(cd scripts || pwd)",  # pwd runs only if cd fails
            "D=$(pwd >/dev/null)",  # its output goes elsewhere
            "D=$(pwd | tr a b)",
            "D=$(echo x; pwd)",  # echo prints too
            "D=$(pushd a; pwd)",  # so does pushd: the directory stack
            'D=$(basename "$0" .sh)',  # a suffix: not read
            "D=$(dirname -z x)",
            "D=$(dirname $UNSET)",
            "cd $UNSET; D=$(pwd)",
            "pwd() { echo x; }; D=$(pwd)",  # a function named like the command
            "cd /tmp; D=$(git rev-parse --show-toplevel)",  # outside the checkout
            "D=$(git rev-parse --short HEAD)",
            "D=${BASH_SOURCE[1]}",
            "D=<(pwd)",
        ],
    )
    def test_unknown_output(self, script: str) -> None:
        assert "D" not in run(script, self.SCRIPT).state.variables

    def test_a_directory_under_the_source_dir_is_kept_relative(self) -> None:
        """`cd "$CODEBUILD_SRC_DIR/app"` and `cd "$(pwd)/app"` lead where `cd app` does."""
        state = ShellState({"CODEBUILD_SRC_DIR": "/codebuild/output/src"})
        for script in ('cd "$CODEBUILD_SRC_DIR/app"', 'cd "$(pwd)/app"', "cd app"):
            assert run(script, state).state.cwd == "app", script
        assert run("cd /codebuild/output/src", state).state.cwd == "."

    @pytest.mark.parametrize(
        "script",
        ["D=$(pwd)", "echo `pwd`", 'D="$(dirname $X)"', "D=$(git rev-parse --show-toplevel)"],
    )
    def test_the_quick_reader_leaves_a_known_output_to_the_walk(self, script: str) -> None:
        state = ShellState({"X": "a/b"})
        assert quick_analysis(script, state) is None
        assert quick_analysis("D=$(date)", state) is not None

    def test_the_quick_reader_keeps_other_git_substitutions(self) -> None:
        assert quick_analysis("D=$(git rev-parse --short HEAD)", ShellState({})) is not None


class TestState:
    def test_assignments_and_export(self) -> None:
        result = run(
            "A=1; export B=2 C; export D=$A-x; E=$(date); F=$UNSET; G=",
            ShellState({"C": "c"}),
        )
        assert result.state.variables == {"A": "1", "B": "2", "C": "c", "D": "1-x", "G": ""}
        assert result.state.unknown == {"E", "F"}
        assert all_argv(result) == [["export", "B=2", "C"], ["export", "D=1-x"], ["date"]]

    def test_export_words_have_no_variables_for_bare_names(self) -> None:
        cmd = only(run("export A"))
        assert cmd.words[1].variables == ()

    def test_export_words_record_referenced_variables(self) -> None:
        script = 'export PATH="$PATH:$HOME/bin" TOKEN=$SECRET'
        result = run(script, ShellState({"PATH": "/bin", "HOME": "/root"}, {"SECRET"}))
        cmd = only(result)
        assert argv(cmd) == ["export", "PATH=/bin:/root/bin", None]
        assert [w.variables for w in cmd.words] == [(), ("PATH", "HOME"), ("SECRET",)]
        assert [w.raw for w in cmd.words] == ["export", 'PATH="$PATH:$HOME/bin"', "TOKEN=$SECRET"]
        assert_offsets(script, result)
        assert result.state.unknown == {"SECRET", "TOKEN"}

    def test_declarations(self) -> None:
        result = run(
            "declare -x A=1; typeset B=2; readonly C=3; local D=4; declare -a E=(a b); "
            "declare -f F; readonly G"
        )
        assert result.state.variables == {"A": "1", "B": "2", "C": "3", "D": "4"}
        assert result.state.unknown == {"E"}

    def test_append_assignment(self) -> None:
        result = run("P=a; P+=b; Q+=c; U+=x", ShellState({}, {"U"}))
        assert result.state.variables == {"P": "ab", "Q": "c"}
        assert result.state.unknown == {"U"}

    def test_unset(self) -> None:
        result = run("unset A B; unset -f C", ShellState({"A": "1", "C": "3"}, {"B"}))
        assert result.state == ShellState({"C": "3"}, set(), ".")

    def test_value_becomes_unknown_then_known_again(self) -> None:
        result = run("X=$(cat f); X=plain", ShellState())
        assert result.state.variables == {"X": "plain"}
        assert result.state.unknown == set()

    def test_state_is_used_by_later_commands(self) -> None:
        result = run(
            'REPO=my/repo\nTAG="${CODEBUILD_RESOLVED_SOURCE_VERSION:-latest}"\n'
            "docker push $REPO:$TAG"
        )
        assert argv(result.commands[-1]) == ["docker", "push", "my/repo:latest"]

    def test_prefix_assignment_does_not_leak(self) -> None:
        result = run("FOO=1 cmd", ShellState({"FOO": "0"}))
        assert result.state.variables == {"FOO": "0"}

    def test_assignment_without_command_applies(self) -> None:
        result = run("X=1 >/dev/null")
        assert result.state.variables == {"X": "1"}
        assert result.commands == ()

    @pytest.mark.parametrize(
        "script",
        [
            "(X=1; cd sub)",
            "echo $(X=1; cd sub)",
            "X=1 | cat",
            "cd sub | cat",
            "echo | X=1",
            "bash -c 'X=1; cd sub'",
            'sh -c "export X=1"',
            "f() ( X=1; cd sub; ); f",
            "eval 'X=1'",
        ],
    )
    def test_subshells_do_not_leak(self, script: str) -> None:
        state = run(script).state
        assert (state.variables, state.unknown, state.cwd) == ({}, set(), "."), script

    def test_subshell_sees_and_shadows_outer_values(self) -> None:
        result = run("A=1; (echo $A; A=2; echo $A); echo $A | cat; A=3 | echo $A")
        assert [argv(c) for c in result.commands if argv(c)[0] == "echo"] == [
            ["echo", "1"],
            ["echo", "2"],
            ["echo", "1"],
            ["echo", "1"],
        ]
        assert result.state.variables == {"A": "1"}

    def test_compound_bodies_do_leak(self) -> None:
        result = run("if true; then X=1; cd a; fi; for i in 1; do Y=2; done; { Z=3; }; true && W=4")
        assert result.state.variables == {"X": "1", "i": "1", "Y": "2", "Z": "3", "W": "4"}
        assert result.state.unknown == set()
        assert result.state.cwd == "a"

    def test_read_makes_variables_unknown(self) -> None:
        result = run("read -r A B; read; read -p prompt C; printf -v P '%s' x")
        assert result.state.unknown == {"A", "B", "REPLY", "C", "P"}

    def test_each_command_records_its_working_directory(self) -> None:
        script = (
            "docker build .; cd services/api && docker build .; (cd ../web; docker build .); "
            "cd / | docker build .; bash -c 'cd inner; docker build .'; cd $X; docker build ."
        )
        result = run(script)
        builds = [c.cwd for c in result.commands if argv(c)[:2] == ["docker", "build"]]
        assert builds == [
            ".",
            "services/api",
            "services/web",
            "services/api",
            "services/api/inner",
            "?",
        ]
        cd = result.commands[1]
        assert argv(cd) == ["cd", "services/api"]
        assert cd.cwd == "."
        assert SimpleCommand((), (), 0, 0, False, None, 0).cwd == "."

    @pytest.mark.parametrize(
        ("start", "script", "expected"),
        [
            (".", "cd sub", "sub"),
            (".", "cd sub/deeper", "sub/deeper"),
            (".", "cd sub; cd ..", "."),
            (".", "cd ..", ".."),
            (".", "cd ./a/../b/", "b"),
            ("src", "cd app && cd ../lib", "src/lib"),
            (".", "cd /abs/dir", "/abs/dir"),
            (".", "cd /abs/dir/../x", "/abs/x"),
            (".", "cd $CODEBUILD_SRC_DIR/app", "/codebuild/src/app"),
            (".", "cd", "?"),
            (".", "cd ~", "?"),
            (".", "cd ~/x", "?"),
            (".", "cd -", "?"),
            (".", "cd $UNKNOWN", "?"),
            (".", "cd -P sub", "sub"),
            (".", "cd -- sub", "sub"),
            ("a", 'cd ""', "a"),
            ("?", "cd sub", "?"),
            ("?", "cd /abs", "/abs"),
            (".", "pushd sub", "sub"),
            (".", "pushd sub >/dev/null; popd", "."),  # back where pushd left
            ("a", "pushd b; pushd c; popd", "a/b"),
            ("a", "pushd b; pushd c; popd; popd", "a"),
            (".", "pushd $UNKNOWN; popd", "."),
            (".", "popd", "?"),  # nothing known on the stack
            (".", "pushd b; popd; popd", "?"),
            (".", "pushd -n b; popd", "?"),  # the stack is not followed after -n
            (".", "pushd b; pushd; popd", "?"),  # nor after a swap
            (".", "pushd b; popd +1", "?"),
            (".", "(pushd b); popd", "?"),  # the subshell's stack is its own
            ("a", "pushd -n b", "a"),
            (".", "cd a; (cd b); echo | cd c; x=$(cd d)", "a"),
        ],
    )
    def test_cwd(self, start: str, script: str, expected: str) -> None:
        state = ShellState({"CODEBUILD_SRC_DIR": "/codebuild/src"}, set(), start)
        assert run(script, state).state.cwd == expected


# --------------------------------------------------------------------------- bash -c


class TestNestedShells:
    @pytest.mark.parametrize(
        "script",
        [
            "bash -c 'docker pull x'",
            'sh -c "docker pull x"',
            "/bin/bash -c 'docker pull x'",
            "/usr/bin/env bash -c 'docker pull x'",
            "bash -ec 'docker pull x'",
            "bash -xc 'docker pull x'",
            "sh -e -c 'docker pull x'",
            "bash -o pipefail -c 'docker pull x'",
            "bash --noprofile --norc -eo pipefail -c 'docker pull x'",
            "sudo -E bash -c 'docker pull x'",
            "exec bash -c 'docker pull x'",
            "bash -c -- 'docker pull x'",
            "bash -c 'docker pull x' name arg1",
            "timeout 60 bash -c 'docker pull x'",
            "timeout -s KILL --kill-after=10 5m sh -c 'docker pull x'",
            "nice -n 10 nohup bash -c 'docker pull x'",
            "stdbuf -oL setsid bash -c 'docker pull x'",
            "sudo -u ci env A=1 time -p bash -c 'docker pull x'",
        ],
    )
    def test_forms(self, script: str) -> None:
        result = run(script)
        assert len(result.commands) == 2
        outer, inner = result.commands
        assert outer.nesting == 0
        assert argv(inner) == ["docker", "pull", "x"]
        assert inner.nesting == 1
        assert not inner.conditional
        body = script.index("docker")
        assert [(w.start, w.end) for w in inner.words] == [
            (body, body + 6),
            (body + 7, body + 11),
            (body + 12, body + 13),
        ]
        assert (inner.start, inner.end) == (body, body + 13)

    @pytest.mark.parametrize(
        "script",
        [
            "bash script.sh",
            "bash",
            "bash -c",
            "bash -x -- file",
            "command -v bash -c 'docker pull x'",
            "env -S 'bash -c \"docker pull x\"'",
            "sudo -l bash -c 'docker pull x'",
            "timeout 60",
        ],
    )
    def test_not_inline(self, script: str) -> None:
        assert len(run(script).commands) == 1

    def test_body_with_unknown_value_is_not_analysed(self) -> None:
        result = run('bash -c "$CMD"')
        assert len(result.commands) == 1

    def test_literal_body_offsets_map_into_script(self) -> None:
        script = "true; bash -c 'echo \"$X\" | docker login --password-stdin'"
        result = run(script)
        echo, login = result.commands[2:]
        for w in (*echo.words, *login.words):
            assert script[w.start : w.end] == w.raw
        assert login.pipe_input is echo
        assert echo.words[1].variables == ("X",)

    def test_escaped_body_uses_the_outer_word_span(self) -> None:
        script = 'bash -c "echo \\"hi\\" && docker ps"'
        result = run(script)
        outer, echo, docker = result.commands
        span = (outer.words[2].start, outer.words[2].end)
        assert span == (8, len(script))
        assert argv(echo) == ["echo", "hi"]
        assert argv(docker) == ["docker", "ps"]
        assert docker.conditional
        for cmd in (echo, docker):
            assert (cmd.start, cmd.end) == span
            assert all((w.start, w.end) == span for w in cmd.words)
        assert echo.words[1].raw == '"hi"'

    def test_expanded_body(self) -> None:
        script = 'bash -c "docker pull $IMAGE"'
        result = run(script, ShellState({"IMAGE": "alpine"}))
        assert argv(result.commands[1]) == ["docker", "pull", "alpine"]
        assert (result.commands[1].start, result.commands[1].end) == (8, len(script))

    def test_nesting_levels(self) -> None:
        script = "bash -c 'sh -c \"docker pull a\"'"
        result = run(script)
        assert [(argv(c)[0], c.nesting) for c in result.commands] == [
            ("bash", 0),
            ("sh", 1),
            ("docker", 2),
        ]
        docker = result.commands[2]
        assert script[docker.start : docker.end] == "docker pull a"

    def test_nesting_inside_fixed_body_stays_fixed(self) -> None:
        script = "bash -c \"sh -c 'docker pull a' \\$0\""
        result = run(script)
        docker = result.commands[-1]
        assert argv(docker) == ["docker", "pull", "a"]
        assert docker.nesting == 2
        assert (docker.start, docker.end) == (8, len(script))

    def test_max_nesting(self) -> None:
        script = "bash -c 'bash -c \"bash -c ls\"'"
        result = run(script, max_nesting=2)
        assert [(argv(c)[0], c.nesting) for c in result.commands] == [
            ("bash", 0),
            ("bash", 1),
            ("bash", 2),
        ]
        assert result.errors == ((script.index("ls"), "bash -c nested deeper than 2 levels"),)

    def test_max_nesting_zero(self) -> None:
        result = run("bash -c ls", max_nesting=0)
        assert len(result.commands) == 1
        assert result.errors == ((8, "bash -c nested deeper than 0 levels"),)

    def test_conditional_and_pipe_inherited(self) -> None:
        result = run("echo $T | bash -c 'docker login --password-stdin' || true")
        echo, bash, login, true = result.commands
        assert login.nesting == 1
        assert login.pipe_input is echo
        assert bash.pipe_input is echo
        assert not login.conditional
        assert true.conditional
        result = run("if x; then sh -c 'docker pull a'; fi")
        assert result.commands[-1].conditional

    def test_inner_state_starts_from_outer_state(self) -> None:
        result = run("REG=r.io; bash -c 'docker pull $REG/img'")
        assert argv(result.commands[-1]) == ["docker", "pull", "r.io/img"]

    def test_eval(self) -> None:
        script = "eval \"$(aws ecr get-login)\"; eval 'docker pull a'; eval docker pull b"
        result = run(script)
        assert [(argv(c), c.nesting) for c in result.commands] == [
            (["aws", "ecr", "get-login"], 0),
            (["eval", None], 0),
            (["eval", "docker pull a"], 0),
            (["docker", "pull", "a"], 1),
            (["eval", "docker", "pull", "b"], 0),
            (["docker", "pull", "b"], 1),
        ]
        pull_a = result.commands[3]
        assert script[pull_a.start : pull_a.end] == "docker pull a"
        pull_b = result.commands[5]
        assert (pull_b.start, pull_b.end) == (script.rindex("docker"), len(script))

    def test_errors_inside_body_are_mapped(self) -> None:
        script = "bash -c 'echo \"open'"
        result = run(script)
        assert result.errors == ((14, "syntax error: unterminated quoted string"),)


# --------------------------------------------------------------------------- heredocs


class TestLoopsAndFunctions:
    @pytest.mark.parametrize(
        ("script", "expected"),
        [
            ("for x in a b c; do echo $x; done", ["a", "b", "c"]),
            ("for x in a \"b c\" 'd e'; do echo $x; done", ["a", "b c", "d e"]),
            ('L="p  q"; for x in $L; do echo $x; done', ["p", "q"]),
            ('L="p q"; for x in "$L"; do echo $x; done', ["p q"]),
            ('L=" p q "; for x in a$L"b"; do echo $x; done', ["a", "p", "q", "b"]),
            ("L=; for x in $L; do echo $x; done", []),
            ("for x in '' a; do echo $x; done", ["", "a"]),
            ("for x in ${L:-m n}; do echo $x; done", ["m", "n"]),
        ],
    )
    def test_for_over_known_words_runs_the_body_once_per_word(
        self, script: str, expected: list[str]
    ) -> None:
        result = run(script)
        echoes = [c for c in result.commands if argv(c)[0] == "echo"]
        assert [argv(c)[1] for c in echoes] == expected
        assert not any(c.conditional for c in echoes)
        if expected:
            assert result.state.variables["x"] == expected[-1]
        assert_offsets(script, result)

    @pytest.mark.parametrize(
        "script",
        [
            "for x in $UNKNOWN; do echo $x; done",
            "for x in *.sh; do echo $x; done",
            "for x in a{1,2}; do echo $x; done",
            "for x in $(ls); do echo $x; done",
            "for x; do echo $x; done",
            "IFS=,; L=a,b; for x in $L; do echo $x; done",
        ],
    )
    def test_for_over_unknown_words_runs_the_body_once_with_the_variable_unknown(
        self, script: str
    ) -> None:
        result = run(script)
        echoes = [c for c in result.commands if argv(c)[0] == "echo"]
        assert [(argv(c), c.conditional) for c in echoes] == [(["echo", None], True)]
        assert "x" in result.state.unknown

    def test_a_loop_reports_each_iteration_at_the_body(self) -> None:
        script = "for img in node:20 python:3; do docker pull $img; done"
        result = run(script)
        assert all_argv(result) == [["docker", "pull", "node:20"], ["docker", "pull", "python:3"]]
        assert {(c.start, c.end) for c in result.commands} == {(32, 48)}

    def test_loops_are_bounded(self) -> None:
        words = " ".join(["w"] * 200)
        script = f"for a in {words}; do for b in {words}; do echo $a$b; done; done"
        result = run(script)
        assert len(result.commands) < 2000

    def test_a_function_runs_where_it_is_called_with_its_arguments(self) -> None:
        script = 'pull() { docker pull "$1"; echo $# "$@"; }\npull node:20 x; pull python:3'
        result = run(script)
        assert all_argv(result) == [
            ["pull", "node:20", "x"],
            ["docker", "pull", "node:20"],
            ["echo", "2", "node:20 x"],
            ["pull", "python:3"],
            ["docker", "pull", "python:3"],
            ["echo", "1", "python:3"],
        ]
        docker = result.commands[1]
        assert script[docker.start : docker.end] == 'docker pull "$1"'
        assert_offsets(script, result)
        assert set(result.state.functions) == {"pull"}
        assert "1" not in result.state.variables

    @pytest.mark.parametrize(
        ("loop", "expected"),
        [
            ('for x in "$@"', [["a:1"], ["b c"]]),
            ("for x", [["a:1"], ["b c"]]),
            ("for x in $@", [["a:1"], ["b"], ["c"]]),
            ('for x in "$*"', [["a:1 b c"]]),
        ],
    )
    def test_a_loop_over_the_arguments_runs_once_per_argument(
        self, loop: str, expected: list[list[str]]
    ) -> None:
        result = run(f'f() {{ {loop}; do echo "$x"; done; }}; f a:1 "b c"')
        assert [argv(c)[1:] for c in result.commands[1:]] == expected

    def test_a_function_changes_the_callers_shell(self) -> None:
        result = run("go() { cd app; export TAG=1; local L=2; }; L=0; go; echo $TAG $L")
        assert result.state.cwd == "app"
        assert argv(result.commands[-1]) == ["echo", "1", "0"]

    @pytest.mark.parametrize("definition", ["f() { echo in; }", "function f { echo in; }"])
    def test_a_function_carries_to_the_next_command(self, definition: str) -> None:
        first = run(definition)
        assert first.commands == ()
        second = run("true; f", first.state)
        assert all_argv(second) == [["true"], ["f"], ["echo", "in"]]
        call = second.commands[1]
        assert (second.commands[2].start, second.commands[2].end) == (call.start, call.end)

    def test_a_function_is_gone_after_unset_f_and_a_subshell_body_does_not_leak(self) -> None:
        result = run("f() ( X=1; echo in ); f; unset -f f; f")
        assert all_argv(result) == [["f"], ["echo", "in"], ["unset", "-f", "f"], ["f"]]
        assert result.state.variables == {}

    def test_recursion_is_bounded(self) -> None:
        result = run("f() { echo x; f; f; }; f")
        assert 1 < len(result.commands) < 2000
        assert result.errors == ()

    def test_a_function_defined_in_a_subshell_stays_there(self) -> None:
        result = run("(f() { echo in; }); f")
        assert all_argv(result) == [["f"]]


class TestHeredoc:
    def test_body_is_not_commands(self) -> None:
        script = "cat <<EOF > Dockerfile\nFROM alpine\nRUN docker pull x\nEOF\necho next"
        result = run(script)
        assert all_argv(result) == [["cat"], ["echo", "next"]]
        cat = result.commands[0]
        assert script[cat.start : cat.end] == "cat <<EOF > Dockerfile"

    def test_substitution_in_unquoted_body_runs(self) -> None:
        result = run("cat <<EOF\n$(docker images -q)\nEOF")
        assert all_argv(result) == [["docker", "images", "-q"], ["cat"]]

    def test_quoted_delimiter_body_is_inert(self) -> None:
        result = run("cat <<'EOF'\n$(docker images -q)\nEOF")
        assert all_argv(result) == [["cat"]]

    def test_heredoc_then_list(self) -> None:
        result = run("cat <<EOF && docker pull a\nbody\nEOF")
        assert [(argv(c), c.conditional) for c in result.commands] == [
            (["cat"], False),
            (["docker", "pull", "a"], True),
        ]


# --------------------------------------------------------------------------- errors


class TestErrors:
    def test_unterminated_double_quote(self) -> None:
        script = 'docker build .\necho "oops\ndocker push x'
        result = run(script)
        assert all_argv(result) == [["docker", "build", "."], ["echo"]]
        assert result.errors == ((20, "syntax error: unterminated quoted string"),)

    def test_unterminated_single_quote(self) -> None:
        result = run("docker push x && echo 'broken")
        assert all_argv(result) == [["docker", "push", "x"], ["echo"]]
        assert result.errors == ((22, "syntax error: unterminated quoted string"),)

    def test_if_without_fi(self) -> None:
        script = "if [ -f x ]; then\n  docker pull a\necho after"
        result = run(script)
        assert all_argv(result) == [
            ["[", "-f", "x", "]"],
            ["docker", "pull", "a"],
            ["echo", "after"],
        ]
        assert result.commands[1].conditional
        assert result.errors == ((0, "syntax error: 'if' without matching 'fi'"),)

    def test_missing_done(self) -> None:
        result = run("while x; do")
        assert all_argv(result) == [["x"]]
        assert result.errors == ((11, "syntax error: missing 'done'"),)

    def test_stray_fi(self) -> None:
        result = run("echo a; fi; docker pull x")
        assert all_argv(result) == [["echo", "a"], ["docker", "pull", "x"]]
        assert result.errors == ((8, "syntax error near unexpected token 'fi'"),)

    def test_unclosed_substitution(self) -> None:
        result = run("echo $(foo")
        assert all_argv(result) == [["foo"], ["echo", None]]
        assert result.errors == ((10, "syntax error: missing ')'"),)

    def test_dangling_and(self) -> None:
        result = run("docker pull a &&")
        assert all_argv(result) == [["docker", "pull", "a"]]
        assert result.errors == ((16, "syntax error: missing a command word"),)

    def test_for_with_fi(self) -> None:
        result = run("for x in a; do docker pull $x; fi")
        assert result.errors == ((0, "syntax error: 'for' without matching 'done'"),)
        assert [c.conditional for c in result.commands] == [True]

    def test_quoted_fi_is_a_command(self) -> None:
        result = run("'fi' arg")
        assert all_argv(result) == [["fi", "arg"]]
        assert result.errors == ()


class TestRobustness:
    @pytest.mark.parametrize(
        "opener",
        ["$(", "(", '"$(', "`", "${X:-", "$((", "{ ", "if true; then ", "<("],
    )
    def test_deep_nesting_does_not_crash(self, opener: str) -> None:
        closers = {
            "$(": ")",
            "(": ")",
            '"$(': ')"',
            "`": "`",
            "${X:-": "}",
            "$((": "))",
            "{ ": "; }",
            "if true; then ": "; fi",
            "<(": ")",
        }
        depth = 5000
        script = opener * depth + "echo hi" + closers[opener] * depth
        start = time.perf_counter()
        result = run(script)
        assert time.perf_counter() - start < 10
        assert isinstance(result, ShellResult)
        for cmd in result.commands:
            assert 0 <= cmd.start <= cmd.end <= len(script)

    def test_deep_nesting_reports_an_error(self) -> None:
        result = run("(" * 5000 + "echo" + ")" * 5000)
        assert [message for _, message in result.errors] == ["shell nesting too deep to analyse"]

    def test_moderate_nesting_is_fully_analysed(self) -> None:
        script = "$(" * 50 + "docker pull a" + ")" * 50
        result = run(script)
        assert result.errors == ()
        assert argv(result.commands[0]) == ["docker", "pull", "a"]
        assert len(result.commands) == 51

    def test_little_stack_left(self) -> None:
        """Called from deep inside a caller's recursion, analyse still returns."""
        script = "(" * 300 + "echo" + ")" * 300
        results: list[ShellResult] = []

        def recurse(n: int) -> None:
            if n:
                recurse(n - 1)
            else:
                results.append(run(script))

        recurse(sys.getrecursionlimit() - 200)
        assert results and results[0].errors

    def test_many_variables_and_pipelines_stay_linear(self) -> None:
        script = "".join(f"export V{i}={i}\necho $V{i} | grep x\n" for i in range(20000))
        start = time.perf_counter()
        result = run(script)
        elapsed = time.perf_counter() - start
        assert len(result.state.variables) == 20000
        assert argv(result.commands[-2]) == ["echo", "19999"]
        # copying the state for every pipeline stage took minutes here
        assert elapsed < 10

    def test_parser_never_sees_four_byte_characters(self) -> None:
        script = "echo {\U00031860 $X\U000f7dc0 \ud800 é"
        data = syntax._parser_bytes(script)
        assert len(data) == len(script.encode("utf-8", "surrogatepass"))
        assert not any(0xF0 <= byte <= 0xF7 for byte in data)
        data.decode("utf-8")  # valid UTF-8: lone surrogates were replaced too

    def test_brace_before_four_byte_character_does_not_crash(self) -> None:
        """tree-sitter-bash#337: `{` + a 4-byte character segfaults about half the time
        in a fresh process; each child analyses a few hundred such scripts."""
        code = (
            "import sys\n"
            "from hubspec.shell.walk import ShellState, analyse\n"
            "for cp in range(0x10000, 0x110000, 0x1111):\n"
            "    analyse('{' + chr(cp) + '\\u0270 x', ShellState())\n"
            "    analyse('echo {' + chr(cp), ShellState())\n"
        )
        for _ in range(3):
            child = subprocess.run(
                [sys.executable, "-c", code],
                cwd=Path(shell.__file__).parent.parent,
                capture_output=True,
                check=False,
            )
            assert child.returncode == 0, child.stderr.decode()

    def test_nul_and_surrogates(self) -> None:
        for script in ("echo \x00 a", 'echo "\ud800" x', "\udcff", "echo $'\\x'"):
            result = run(script)
            for cmd in result.commands:
                for w in cmd.words:
                    assert 0 <= w.start <= w.end <= len(script)

    def test_one_megabyte_script(self) -> None:
        block = (
            'if [ -n "$DOCKERHUB_USER" ]; then\n'
            '  echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USER" --password-stdin\n'
            "fi\n"
            "docker build -t $REPO:$TAG -f docker/Dockerfile . # build\n"
            "aws s3 cp s3://bucket/key ./out --recursive\n"
        )
        script = block * (1_000_000 // len(block) + 1)
        start = time.perf_counter()
        result = run(script, ShellState({"REPO": "r", "TAG": "t"}))
        elapsed = time.perf_counter() - start
        assert len(result.commands) == 5 * (1_000_000 // len(block) + 1)
        assert result.errors == ()
        # generous: a quadratic walk would take minutes
        assert elapsed < 10


# --------------------------------------------------------------------------- realistic


class TestRealistic:
    def test_ecr_login_and_push(self) -> None:
        script = (
            "aws ecr get-login-password --region $AWS_DEFAULT_REGION | "
            "docker login --username AWS --password-stdin "
            "$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com"
        )
        state = ShellState({"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCOUNT_ID": "123"})
        result = run(script, state)
        aws, login = result.commands
        assert login.pipe_input is aws
        assert login.words[-1].value == "123.dkr.ecr.eu-west-1.amazonaws.com"
        assert login.words[-1].variables == ("AWS_ACCOUNT_ID", "AWS_DEFAULT_REGION")
        assert_offsets(script, result)

    def test_build_phase_block(self) -> None:
        script = (
            "set -e\n"
            "IMAGE_TAG=${CODEBUILD_RESOLVED_SOURCE_VERSION:-latest}\n"
            "cd services/api\n"
            "docker build \\\n"
            "  --build-arg NPM_TOKEN=$NPM_TOKEN \\\n"
            "  -t $REPOSITORY_URI:$IMAGE_TAG .\n"
            "docker push $REPOSITORY_URI:$IMAGE_TAG || exit 1\n"
        )
        state = ShellState({"REPOSITORY_URI": "r.io/api"}, {"NPM_TOKEN"})
        result = run(script, state)
        assert all_argv(result) == [
            ["set", "-e"],
            ["cd", "services/api"],
            ["docker", "build", "--build-arg", None, "-t", "r.io/api:latest", "."],
            ["docker", "push", "r.io/api:latest"],
            ["exit", "1"],
        ]
        assert result.commands[2].words[3].variables == ("NPM_TOKEN",)
        assert result.commands[4].conditional
        assert result.state.cwd == "services/api"
        assert result.state.variables["IMAGE_TAG"] == "latest"
        assert_offsets(script, result)

    def test_secrets_from_parameter_store_are_unknown(self) -> None:
        state = ShellState({"DOCKERHUB_USER": "bot"}, {"DOCKERHUB_PASS"})
        script = 'docker login -u $DOCKERHUB_USER -p "$DOCKERHUB_PASS"'
        cmd = only(run(script, state))
        assert argv(cmd) == ["docker", "login", "-u", "bot", "-p", None]
        assert cmd.words[5].variables == ("DOCKERHUB_PASS",)

    def test_test_command_words(self) -> None:
        cmd = only(run('[ "$X" = "" ]', ShellState({"X": "x"})))
        assert argv(cmd) == ["[", "x", "=", "", "]"]
        assert not cmd.conditional
        result = run('[[ -z "$(docker images -q a)" ]] && docker pull a')
        assert all_argv(result) == [
            ["docker", "images", "-q", "a"],
            ["[[", "-z", None, "]]"],
            ["docker", "pull", "a"],
        ]


# --------------------------------------------------------------------------- properties

_SHELLISH = st.lists(
    st.sampled_from(
        [
            *"abcxyz $'\"`\\(){}[]|&;<>#=-:+*?!~\n\t/.%^,0123456789é",
            *("$(", "${", "$((", "$X", "$U", "bash -c ", "eval ", "if ", " then ", " fi", "&&"),
            *("<<EOF\n", "\nEOF\n", "\\\n", "cd ", "export ", "for ", " do ", " done", "case "),
        ]
    ),
    max_size=60,
).map("".join)


def _check_any(script: str, check: Callable[[str, ShellResult], None]) -> None:
    result = run(script, ShellState({"X": "1"}, {"U"}))
    check(script, result)


def _within(script: str, result: ShellResult) -> None:
    n = len(script)
    for cmd in result.commands:
        assert 0 <= cmd.start <= cmd.end <= n
        assert cmd.nesting >= 0
        for w in cmd.words:
            assert 0 <= w.start <= w.end <= n
            if cmd.nesting == 0:
                assert script[w.start : w.end] == w.raw
    for offset, message in result.errors:
        assert 0 <= offset <= n
        assert message


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(script: str) -> None:
    _check_any(script, _within)


@settings(
    max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_SHELLISH)
def test_never_raises_on_shell_like_text(script: str) -> None:
    _check_any(script, _within)


@pytest.mark.parametrize("bypass", [True, False])
def test_bash_grammar_loads_with_and_without_the_package_init(
    bypass: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The binding is loaded straight from its folder; if that fails, through the package."""
    import importlib.util

    import tree_sitter

    if not bypass:
        monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    language = tree_sitter.Language(syntax._bash_language())
    tree = tree_sitter.Parser(language).parse(b"docker pull node:20")
    assert tree.root_node.type == "program"
    assert tree.root_node.children[0].type == "command"


# --------------------------------------------------------------------------- quick analysis

COMMAND_NAMES = (
    *("npm", "docker", "make", "echo", "a:b", "x.y", "_x", "1a", "a+b", "a,b", "a-b", "aws"),
    *("ci:", "A", "in2", "iff", "test", "true", "./gradlew", "/usr/bin/env", "-", "a@b"),
    *("in", "if", "then", "fi", "do", "done", "time", "function", "select", "coproc", "{"),
    *("}", "!", "[[", "]]", "export", "cd", "pushd", "popd", "unset", "eval", "sh", "bash"),
    *("exec", "sudo", "env", "read", "printf", "declare", "local", "=", "==", "%1", "cd"),
    *("$(aws ecr get-login)", "`date`", "$(a|b)", "$X", '"npm"'),
)
WORD_PIECES = (
    *("x", "-t", "--f=x", "a=b", "=", "==", "a@b", "%1", ":", "@", "-", "--", "+", ".", "~x"),
    *("$A", "$U", "$Z", "$E", "${A}", "${U}", "$A_B", "$1", "$A.b.$A.c", 'x"q"$A-y', "$A:$U"),
    *("'a b'", "''", '""', '"x $A y"', '" $A"', '"${U}z"', '"#"', '"!"', "'#'", '"a=b"'),
    *("'$A'", '"$A$U"', '" "', '"@"', "'='", "'x\"y'", '"a\'b"', "','", "*", "x;y", "a|b"),
    *("$(date)", "`date`", "$(echo $A | cut -c 1-3)", '"$(date)"', '"a $(b c) d"', "x$(y)z"),
    *("B=$A.b.$A.c", "B=$A", "B+=x", "A", "U", "-c", "-ec", "-f", "-v", "-x", "-u", "--", "sh"),
    *("bash", "eval", "/bin/sh", "-p", "+x", "'B=1'", '"B=$A"', "B=$(date)", "A[1]=x", "-a"),
    *("> f", ">>$A", "2>&1", "< x", "&> f", "2>/dev/null", ">`a`", "> $(a)", ">", "<<", "1>&2"),
    *(">&-", "&>>f", "<&0", ">f>g", "'>'", '">"', ">|f", "<>f", "3<f"),
    *("$(a && b)", "$(a;b)", "`a b`", '"`a`"', "$(x=1)", "$(cd d && pwd)", "$( a )", "$()"),
    *("``", "'a)b'", "$(echo 'a)b')", "$(a 'x\"y')", "..", "/tmp", "dir", "$((1+2))", "a&b"),
)
ASSIGNMENTS = (
    *("A=1", "B=$A", "C=", "D=''", 'E="x $A"', "F=$U", "G=a=b", "H=${A}x", "A=$A$A", "I=:"),
    *("R=$A.b.$A.c", "R=$A.$U.c", 'R=x"q"$A-y', "R=$A/$A/z", "R=$A.b.$A.c/$A-$A-$A", "J+=1"),
    *("T=$(date)", "T=`a b`", 'T="$(a)x"', "T=$(echo $A | cut -c 1-3)", "A=b`c`"),
)
OPERATORS = (" && ", " || ", " | ", "; ", "&&", "|", " ;", ";", " & ", " |& ", "\n")
QUICK_STATE = ShellState({"A": "1", "HOME": "/root", "E": ""}, {"U"}, "/src")


@st.composite
def _quick_commands(draw: st.DrawFn) -> str:
    """One simple command: assignments, a name, words of pieces."""
    parts = [
        *draw(st.lists(st.sampled_from(ASSIGNMENTS), max_size=2)),
        *draw(st.lists(st.sampled_from(COMMAND_NAMES), max_size=1)),
        *map(
            "".join,
            draw(
                st.lists(st.lists(st.sampled_from(WORD_PIECES), min_size=1, max_size=2), max_size=3)
            ),
        ),
    ]
    return draw(st.sampled_from((" ", "  ", "\t"))).join(parts)


@settings(max_examples=2000, deadline=None)
@given(
    commands=st.lists(_quick_commands(), min_size=1, max_size=4),
    operators=st.lists(st.sampled_from(OPERATORS), min_size=3, max_size=3),
    lead=st.sampled_from(("", " ")),
    trail=st.sampled_from(("", " ", ";")),
)
def test_quick_analysis_gives_the_walks_result(
    commands: list[str], operators: list[str], lead: str, trail: str
) -> None:
    """The shortcut gives exactly what the tree-sitter walk gives, or steps aside."""
    script = commands[0] + "".join(o + c for o, c in zip(operators, commands[1:], strict=False))
    script = lead + script + trail
    if not script.strip():
        return
    before = QUICK_STATE.copy()
    quick = quick_analysis(script, QUICK_STATE)
    if quick is None:
        return
    assert quick == _walked(script, QUICK_STATE)
    assert before == QUICK_STATE  # neither analyser changes the state it is given


def test_quick_analysis_gives_the_walks_result_on_every_corpus_command(corpus: Path) -> None:
    from hubspec.build.model import build_model
    from hubspec.events.walk import initial_state
    from hubspec.lint import pipeline as lint
    from hubspec.load import document
    from hubspec.load.source import decode

    quick_count = total = 0
    for path in sorted(corpus.rglob("*.y*ml")):
        loaded = lint.load(str(path), decode(path.read_bytes()))
        if not isinstance(loaded, document.Document):
            continue
        model = build_model(loaded)
        state = initial_state(model)
        for step in model.steps:
            total += 1
            quick = quick_analysis(step.text, state)
            if quick is not None:
                quick_count += 1
                assert quick == _walked(step.text, state), step.text
    # most real commands take the shortcut: it is what makes it worth having
    assert quick_count > total / 2


@pytest.mark.parametrize(
    ("script", "quick"),
    [
        ("npm ci", True),
        ("  mvn -B package -DskipTests=true  ", True),
        ("docker build -t app:latest .", True),
        ("docker push $REPOSITORY_URI:$IMAGE_TAG", True),
        ('echo "Building ${APP} on $HOST"', True),
        ("echo 'a b' \"c\"", True),
        ("A=1 make", True),
        ("A=1", True),
        ("A=1 B=$A", True),
        ("R=$A.b.$A.c", True),
        ("R=$A.b.$A.c B=1 make", False),  # tree-sitter may cut R's value: the walk mends it
        ("A=1 a:b", False),  # tree-sitter-bash reads a stray `a`
        ("A+=1", False),
        ("cd app", True),  # changes the working directory, as the walk does
        ("export A=1", True),
        ("export U=$A.b.$A.c B C=$(date)", True),
        ("export C=$(pwd)", False),  # its output is known: the walk reads it
        ("A=1 export B=$A", False),
        ("declare -x A=1; unset B; read C; printf -v D %s x; pushd x; popd", True),
        ("./build.sh", True),
        ("bash scripts/build.sh && sudo -u app npm ci", True),
        ("env A=1 /usr/bin/make", True),
        ('bash -c "docker pull node"', False),  # a script of its own: the walk reads it
        ('sudo -E sh -ec "make"', False),
        ("eval $A", False),
        ("/bin/busybox sh -c x", False),
        ("$CMD x", False),
        ('"npm" ci', False),
        ("echo $1", False),
        ("echo ${A:-x}", False),
        ('echo "a\\b"', False),
        ('echo "$(date)"', True),
        ("echo `date`", True),
        ("echo ~", False),
        ("echo é", False),
        ("echo\ta", False),
        ("make && make install", True),
        ("ls\nls", False),
        ("ls *.txt", False),
        ("ls > out", True),
        ('printf \'[{"imageUri":"%s"}]\' $A:latest > images.json', True),
        ("make 2>&1 | tee build.log", True),
        ("make | tee build.log >> all.log", False),  # to tree-sitter-bash `(a | b) >> f`
        ("a && b > f", False),
        ("a b > f 2>/dev/null &> $A.log < h", True),
        ("a > f b", False),  # tree-sitter-bash may drop words after a redirection
        ("a - 2>&1", False),  # tree-sitter-bash drops the `-`
        ("a >&-", False),
        ("a@2>&1", False),
        ("> f a", False),  # a redirection before the command name
        ("a > $(b)", False),  # a target's substitution runs after the command's words
        ("a <<EOF", False),
        ("a <<< x", False),
        ("a >| f", False),
        ("a >", False),
        ("A=1 > f", False),
        ("if", False),
        ("npm ==", False),  # tree-sitter reads a test operator, and a syntax error
        ("npm a==b =", False),
        ("npm a=b x=", True),
        ("a@b x", False),  # tree-sitter-bash reads `a` as a stray word, then `@b x`
        ("npm a@b %1", True),
        ("- a=b", False),  # no command at all to tree-sitter-bash
        ("cd app && make", True),
        ("aws ecr get-login-password | docker login -u AWS --password-stdin $R", True),
        ("$(aws ecr get-login --no-include-email)", True),
        ("echo Build started on `date`", True),
        ("TAG=$(echo $V | cut -c 1-7)", True),
        ('echo "Node $(node --version)"', True),
        ("make || true; make install", True),
        ("echo `a` `b`", False),  # tree-sitter-bash reads one substitution from a to b
        ("C=|x", False),  # an error to tree-sitter-bash
        ("A=b`c`;d", False),  # to tree-sitter-bash, `c` is a command with A=b before it
        ("A=b`c` ;d", True),
        ("a && && b", False),
        ("a &", False),
        ("a |& b", False),
        ("echo $(( 1 + 2 ))", False),
        ("echo $(a $(b))", False),  # substitutions one level deep only
        ("make;", False),
        ("X=1 | cat", True),  # a pipeline stage is a subshell: X stays unset
        ("cd x | cat; pwd", True),
    ],
)
def test_which_commands_take_the_quick_analysis(script: str, quick: bool) -> None:
    state = ShellState({"A": "1"})
    assert (quick_analysis(script, state) is not None) == quick
    assert analyse(script, state) == _walked(script, state)


@pytest.mark.parametrize("walk", [True, False])
@pytest.mark.parametrize(
    ("script", "name", "value"),
    [
        # tree-sitter-bash ends the value at the second `$` and calls `B.c` the command
        ("R=$A.b.$B.c", "R", "1.b.2.c"),
        ("R=$A.b.$B.c/$A-$B-$A", "R", "1.b.2.c/1-2-1"),
        ('R="x"$A.b.$B.c"y"', "R", "x1.b.2.cy"),
        ("R=$A.b.$U.c", "R", None),
    ],
)
def test_an_assignment_that_tree_sitter_cuts_is_one_assignment(
    walk: bool, script: str, name: str, value: str | None
) -> None:
    state = ShellState({"A": "1", "B": "2"}, {"U"})
    result = _walked(script, state) if walk else analyse(script, state)
    assert result.commands == ()
    assert result.state.variables.get(name) == value
    assert (name in result.state.unknown) == (value is None)
    run = _walked if walk else analyse
    with_command = run(script + " make", state)
    assert [w.value for w in with_command.commands[0].words][:1] == ["make"]
    assert with_command.commands[0].assignments == ((name, value),)


@pytest.mark.parametrize(
    ("script", "words"),
    [
        # tree-sitter-bash hangs the words after `2>&1` on the redirection and cuts them
        ("x 2>&1 B=$A.b.$A.c", ["x", "B=1.b.1.c"]),
        ("x > f $A.b.$A.c y", ["x", "1.b.1.c", "y"]),
    ],
)
def test_words_after_a_redirection_that_tree_sitter_cuts_are_whole(
    script: str, words: list[str]
) -> None:
    result = _walked(script, ShellState({"A": "1"}))
    assert [w.value for w in only(result).words] == words
    assert_offsets(script, result)


@pytest.mark.parametrize("walk", [True, False])
@pytest.mark.parametrize("declaration", ["export", "local", "declare -x", "readonly"])
@pytest.mark.parametrize(
    ("assignment", "word", "value"),
    [
        # tree-sitter-bash ends the assignment at the second `$` and makes `B.ama...` a word
        (
            "U=$A.dkr.ecr.$B.amazonaws.com/app",
            "U=1.dkr.ecr.2.amazonaws.com/app",
            "1.dkr.ecr.2.amazonaws.com/app",
        ),
        ("U=$A.b.$B.c.$A.d/$B-$A", "U=1.b.2.c.1.d/2-1", "1.b.2.c.1.d/2-1"),
        ("U+=$A.b.$B.c", "U+=1.b.2.c", "u1.b.2.c"),
        ("U=$A.b.$N.c", None, None),
    ],
)
def test_a_declared_assignment_that_tree_sitter_cuts_is_one_word(
    walk: bool, declaration: str, assignment: str, word: str | None, value: str | None
) -> None:
    state = ShellState({"A": "1", "B": "2", "U": "u"}, {"N"})
    script = f"{declaration} {assignment} X=$B.$A"
    result = (_walked if walk else analyse)(script, state)
    (command,) = result.commands
    flag = len(declaration.split()) - 1
    assert [w.value for w in command.words][1 + flag :] == [word, "X=2.1"]
    assert [w.raw for w in command.words][1 + flag :] == [assignment, "X=$B.$A"]
    assert result.state.variables.get("U") == value
    assert ("U" in result.state.unknown) == (value is None)
    assert result.state.variables["X"] == "2.1"
    assert_offsets(script, result)


@pytest.mark.parametrize("walk", [True, False])
@pytest.mark.parametrize(
    ("script", "cwd", "pipes"),
    [
        ("a | b && cd x", "/src/x", [None, "a", None]),
        # tree-sitter-bash reads `a | (b | c && cd x)`: bash runs `(a | b | c) && cd x`
        ("a | b | c && cd x", "/src/x", [None, "a", "b", None]),
        ("a | b | c | d || cd x && cd y", "/src/x/y", [None, "a", "b", "c", None, None]),
        ("a | b | c && d | e | f && cd y", "/src/y", [None, "a", "b", None, "d", "e", None]),
    ],
)
def test_commands_after_a_long_pipeline_run_in_the_shell(
    walk: bool, script: str, cwd: str, pipes: list[str | None]
) -> None:
    result = (_walked if walk else analyse)(script, ShellState(cwd="/src"))
    assert result.state.cwd == cwd
    piped = [c.pipe_input.words[0].value if c.pipe_input else None for c in result.commands]
    assert piped == pipes
    assert [c.conditional for c in result.commands][-1] is True


@pytest.mark.parametrize("walk", [True, False])
def test_a_blank_before_an_expansion_in_double_quotes_is_kept(walk: bool) -> None:
    """tree-sitter-bash starts the expansion in `" $A"` at the blank."""
    state = ShellState({"A": "1"})
    result = (_walked if walk else analyse)('echo " $A" x"  ${A}"', state)
    assert [w.value for w in result.commands[0].words] == ["echo", " 1", "x  1"]


def _walked(script: str, state: ShellState) -> ShellResult:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shell, "quick_analysis", lambda script, state: None)
        return analyse(script, state)
