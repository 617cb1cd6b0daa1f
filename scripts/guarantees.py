"""Break each guarantee on purpose and check that its tests notice (`make guarantees`).

DESIGN promises that every guarantee has a test that breaks it on purpose. This keeps the
promise honest: `guarantees/mutations/<NN>-<slug>.toml` holds one small mutation per guarantee
(the guarantee's number and text, exact `find` → `replace` edits, the tests that must catch it).
For each mutation the runner

1. applies the edits in a scratch copy of the repository (never in this tree),
2. runs the listed tests there, with the copy's own packages first on `PYTHONPATH` (the venv's
   editable installs point at this tree; the runner checks that every workspace package is
   imported from the copy before it trusts a result),
3. reports the mutation `caught` (a listed test failed) or `SURVIVED` (all stayed green), with
   the time it took.

Before any mutation, the listed tests run once on the unmodified copy: a test that already
fails would "catch" everything. It exits 1 naming every survivor, and also when a mutation no
longer applies (its `find` text is gone or no longer unique: the code moved; re-point it) or
when a run could not tell (collection error, unknown test id).

Usage: uv run python scripts/guarantees.py [--only 02 --only 05] [--list] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MUTATIONS_DIR = Path("guarantees") / "mutations"
# Workspace members: the folders that hold the importable packages (`<dir>/<package>/`).
PACKAGE_DIRS: dict[str, str] = {
    "quest_common": "common",
    "quest_devtools": "devtools",
    "auth_service": "auth-service",
    "catalog_service": "catalog-service",
    "processing_service": "processing-service",
}
PYTEST_ARGS = ("-q", "-x", "-p", "no:cacheprovider", "--no-header")

# pytest's exit codes: 0 all passed, 1 some test failed; anything else says nothing about the
# mutation (interrupted, internal error, usage error such as an unknown test id, no tests).
PYTEST_PASSED, PYTEST_FAILED = 0, 1


def say(line: str) -> None:
    print(line, flush=True)  # progress shows while a long pytest run goes on


class MutationError(Exception):
    """A mutation file that cannot be read or no longer applies to the code."""


@dataclass(frozen=True)
class Edit:
    file: str
    find: str
    replace: str


@dataclass(frozen=True)
class Mutation:
    key: str  # the file name without `.toml`, e.g. "02-credit-once"
    guarantee: int
    title: str
    text: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def files(self) -> set[str]:
        return {edit.file for edit in self.edits}


def load_mutation(path: Path) -> Mutation:
    """One `<NN>-<slug>.toml`; raises MutationError saying what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MutationError(f"{path.name}: cannot read it: {exc}") from exc

    def missing(name: str, kind: str) -> MutationError:
        return MutationError(f"{path.name}: `{name}` is missing or not {kind}")

    def text_of(name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise missing(name, "a text")
        return value

    def list_of(name: str) -> list[Any]:
        value = data.get(name)
        if not isinstance(value, list) or not value:
            raise missing(name, "a list")
        return value

    guarantee = data.get("guarantee")
    if not isinstance(guarantee, int) or isinstance(guarantee, bool):
        raise missing("guarantee", "a number")
    edits = []
    for number, raw in enumerate(list_of("edits"), 1):
        if not isinstance(raw, dict) or not all(
            isinstance(raw.get(k), str) for k in ("file", "find", "replace")
        ):
            raise MutationError(f"{path.name}: edit {number} needs `file`, `find` and `replace`")
        unknown = set(raw) - {"file", "find", "replace"}
        if unknown:
            raise MutationError(
                f"{path.name}: edit {number} has unknown keys {sorted(unknown)} (in TOML, the "
                "top-level keys go before the first [[edits]])"
            )
        if not raw["find"] or raw["find"] == raw["replace"]:
            raise MutationError(f"{path.name}: edit {number} changes nothing")
        edits.append(Edit(file=raw["file"], find=raw["find"], replace=raw["replace"]))
    tests = list_of("tests")
    if not all(isinstance(t, str) and t for t in tests):
        raise MutationError(f"{path.name}: `tests` must list pytest node ids or paths")
    env = data.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise MutationError(f"{path.name}: `env` must map names to strings")
    prefix = path.stem.split("-", 1)[0]
    if not prefix.isdigit() or int(prefix) != guarantee:
        raise MutationError(
            f"{path.name}: the file name must start with its guarantee number ({guarantee:02d}-)"
        )
    return Mutation(
        key=path.stem,
        guarantee=guarantee,
        title=text_of("title"),
        text=text_of("text"),
        edits=tuple(edits),
        tests=tuple(tests),
        env=dict(env),
    )


def load_mutations(directory: Path) -> list[Mutation]:
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise MutationError(f"no mutations in {directory}")
    return [load_mutation(path) for path in paths]


def mutated_sources(mutation: Mutation, root: Path) -> dict[str, str]:
    """file → its text with the mutation's edits applied. Each `find` must occur exactly once:
    a missing one means the code moved, and two would make the edit a guess."""
    texts: dict[str, str] = {}
    for edit in mutation.edits:
        if edit.file not in texts:
            path = root / edit.file
            if not path.is_file():
                raise MutationError(
                    f"{mutation.key}: {edit.file} does not exist any more (moved?): "
                    "re-point the mutation"
                )
            texts[edit.file] = path.read_text(encoding="utf-8")
        count = texts[edit.file].count(edit.find)
        if count == 0:
            raise MutationError(
                f"{mutation.key}: the `find` text no longer exists in {edit.file} (the code "
                f"moved or changed): re-point the mutation. Looked for:\n{_indent(edit.find)}"
            )
        if count > 1:
            raise MutationError(
                f"{mutation.key}: the `find` text occurs {count} times in {edit.file}; make it "
                f"longer so it names one place:\n{_indent(edit.find)}"
            )
        texts[edit.file] = texts[edit.file].replace(edit.find, edit.replace)
    return texts


def _indent(text: str) -> str:
    return "\n".join("    | " + line for line in text.splitlines())


# --- the scratch copy ------------------------------------------------------------------------


def repository_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files: what a commit of this tree would hold."""
    # Fixed argument lists (no shell); `git` and the venv's Python are the tools meant.
    listed = subprocess.run(  # noqa: S603
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


def make_copy(root: Path, target: Path) -> None:
    for name in repository_files(root):
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination)


def copy_env(copy: Path, package_dirs: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    paths = [str(copy / folder) for folder in package_dirs.values()]
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # No bytecode: an edit and its revert must never be served from a stale cache.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_imports_from(copy: Path, env: dict[str, str], package_dirs: dict[str, str]) -> None:
    """Prove the runs test the copy: every workspace package must import from inside it."""
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    print(name, importlib.import_module(name).__file__)\n"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, *package_dirs],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    resolved = copy.resolve()
    for line in out.splitlines():
        name, _, where = line.partition(" ")
        if resolved not in Path(where).resolve().parents:
            raise MutationError(f"{name} imports from {where}, not from the scratch copy {copy}")


@dataclass
class Outcome:
    mutation: Mutation
    verdict: str  # "caught", "SURVIVED", "ERROR"
    seconds: float
    detail: str = ""


def run_tests(
    tests: Sequence[str], *, copy: Path, env: dict[str, str], log: Path
) -> tuple[int, float]:
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests],
            cwd=copy,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    return code, time.monotonic() - started


def last_lines(path: Path, count: int = 15) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return _indent("\n".join(lines[-count:]))


def run(
    *,
    root: Path,
    mutations: list[Mutation],
    package_dirs: dict[str, str],
    keep: bool = False,
    out: Callable[[str], None] = say,
) -> int:
    # Every mutation must still apply before anything runs: a moved `find` is reported at once.
    problems = []
    for mutation in mutations:
        try:
            mutated_sources(mutation, root)
        except MutationError as exc:
            problems.append(str(exc))
    if problems:
        for problem in problems:
            out(f"ERROR {problem}")
        out(f"{len(problems)} mutation(s) no longer apply: nothing was run.")
        return 1

    scratch = Path(tempfile.mkdtemp(prefix="guarantees-"))
    copy, logs = scratch / "repo", scratch / "logs"
    logs.mkdir()
    try:
        out(f"copying the repository to {copy}")
        make_copy(root, copy)
        env = copy_env(copy, package_dirs, {})
        check_imports_from(copy, env, package_dirs)
        out(f"the workspace packages import from the copy ({', '.join(package_dirs)})")

        tests = sorted({test for mutation in mutations for test in mutation.tests})
        out(f"baseline: the {len(tests)} listed test(s) on the unmodified copy ...")
        code, seconds = run_tests(tests, copy=copy, env=env, log=logs / "baseline.log")
        if code != PYTEST_PASSED:
            out(f"baseline FAILED in {seconds:.0f}s (pytest exit {code}); a failing test would")
            out("'catch' every mutation, so nothing more runs:")
            out(last_lines(logs / "baseline.log"))
            return 1
        out(f"baseline passed in {seconds:.0f}s")

        outcomes = []
        for number, mutation in enumerate(mutations, 1):
            out(
                f"[{number}/{len(mutations)}] {mutation.key} (guarantee {mutation.guarantee}: "
                f"{mutation.title}) ..."
            )
            originals = {name: (copy / name).read_text(encoding="utf-8") for name in mutation.files}
            for name, text in mutated_sources(mutation, copy).items():
                (copy / name).write_text(text, encoding="utf-8")
            log = logs / f"{mutation.key}.log"
            try:
                code, seconds = run_tests(
                    mutation.tests,
                    copy=copy,
                    env=copy_env(copy, package_dirs, mutation.env),
                    log=log,
                )
            finally:
                for name, text in originals.items():
                    (copy / name).write_text(text, encoding="utf-8")
            if code == PYTEST_FAILED:
                outcome = Outcome(mutation, "caught", seconds)
            elif code == PYTEST_PASSED:
                outcome = Outcome(mutation, "SURVIVED", seconds, "every listed test passed")
            else:
                outcome = Outcome(
                    mutation, "ERROR", seconds, f"pytest exit {code}:\n{last_lines(log)}"
                )
            outcomes.append(outcome)
            out(f"    {outcome.verdict} in {seconds:.1f}s")
            if outcome.verdict != "caught":
                out(f"    {outcome.detail}")
        return report(outcomes, out)
    finally:
        if keep:
            out(f"scratch copy and logs kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def report(outcomes: list[Outcome], say: Callable[[str], None] = say) -> int:
    say("")
    say(f"{'mutation':<44} {'guarantee':>9}  {'verdict':<9} {'time':>7}")
    for o in outcomes:
        say(f"{o.mutation.key:<44} {o.mutation.guarantee:>9}  {o.verdict:<9} {o.seconds:>6.1f}s")
    survivors = [o.mutation.key for o in outcomes if o.verdict == "SURVIVED"]
    errors = [o.mutation.key for o in outcomes if o.verdict == "ERROR"]
    caught = len(outcomes) - len(survivors) - len(errors)
    say(f"{caught} of {len(outcomes)} mutations caught.")
    if survivors:
        say(f"SURVIVED (their tests stayed green on broken code): {', '.join(survivors)}")
    if errors:
        say(f"ERROR (the run could not tell): {', '.join(errors)}")
    return 1 if survivors or errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="run mutations by prefix")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy and logs")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root: Path = args.root
    try:
        mutations = load_mutations(root / MUTATIONS_DIR)
    except MutationError as exc:
        print(f"ERROR {exc}")
        return 1
    if args.only:
        mutations = [m for m in mutations if any(m.key.startswith(p) for p in args.only)]
        if not mutations:
            print(f"no mutation matches {args.only}")
            return 1
    if args.list:
        for m in mutations:
            print(f"{m.key}: guarantee {m.guarantee} ({m.title}); tests: {', '.join(m.tests)}")
        return 0
    listed = sorted({m.guarantee for m in mutations})
    print(f"{len(mutations)} mutation(s) for guarantees {', '.join(map(str, listed))}")
    return run(root=root, mutations=mutations, package_dirs=PACKAGE_DIRS, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
