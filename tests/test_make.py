"""The Makefile reader and the package.json script reader, over files held in memory."""

from __future__ import annotations

import posixpath
import time
from pathlib import Path

import pytest

from hubspec.events.make import UNKNOWN_STAND_IN, MakeRun, make_run
from hubspec.events.make.args import parse_make_args
from hubspec.events.make.run import ReadCache
from hubspec.events.npm import script_run

ROOT = Path("/src")


class Files:
    """A source tree in memory: paths relative to the root -> text."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.reads: list[str] = []

    def resolve(self, directory: str, name: str) -> Path | None:
        joined = posixpath.normpath(posixpath.join(directory, name))
        if joined.startswith("..") or posixpath.isabs(joined):
            return None
        return ROOT / joined

    def read(self, path: Path) -> str | None:
        relative = path.relative_to(ROOT).as_posix()
        self.reads.append(relative)
        return self.files.get(relative)

    def folders(self, folder: str) -> tuple[tuple[str, bool], ...]:
        """The subfolders the files imply, sorted (a name ending in `@` is a symlink)."""
        prefix = "" if folder == "." else folder + "/"
        names = {
            name.split("/")[len(prefix.split("/")) - 1]
            for name in self.files
            if name.startswith(prefix) and name.count("/") > prefix.count("/")
        }
        return tuple(sorted((name, name.endswith("@")) for name in names))


def run(
    files: dict[str, str],
    command: str,
    environment: dict[str, str | None] | None = None,
    cwd: str = ".",
) -> MakeRun:
    tree = Files(files)
    return make_run(command.split(), cwd, tree.resolve, tree.read, environment or {}, "/build")


def commands(result: MakeRun) -> list[str]:
    return [line.command for line in result.lines]


def reasons(result: MakeRun) -> list[str]:
    return [problem.reason for problem in result.problems]


# ---------------------------------------------------------------- goals and order


def test_default_goal_is_the_first_target_not_starting_with_a_dot() -> None:
    makefile = ".PHONY: all\n.hidden:\n\techo hidden\nall: build test\nbuild:\n\techo build\ntest: build\n\techo test\n"
    assert commands(run({"Makefile": makefile}, "make")) == ["echo build", "echo test"]


def test_named_goals_run_in_order_with_prerequisites_first_each_once() -> None:
    makefile = "a: c\n\techo a\nb: c a\n\techo b\nc:\n\techo c\n"
    result = run({"Makefile": makefile}, "make b a")
    assert commands(result) == ["echo c", "echo a", "echo b"]
    assert [(line.target, line.line) for line in result.lines] == [("c", 6), ("a", 2), ("b", 4)]


def test_order_only_prerequisites_run_first_too() -> None:
    makefile = "all: x | dir\n\techo all\nx:\n\techo x\ndir:\n\techo dir\n"
    assert commands(run({"Makefile": makefile}, "make")) == ["echo x", "echo dir", "echo all"]


def test_circular_dependencies_are_dropped_as_make_drops_them() -> None:
    result = run({"Makefile": "a: b\n\techo a\nb: a\n\techo b\n"}, "make a")
    assert commands(result) == ["echo b", "echo a"]
    assert result.problems == ()


def test_a_recipe_line_keeps_its_makefile_and_line() -> None:
    result = run({"sub/build.mk": "\n\nx:\n\t@docker pull alpine\n"}, "make -f sub/build.mk")
    line = result.lines[0]
    assert (line.path, line.line, line.command) == (ROOT / "sub/build.mk", 4, "docker pull alpine")


def test_multiple_rules_for_one_target_add_prerequisites_and_the_last_recipe_wins() -> None:
    makefile = "t: a\nt: b\n\techo t\na:\n\techo a\nb:\n\techo b\n"
    assert commands(run({"Makefile": makefile}, "make t")) == ["echo a", "echo b", "echo t"]


def test_double_colon_rules_each_run_their_own_recipe() -> None:
    makefile = "t::\n\techo one\nt::\n\techo two\n"
    assert commands(run({"Makefile": makefile}, "make t")) == ["echo one", "echo two"]


def test_an_inline_recipe_after_a_semicolon() -> None:
    assert commands(run({"Makefile": "t: ; docker pull alpine\n"}, "make")) == [
        "docker pull alpine"
    ]


def test_a_goal_without_a_rule_runs_nothing() -> None:
    result = run({"Makefile": "a:\n\techo a\n"}, "make missing")
    assert commands(result) == [] and result.problems == ()


def test_a_non_phony_target_whose_file_exists_is_up_to_date() -> None:
    makefile = ".PHONY: build\nbuild:\n\techo build\nREADME:\n\techo readme\n"
    files = {"Makefile": makefile, "build": "a file", "README": "a file"}
    assert commands(run(files, "make build README")) == ["echo build"]


# ---------------------------------------------------------------- variables


def test_simple_and_recursive_variables_expand_as_make_does() -> None:
    makefile = (
        "LATE = $(TAG)\n"
        "EARLY := $(TAG)\n"
        "TAG = 1.0\n"
        "DEFAULT ?= node\n"
        "DEFAULT ?= python\n"
        "POSIX ::= x\n"
        "LIST = a\n"
        "LIST += b\n"
        "t:\n\techo $(LATE) [$(EARLY)] ${DEFAULT} $(POSIX) $(LIST)\n"
    )
    assert commands(run({"Makefile": makefile}, "make")) == ["echo 1.0 [] node x a b"]


def test_command_line_variables_override_the_makefile_unless_override() -> None:
    makefile = "IMAGE = node:18\noverride FORCED = yes\nt:\n\tdocker pull $(IMAGE) $(FORCED)\n"
    result = run({"Makefile": makefile}, "make IMAGE=node:20 FORCED=no t")
    assert commands(result) == ["docker pull node:20 yes"]
    assert result.environment["IMAGE"] == "node:20"


def test_double_dollar_is_a_shell_dollar() -> None:
    makefile = "t:\n\tfor i in a b; do echo $$i; done; echo $${HOME}\n"
    assert commands(run({"Makefile": makefile}, "make")) == [
        "for i in a b; do echo $i; done; echo ${HOME}"
    ]


def test_recipe_prefixes_are_dropped_even_when_a_variable_holds_them() -> None:
    makefile = (
        "Q = @\nt:\n\t@echo one\n\t-echo two\n\t+echo three\n\t@-  echo four\n\t$(Q)echo five\n"
    )
    assert commands(run({"Makefile": makefile}, "make")) == [
        "echo one",
        "echo two",
        "echo three",
        "echo four",
        "echo five",
    ]


def test_continuations_stay_in_recipes_and_join_elsewhere() -> None:
    makefile = "FLAGS = --pull \\\n    --no-cache\nt:\n\tdocker build $(FLAGS) \\\n\t  -t app .\n"
    assert commands(run({"Makefile": makefile}, "make")) == [
        "docker build --pull --no-cache \\\n  -t app ."
    ]


def test_automatic_variables() -> None:
    makefile = "out/app.tar: src/a.c src/b.c src/a.c\n\techo $@ $< $^ $(@D) $(@F)\n"
    assert commands(run({"Makefile": makefile}, "make")) == [
        "echo out/app.tar src/a.c src/a.c src/b.c out app.tar"
    ]


def test_target_specific_variables_apply_to_the_target_and_its_prerequisites() -> None:
    makefile = (
        "IMAGE = alpine\nrelease: IMAGE = node\nrelease: pull\n\techo $(IMAGE)\n"
        "pull:\n\tdocker pull $(IMAGE)\n"
    )
    assert commands(run({"Makefile": makefile}, "make release")) == [
        "docker pull node",
        "echo node",
    ]
    assert commands(run({"Makefile": makefile}, "make pull")) == ["docker pull alpine"]


def test_a_variable_no_makefile_defines_is_left_to_the_recipe_shell() -> None:
    result = run({"Makefile": "t:\n\tdocker pull $(IMAGE):$(TAG)\n"}, "make", {"TAG": "3"})
    assert commands(result) == ["docker pull ${IMAGE}:3"]


def test_text_functions_are_computed() -> None:
    makefile = (
        "NAMES = a.c b.c\n"
        "t:\n\techo $(patsubst %.c,%.o,$(NAMES)) $(NAMES:.c=.h) $(subst a,x,$(NAMES))"
        " $(firstword $(NAMES)) $(if $(NAMES),yes,no) $(strip  a   b )\n"
    )
    assert commands(run({"Makefile": makefile}, "make")) == [
        "echo a.o b.o a.h b.h x.c b.c a.c yes a b"
    ]


def test_shell_and_wildcard_are_unknown_never_guessed() -> None:
    makefile = (
        "TAG := $(shell git rev-parse HEAD)\nt:\n\tdocker build -t app:$(TAG) $(wildcard src)\n"
    )
    result = run({"Makefile": makefile}, "make")
    assert commands(result) == ["docker build -t app:$(shell git rev-parse HEAD) $(wildcard src)"]
    assert result.lines[0].unknown == ("$(shell git rev-parse HEAD)", "$(wildcard src)")


def test_unknown_parts_bash_could_misread_become_one_stand_in() -> None:
    makefile = "T := $(shell echo 'a;b')\nt:\n\tdocker pull $(T) ${U}\n"
    result = run({"Makefile": makefile}, "make", {"U": None})
    assert commands(result) == [f"docker pull {UNKNOWN_STAND_IN} ${{U}}"]
    assert result.lines[0].unknown == ("$(shell echo 'a;b')", "$U")


def test_a_variable_that_refers_to_itself_is_unknown() -> None:
    result = run({"Makefile": "A = $(A) x\nt:\n\techo $(A)\n"}, "make")
    assert result.lines[0].unknown == ("$(A) (a variable that refers to itself)",)


def test_define_makes_a_multi_line_variable() -> None:
    makefile = "define PULL\ndocker pull alpine\nendef\nt:\n\t$(PULL)\n"
    assert commands(run({"Makefile": makefile}, "make")) == ["docker pull alpine"]


def test_exported_variables_reach_the_recipe_environment() -> None:
    makefile = "export REGISTRY = example.com\nLOCAL = no\nexport LATER\nLATER := yes\nt:\n\techo\n"
    result = run({"Makefile": makefile}, "make", {"HOME": "/root", "SECRET_ID": None})
    assert result.environment == {
        "REGISTRY": "example.com",
        "LATER": "yes",
        "HOME": "/root",
        "SECRET_ID": None,
    }


# ---------------------------------------------------------------- conditionals


def test_conditionals_that_can_be_evaluated() -> None:
    makefile = (
        "MODE = ci\n"
        "ifeq ($(MODE),ci)\n  IMAGE = node\nelse\n  IMAGE = python\nendif\n"
        "ifneq '$(MODE)' 'ci'\n  EXTRA = bad\nelse ifdef MODE\n  EXTRA = good\nendif\n"
        "ifndef UNSET\nt:\n\techo $(IMAGE) $(EXTRA)\nendif\n"
    )
    assert commands(run({"Makefile": makefile}, "make")) == ["echo node good"]


def test_a_condition_hubspec_cannot_evaluate_makes_what_it_guards_unknown() -> None:
    makefile = (
        "ifeq ($(shell uname),Linux)\n  IMAGE = node\nendif\n"
        "t:\n\tdocker pull $(IMAGE)\n"
        "ifdef CI_ONLY_FROM_SHELL\n\tdocker pull secret/image\nendif\n\techo done\n"
    )
    result = run({"Makefile": makefile}, "make", {"CI_ONLY_FROM_SHELL": None})
    assert commands(result) == ["docker pull $(IMAGE)", "echo done"]
    assert "set under `ifeq ($(shell uname),Linux)`" in result.lines[0].unknown[0]
    assert reasons(result) == [
        "this recipe line runs only if `ifdef CI_ONLY_FROM_SHELL`, which hubspec cannot evaluate"
    ]


def test_a_conditional_inside_a_recipe_with_known_operands() -> None:
    makefile = (
        "PUSH = yes\nt:\n\techo a\nifeq ($(PUSH),yes)\n\tdocker push x\nelse\n\techo no\nendif\n"
    )
    assert commands(run({"Makefile": makefile}, "make")) == ["echo a", "docker push x"]


# ---------------------------------------------------------------- files and includes


def test_makefile_lookup_order() -> None:
    files = {"Makefile": "t:\n\techo Makefile\n", "makefile": "t:\n\techo makefile\n"}
    assert commands(run(files, "make")) == ["echo makefile"]
    files["GNUmakefile"] = "t:\n\techo GNUmakefile\n"
    assert commands(run(files, "make")) == ["echo GNUmakefile"]


@pytest.mark.parametrize(
    "command",
    ["make -C docker", "make --directory=docker", "make -Cdocker", "make -s -C docker -j 4"],
)
def test_make_directory_options(command: str) -> None:
    result = run({"docker/Makefile": "t:\n\techo $(CURDIR)\n"}, command)
    assert result.directory == "docker"
    assert commands(result) == ["echo /build/docker"]


@pytest.mark.parametrize("command", ["make -f ci.mk", "make --file=ci.mk", "make --file ci.mk"])
def test_makefile_options(command: str) -> None:
    assert commands(run({"ci.mk": "t:\n\techo ci\n"}, command)) == ["echo ci"]


def test_include_is_read_relative_to_the_make_directory() -> None:
    files = {
        "Makefile": "include common.mk\n-include missing.mk\nt:\n\tdocker pull $(BASE)\n",
        "common.mk": "BASE = alpine\n",
    }
    result = run(files, "make")
    assert commands(result) == ["docker pull alpine"] and result.problems == ()


def test_a_missing_include_is_a_problem_when_docker_is_mentioned() -> None:
    result = run({"Makefile": "include gone.mk\nt:\n\tdocker pull x\n"}, "make")
    assert reasons(result) == ["the Makefile gone.mk was not found or is unreadable"]
    quiet = run({"Makefile": "include gone.mk\nt:\n\techo x\n"}, "make")
    assert quiet.problems == ()


def test_an_include_make_would_glob_is_unknown() -> None:
    result = run({"Makefile": "include mk/*.mk\nt:\n\tdocker pull x\n", "mk/a.mk": ""}, "make")
    assert reasons(result) == ["an included Makefile is not known (mk/*.mk)"]


def test_a_makefile_including_itself_stops_with_a_note() -> None:
    result = run({"Makefile": "include Makefile\nt:\n\tdocker pull x\n"}, "make")
    assert commands(result) == ["docker pull x"]
    assert reasons(result) == ["Makefile includes itself; make would loop, hubspec stops"]


def test_a_missing_makefile_runs_nothing() -> None:
    for command in ("make build", "make -f ci.mk", "make -C build install"):
        result = run({}, command)
        assert result.lines == () and result.problems == ()


def test_makefile_outside_the_source_root_is_not_read() -> None:
    tree = Files({})
    result = make_run(["make", "-C", "../other"], ".", tree.resolve, tree.read, {})
    assert tree.reads == [] and result.problems == ()


def test_a_pattern_rule_needed_for_a_goal_is_unknown_when_it_runs_docker() -> None:
    makefile = "%.image:\n\tdocker build -t $* .\n%.txt:\n\techo $*\n"
    result = run({"Makefile": makefile}, "make app.image notes.txt")
    assert commands(result) == []
    assert reasons(result) == [
        "app.image would be made by the pattern rule %.image, which hubspec does not follow"
    ]


def test_static_pattern_rules_fill_in_the_stem() -> None:
    makefile = "IMAGES = api web\n$(IMAGES): %: %/Dockerfile\n\tdocker build -t $* $*\n"
    assert commands(run({"Makefile": makefile}, "make web")) == ["docker build -t web web"]


def test_dry_run_runs_only_plus_lines_and_recursive_make() -> None:
    makefile = "t:\n\tdocker pull a\n\t+echo forced\n\t$(MAKE) -C sub\n"
    assert commands(run({"Makefile": makefile}, "make -n")) == ["echo forced", "make -C sub"]


def test_one_shell_joins_a_recipe() -> None:
    makefile = ".ONESHELL:\nt:\n\tcd docker\n\tdocker build .\n"
    assert commands(run({"Makefile": makefile}, "make")) == ["cd docker\ndocker build ."]


# ---------------------------------------------------------------- command lines


def test_make_arguments() -> None:
    found = parse_make_args(["make", "-sj", "4", "-k", "--no-print-directory", "A=1", "b", "c"])
    assert (found.goals, found.overrides, found.problem) == (["b", "c"], {"A": "1"}, None)
    assert parse_make_args(["make", "-j", "build"]).goals == ["build"]
    assert parse_make_args(["make", None]).unknown_words == 1
    assert parse_make_args(["make", "-C", None]).problem == "make -C has no known argument"
    assert parse_make_args(["make", "--eval=x"]).problem == "make option --eval is not understood"
    assert parse_make_args(["make", "--version"]).runs_nothing


def test_an_unknown_make_argument_is_a_problem_not_a_guess() -> None:
    tree = Files({"Makefile": "t:\n\tdocker pull x\nu:\n\techo u\n"})
    result = make_run(["make", None], ".", tree.resolve, tree.read, {})
    assert commands(result) == []
    assert reasons(result) == [
        "a make argument is not known statically, so its goals are not known"
    ]
    result = make_run(["make", "u", None], ".", tree.resolve, tree.read, {})
    assert commands(result) == ["echo u"]
    quiet = Files({"Makefile": "t:\n\techo t\n"})
    assert make_run(["make", None], ".", quiet.resolve, quiet.read, {}).problems == ()


def test_default_goal_variable() -> None:
    makefile = ".DEFAULT_GOAL := second\nfirst:\n\techo 1\nsecond:\n\techo 2\n"
    assert commands(run({"Makefile": makefile}, "make")) == ["echo 2"]


# ---------------------------------------------------------------- bad input


def test_a_binary_makefile_is_a_problem() -> None:
    result = run({"Makefile": "t:\n\tdocker pull x\n\x00\x01\x02"}, "make")
    assert commands(result) == [] and reasons(result) == ["Makefile is not a text file"]


def test_a_makefile_that_exists_but_cannot_be_read_is_a_problem() -> None:
    tree = Files({})
    result = make_run(
        ["make"],
        ".",
        tree.resolve,
        tree.read,
        {},
        why=lambda path: "is a FIFO" if path.name == "makefile" else None,
    )
    assert reasons(result) == ["the Makefile makefile is a FIFO"]
    assert tree.reads == ["GNUmakefile", "makefile"]


def test_a_huge_makefile_is_refused_quickly() -> None:
    makefile = "t:\n\tdocker pull x\n" + "# filler line\n" * 200_000
    started = time.monotonic()
    result = run({"Makefile": makefile}, "make")
    assert time.monotonic() - started < 5
    assert reasons(result) == ["the Makefiles add up to more than 2,000,000 characters"]


def test_a_deep_prerequisite_chain_is_bounded() -> None:
    lines = [f"t{n}: t{n + 1}\n\techo {n}\n" for n in range(20_000)]
    started = time.monotonic()
    result = run({"Makefile": "".join(lines)}, "make")
    assert time.monotonic() - started < 10
    assert reasons(result) == ["make is followed for 5,000 targets only"]


def test_an_expansion_that_doubles_is_bounded() -> None:
    makefile = "A0 = docker\n" + "".join(f"A{n + 1} = $(A{n})$(A{n})\n" for n in range(40))
    result = run({"Makefile": makefile + "t:\n\techo $(A40)\n"}, "make")
    assert commands(result) == []
    assert reasons(result)[0].startswith("make is not followed:")


def test_includes_that_include_each_other_stop() -> None:
    files = {
        "Makefile": "include a.mk\nt:\n\techo t\n",
        "a.mk": "include b.mk\n",
        "b.mk": "include a.mk\n",
    }
    result = run(files, "make")
    assert commands(result) == ["echo t"]
    assert result.problems == ()  # no docker anywhere: the loop cannot hide a pull


def test_unbalanced_and_odd_text_does_not_crash() -> None:
    makefile = "A = $(\nB = ${x\nifeq (\nelse\nendif\nendif\nt: $(\n\techo $(A\n:\n=\n"
    run({"Makefile": makefile}, "make")


# ---------------------------------------------------------------- package.json scripts

PACKAGE = """{
  "name": "app",
  "scripts": {
    "prebuild": "echo before",
    "build": "docker build -t app .",
    "postbuild": "echo after",
    "test": "jest"
  }
}
"""


def scripts(
    command: str, files: dict[str, str], cwd: str = "."
) -> list[tuple[str, str, int]] | None:
    tree = Files(files)
    found = script_run(command.split(), cwd, tree.resolve, tree.read)
    if found is None:
        return None
    return [(script.name, script.command, script.line) for script in found.scripts]


def test_npm_run_runs_pre_and_post_scripts() -> None:
    assert scripts("npm run build", {"package.json": PACKAGE}) == [
        ("prebuild", "echo before", 4),
        ("build", "docker build -t app .", 5),
        ("postbuild", "echo after", 6),
    ]


@pytest.mark.parametrize("command", ["yarn build", "yarn run build", "npm run-script build"])
def test_yarn_and_npm_forms(command: str) -> None:
    found = scripts(command, {"package.json": PACKAGE})
    assert found is not None and [name for name, _, _ in found] == [
        "prebuild",
        "build",
        "postbuild",
    ]


def test_pnpm_runs_no_pre_or_post_scripts() -> None:
    assert scripts("pnpm run build", {"package.json": PACKAGE}) == [
        ("build", "docker build -t app .", 5)
    ]


def test_arguments_after_the_script_are_appended_quoted() -> None:
    found = scripts("npm run build -- --build-arg X=a b", {"package.json": PACKAGE})
    assert found is not None and found[1][1] == "docker build -t app . --build-arg X=a b"
    found = scripts("npm test -- --watch", {"package.json": PACKAGE})
    assert found == [("test", "jest --watch", 7)]


def test_the_nearest_package_json_up_the_tree() -> None:
    tree = Files({"package.json": PACKAGE})
    found = script_run(["npm", "run", "test"], "web/src", tree.resolve, tree.read)
    assert found is not None and found.directory == "." and found.scripts[0].command == "jest"
    assert tree.reads == ["web/src/package.json", "web/package.json", "package.json"]


def test_npm_prefix_changes_the_directory() -> None:
    found = scripts("npm --prefix web run build", {"web/package.json": PACKAGE})
    assert found is not None and len(found) == 3


@pytest.mark.parametrize("option", ["--prefix", "--cwd", "-C"])
def test_a_directory_option_with_an_unknown_value_is_reported(option: str) -> None:
    """`npm --prefix $APP run build` runs app's script, not the one in the working directory."""
    manager = "npm" if option == "--prefix" else "yarn" if option == "--cwd" else "pnpm"
    tree = Files({"package.json": PACKAGE})
    found = script_run([manager, option, None, "run", "build"], ".", tree.resolve, tree.read)
    assert found is not None and found.scripts == ()
    assert found.problems == (f"the folder `{manager}` runs the script in ({option}) is not known",)


def test_commands_that_run_no_script() -> None:
    assert scripts("npm install", {"package.json": PACKAGE}) is None
    assert scripts("yarn", {"package.json": PACKAGE}) is None
    assert scripts("yarn install --frozen-lockfile", {"package.json": PACKAGE}) is None
    assert scripts("npm run", {"package.json": PACKAGE}) is None
    assert scripts("npm run missing", {"package.json": PACKAGE}) == []


def test_package_json_problems() -> None:
    tree = Files({"package.json": "{not json"})
    bad = script_run(["npm", "run", "build"], ".", tree.resolve, tree.read)
    assert bad is not None and bad.problems[0].startswith("package.json is not valid JSON")
    none = script_run(["npm", "run", "build"], ".", Files({}).resolve, Files({}).read)
    assert none is not None and none.problems == () and none.scripts == ()
    deep = script_run(["npm", "run", "b"], ".", tree.resolve, lambda _: "[" * 100_000)
    assert deep is not None and deep.problems[0].startswith("package.json is not valid JSON")
    recursive = script_run(["pnpm", "-r", "run", "build"], ".", tree.resolve, tree.read)
    assert recursive is not None and "workspaces" in recursive.problems[0]


def test_yarn_passes_options_after_the_script_name_on() -> None:
    found = scripts("yarn test --watch", {"package.json": PACKAGE})
    assert found == [("test", "jest --watch", 7)]
    found = scripts("npm run test --silent", {"package.json": PACKAGE})
    assert found == [("test", "jest", 7)]


def test_a_command_line_variable_with_an_unknown_value() -> None:
    tree = Files({"Makefile": "REGISTRY = hub\nt:\n\tdocker pull $(REGISTRY)/app\n"})
    result = make_run(
        ["make", "t"], ".", tree.resolve, tree.read, {}, unknown_assignments=["REGISTRY"]
    )
    assert commands(result) == ["docker pull $(REGISTRY)/app"]
    assert result.lines[0].unknown == ("$(REGISTRY) (set on the command line)",)
    assert result.environment == {"REGISTRY": None}


def test_a_read_phase_is_reused_by_later_runs_with_the_same_command_line() -> None:
    tree = Files({"Makefile": "A = x\na:\n\techo $(A) $@\nb:\n\techo $(A) $@\n"})
    cache: ReadCache = {}
    first = make_run(["make", "a"], ".", tree.resolve, tree.read, {}, cache=cache)
    second = make_run(["make", "b"], ".", tree.resolve, tree.read, {}, cache=cache)
    other = make_run(["make", "b", "A=y"], ".", tree.resolve, tree.read, {}, cache=cache)
    assert (commands(first), commands(second), commands(other)) == (
        ["echo x a"],
        ["echo x b"],
        ["echo y b"],
    )
    assert tree.reads.count("Makefile") == 2  # read again only for the other command line


def test_a_makefile_reading_its_goals_is_read_again_for_other_goals() -> None:
    tree = Files({"Makefile": "G := $(MAKECMDGOALS)\na b:\n\techo $(G)\n"})
    cache: ReadCache = {}
    first = make_run(["make", "a"], ".", tree.resolve, tree.read, {}, cache=cache)
    second = make_run(["make", "b"], ".", tree.resolve, tree.read, {}, cache=cache)
    assert (commands(first), commands(second)) == (["echo a"], ["echo b"])


def test_a_read_phase_is_reused_only_when_the_variables_it_asked_for_agree() -> None:
    makefile = (
        "ifdef CI\nIMAGE = node\nendif\nt:\n\tdocker pull $(IMAGE) $(TAG) $(ONLY_IN_RECIPE)\n"
    )
    tree = Files({"Makefile": makefile})
    cache: ReadCache = {}

    def pulls(environment: dict[str, str | None]) -> list[str]:
        found = make_run(["make"], ".", tree.resolve, tree.read, environment, cache=cache)
        return commands(found)

    assert pulls({"CI": "1", "TAG": "a"}) == ["docker pull node a ${ONLY_IN_RECIPE}"]
    assert pulls({"TAG": "b"}) == ["docker pull ${IMAGE} b ${ONLY_IN_RECIPE}"]
    assert pulls({"CI": "1", "TAG": "c", "ONLY_IN_RECIPE": "x"}) == ["docker pull node c x"]
    assert tree.reads.count("Makefile") == 2
    found = make_run(["make"], ".", tree.resolve, tree.read, {"CI": "1", "TAG": "d"}, cache=cache)
    assert found.environment == {"CI": "1", "TAG": "d"}


# ---------------------------------------------------------------- workspaces

MONOREPO = {
    "package.json": '{"name": "mono", "workspaces": ["apps/*", "tools"],'
    ' "scripts": {"build": "echo root"}}',
    "apps/web/package.json": '{"name": "web", "scripts": {"prebuild": "echo pre-web",'
    ' "build": "docker build -t web ."}}',
    "apps/api/package.json": '{"name": "api-server", "scripts": {"build": "docker pull python"}}',
    "apps/docs/README.md": "not a package: no package.json",
    "apps/.cache/package.json": '{"name": "hidden", "scripts": {"build": "docker pull redis"}}',
    "apps/lint/package.json": '{"name": "lint", "scripts": {"test": "docker pull busybox"}}',
    "tools/package.json": '{"scripts": {"build": "docker pull alpine"}}',
}


def workspace_scripts(
    command: str, files: dict[str, str], cwd: str = "."
) -> list[tuple[str, str, str]] | tuple[str, ...]:
    """(folder, script, command) of each script run, or the problems."""
    tree = Files(files)
    found = script_run(command.split(), cwd, tree.resolve, tree.read, tree.folders)
    assert found is not None
    if found.problems:
        return found.problems
    return [(script.directory, script.name, script.command) for script in found.scripts]


def test_npm_workspaces_run_the_script_in_each_package_in_npm_order() -> None:
    """Pattern by pattern, matches sorted; hidden folders, folders without a package.json and
    packages without the script are skipped; the root's own script does not run."""
    expected = [
        ("apps/api", "build", "docker pull python"),
        ("apps/web", "prebuild", "echo pre-web"),
        ("apps/web", "build", "docker build -t web ."),
        ("tools", "build", "docker pull alpine"),
    ]
    assert workspace_scripts("npm run build --workspaces", MONOREPO) == expected
    assert workspace_scripts("npm run build -ws --if-present", MONOREPO) == expected
    assert workspace_scripts("npm run --workspaces=true build", MONOREPO) == expected


def test_npm_workspace_chosen_by_name_by_folder_or_by_parent_folder() -> None:
    web = [("apps/web", "prebuild", "echo pre-web"), ("apps/web", "build", "docker build -t web .")]
    assert workspace_scripts("npm run build -w web", MONOREPO) == web
    assert workspace_scripts("npm run build --workspace=apps/web", MONOREPO) == web
    assert workspace_scripts("npm run build --workspace ./apps/web/", MONOREPO) == web
    # a folder holding workspaces chooses each one directly in it
    assert [folder for folder, _, _ in workspace_scripts("npm run build -w apps", MONOREPO)] == [
        "apps/api",
        "apps/web",
        "apps/web",
    ]
    # named twice: runs once; in the order named
    assert workspace_scripts("npm run build -w tools -w api-server -w tools", MONOREPO) == [
        ("tools", "build", "docker pull alpine"),
        ("apps/api", "build", "docker pull python"),
    ]
    # `npm test` and `npm run test` alike
    assert workspace_scripts("npm test -w lint", MONOREPO) == [
        ("apps/lint", "test", "docker pull busybox")
    ]


def test_npm_workspace_root_and_choices_that_run_nothing() -> None:
    with_root = workspace_scripts("npm run build -w tools --include-workspace-root", MONOREPO)
    assert with_root == [(".", "build", "echo root"), ("tools", "build", "docker pull alpine")]
    assert workspace_scripts("npm run build -w nothing-of-that-name", MONOREPO) == []
    no_workspaces = {"package.json": '{"scripts": {"build": "docker pull alpine"}}'}
    assert workspace_scripts("npm run build -ws", no_workspaces) == []
    unknown = Files(MONOREPO)
    found = script_run(
        ["npm", "run", "build", "-w", None], ".", unknown.resolve, unknown.read, unknown.folders
    )
    assert found is not None and found.problems == (
        "the workspace `npm` runs the script in is not known",
    )


def test_workspace_patterns_negation_globstar_braces_and_the_object_form() -> None:
    files = {
        "package.json": '{"workspaces": {"packages": ["{apps,libs}/*", "!apps/old",'
        ' "nested/**", "!!apps/old"]}}',
        "apps/old/package.json": '{"name": "old", "scripts": {"b": "docker pull old"}}',
        "apps/new/package.json": '{"name": "new", "scripts": {"b": "docker pull new"}}',
        "libs/x/package.json": '{"name": "x", "scripts": {"b": "docker pull x"}}',
        "nested/package.json": '{"name": "n0", "scripts": {"b": "docker pull n0"}}',
        "nested/a/b/package.json": '{"name": "n2", "scripts": {"b": "docker pull n2"}}',
        "nested/a/node_modules/m/package.json": '{"name": "m", "scripts": {"b": "docker pull m"}}',
        "nested/link@/package.json": '{"name": "l", "scripts": {"b": "docker pull l"}}',
    }
    # `!apps/old` removes it; `!!apps/old` (an even count) adds it back, at its place then
    assert [folder for folder, _, _ in workspace_scripts("npm run b -ws", files)] == [
        "apps/new",
        "libs/x",
        "nested",
        "nested/a/b",
        "apps/old",
    ]


def test_workspace_patterns_that_are_not_followed_are_reported() -> None:
    extglob = {"package.json": '{"workspaces": ["apps/+(a|b)"]}'}
    assert workspace_scripts("npm run b -ws", extglob) == (
        "the workspace pattern 'apps/+(a|b)' is not followed",
    )
    bad = dict(MONOREPO, **{"apps/web/package.json": "{not json"})
    problems = workspace_scripts("npm run build -ws", bad)
    assert isinstance(problems, tuple) and problems[0].startswith(
        "apps/web/package.json is not valid JSON"
    )
    wide = {"package.json": '{"workspaces": ["**/x"]}'}
    wide.update({f"d{n}/e{m}/f": "" for n in range(60) for m in range(40)})
    assert workspace_scripts("npm run b -ws", wide) == (
        "the workspace patterns reach more than 2,000 folders",
    )


def test_yarn_classic_workspace_commands() -> None:
    all_of_them = workspace_scripts("yarn workspaces run build", MONOREPO)
    assert [folder for folder, _, _ in all_of_them] == ["apps/api", "apps/web", "apps/web", "tools"]
    assert workspace_scripts("yarn workspace api-server build", MONOREPO) == [
        ("apps/api", "build", "docker pull python")
    ]
    assert workspace_scripts("yarn workspace api-server run build -- x", MONOREPO) == [
        ("apps/api", "build", "docker pull python x")
    ]
    assert workspace_scripts("yarn workspace apps/api build", MONOREPO) == []  # names only
    assert workspace_scripts("yarn workspaces foreach --from x run build", MONOREPO) == (
        "`yarn workspaces foreach --from` chooses the workspaces to run the script in,"
        " which hubspec does not follow",
    )
    tree = Files(MONOREPO)
    assert (
        script_run(["yarn", "workspace", "web", "add", "x"], ".", tree.resolve, tree.read) is None
    )
    assert script_run(["yarn", "workspaces", "info"], ".", tree.resolve, tree.read) is None


PNPM_MONOREPO = {
    "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - 'libs/*'\n  - '!libs/old'\n",
    "package.json": '{"name": "root", "scripts": {"build": "echo root", "prebuild": "x"}}',
    "apps/web/package.json": '{"name": "web", "dependencies": {"ui": "workspace:*"},'
    ' "scripts": {"prebuild": "echo no pre in pnpm", "build": "docker build -t web ."}}',
    "apps/api/package.json": '{"name": "api", "scripts": {"build": "docker pull python"}}',
    "libs/ui/package.json": '{"name": "ui", "scripts": {"build": "docker pull node"}}',
    "libs/old/package.json": '{"name": "old", "scripts": {"build": "docker pull old"}}',
}


@pytest.mark.parametrize(
    ("command", "cwd", "run"),
    [
        # every package but the root, dependencies first, no pre- or post-scripts
        ("pnpm -r run build", ".", ["apps/api", "libs/ui", "apps/web"]),
        ("pnpm --recursive build", ".", ["apps/api", "libs/ui", "apps/web"]),
        ("pnpm -r --include-workspace-root build", ".", [".", "apps/api", "libs/ui", "apps/web"]),
        ("pnpm --filter web... run build", ".", ["libs/ui", "apps/web"]),
        ("pnpm -F ./apps build", ".", ["apps/api", "apps/web"]),
        ("pnpm --filter=api build", ".", ["apps/api"]),
        ("pnpm -w run build", "apps/web", ["."]),
        ("pnpm -r build", "apps", ["apps/api", "apps/web"]),  # below the working directory
        ("pnpm --filter nothing build", ".", []),
    ],
)
def test_pnpm_recursive_and_filtered_runs(command: str, cwd: str, run: list[str]) -> None:
    tree = Files(PNPM_MONOREPO)
    found = script_run(command.split(), cwd, tree.resolve, tree.read, tree.folders)
    assert found is not None and found.problems == ()
    assert [script.directory for script in found.scripts] == run
    assert all(script.name == "build" for script in found.scripts)


@pytest.mark.parametrize(
    ("files", "command", "problem"),
    [
        (
            {"package.json": PACKAGE},
            "pnpm -r build",
            "`pnpm` runs the script in workspaces, but no pnpm-workspace.yaml was found",
        ),
        (
            {"pnpm-workspace.yaml": "catalog: {}\n", "package.json": PACKAGE},
            "pnpm -r build",
            'pnpm-workspace.yaml has no "packages" list of folders',
        ),
        (
            PNPM_MONOREPO,
            "pnpm --filter [origin/main] build",
            "the pnpm filter '[origin/main]' is not followed",
        ),
        (
            dict(PNPM_MONOREPO, **{"libs/ui/package.json": "{"}),
            "pnpm -r build",
            "libs/ui/package.json is not valid JSON",
        ),
    ],
)
def test_pnpm_workspace_runs_that_are_not_known(
    files: dict[str, str], command: str, problem: str
) -> None:
    tree = Files(files)
    found = script_run(command.split(), ".", tree.resolve, tree.read, tree.folders)
    assert found is not None and found.scripts == ()
    assert len(found.problems) == 1 and found.problems[0].startswith(problem)


def test_npm_workspaces_from_inside_a_workspace_use_the_workspace_root() -> None:
    """npm 8 finds the root whose workspaces hold the working directory's package."""
    found = workspace_scripts("npm run build -ws", MONOREPO, cwd="apps/web/src")
    assert [folder for folder, _, _ in found] == ["apps/api", "apps/web", "apps/web", "tools"]
    assert workspace_scripts("npm run build -w tools", MONOREPO, cwd="apps/web") == [
        ("tools", "build", "docker pull alpine")
    ]
    # a package that is no workspace of the package.json above it: its own, which has none
    outside = dict(MONOREPO, **{"other/package.json": '{"scripts": {"build": "x"}}'})
    assert workspace_scripts("npm run build -ws", outside, cwd="other") == []


YARN_MONOREPO = {
    "package.json": '{"name": "root", "private": true, "workspaces": ["packages/*"],'
    ' "scripts": {"build": "echo root"}}',
    "packages/app/package.json": '{"name": "app", "dependencies": {"lib": "workspace:^"},'
    ' "scripts": {"prebuild": "echo no pre in yarn 2", "build": "docker build ."}}',
    "packages/lib/package.json": '{"name": "lib", "scripts": {"build": "docker pull node"}}',
    "packages/tool/package.json": '{"name": "tool", "private": true,'
    ' "scripts": {"build": "docker pull alpine"}}',
}


@pytest.mark.parametrize(
    ("command", "cwd", "run"),
    [
        # the root is a workspace; the workspaces' order; no pre- or post-scripts
        ("yarn workspaces foreach -A run build", ".", [".", "packages/app", "packages/lib", "packages/tool"]),
        ("yarn workspaces foreach build", ".", [".", "packages/app", "packages/lib", "packages/tool"]),
        ("yarn workspaces foreach -At run build", ".", [".", "packages/lib", "packages/tool", "packages/app"]),
        ("yarn workspaces foreach -A --no-private run build", ".", ["packages/app", "packages/lib"]),
        ("yarn workspaces foreach -A --include packages/* --exclude tool build", ".", ["packages/app", "packages/lib"]),
        ("yarn workspaces foreach -A --include=l* -pv run build", ".", ["packages/lib"]),
        ("yarn workspaces foreach -R run build", "packages/app", ["packages/app", "packages/lib"]),
        ("yarn workspaces foreach -W run build", "packages", ["packages/app", "packages/lib", "packages/tool"]),
    ],
)  # fmt: skip
def test_yarn_workspaces_foreach(command: str, cwd: str, run: list[str]) -> None:
    tree = Files(YARN_MONOREPO)
    found = script_run(command.split(), cwd, tree.resolve, tree.read, tree.folders)
    assert found is not None and found.problems == ()
    assert [script.directory for script in found.scripts] == run
    assert {script.name for script in found.scripts} == {"build"}


def test_yarn_workspaces_foreach_choices_not_followed() -> None:
    tree = Files(YARN_MONOREPO)
    since = script_run(
        ["yarn", "workspaces", "foreach", "--since", "run", "build"], ".", tree.resolve, tree.read
    )
    assert since is not None and since.problems == (
        "`yarn workspaces foreach --since` chooses the workspaces to run the script in,"
        " which hubspec does not follow",
    )
    dry = ["yarn", "workspaces", "foreach", "-A", "-n", "run", "build"]
    assert script_run(dry, ".", tree.resolve, tree.read) is None


@pytest.mark.parametrize(
    ("manager", "pre_and_post"),
    [("yarn@4.5.0", False), ("yarn@3.6.1+sha224.abc", False), ("yarn@1.22.22", True), (None, True)],
)
def test_yarn_2_and_later_run_no_pre_or_post_scripts(
    manager: str | None, pre_and_post: bool
) -> None:
    """corepack's `packageManager` says which yarn runs `yarn build`; yarn 2+ has no
    pre/post scripts, yarn classic has."""
    declared = "" if manager is None else f'"packageManager": "{manager}", '
    package = PACKAGE.replace('"name": "app",', f'"name": "app", {declared}')
    found = scripts("yarn build", {"package.json": package})
    expected = ["prebuild", "build", "postbuild"] if pre_and_post else ["build"]
    assert found is not None and [name for name, _, _ in found] == expected


def test_workspace_patterns_over_a_very_deep_tree_stop_with_a_problem() -> None:
    """`**` over 600 nested folders: a problem past 64 folders deep, never a RecursionError;
    `**/**/**` is one `**` (the same matches, not one walk per way to split the path)."""
    deep = {"package.json": '{"workspaces": ["**"]}', "/".join(["d"] * 600) + "/x": ""}
    assert workspace_scripts("npm run b -ws", deep) == (
        "the workspace patterns go more than 64 folders deep",
    )
    repeated = dict(MONOREPO, **{"package.json": '{"workspaces": ["apps/**/**/**"]}'})
    assert [folder for folder, _, _ in workspace_scripts("npm run build -ws", repeated)] == [
        "apps/api",
        "apps/web",
        "apps/web",
    ]
