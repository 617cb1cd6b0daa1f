"""The `make guarantees` runner itself: reading mutation files, refusing one whose `find` text is
gone, and telling a caught mutation from a survivor, on a small repository made for the test."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_runner() -> ModuleType:
    # scripts/ is no package: load the file the way `make guarantees` runs it.
    spec = importlib.util.spec_from_file_location(
        "guarantees_runner", ROOT / "scripts" / "guarantees.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


runner = _load_runner()

PRICE = """\
def total(prices: list[int]) -> int:
    return sum(price for price in prices if price > 0)
"""


def mutation_file(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def a_mutation(tests: list[str], find: str = "if price > 0", replace: str = "") -> str:
    return f"""\
        guarantee = 3
        title = "refunds never count"
        text = "A negative price never adds to a total."
        tests = {tests!r}

        [[edits]]
        file = "src/shop/price.py"
        find = {find!r}
        replace = {replace!r}
        """


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A tiny repository: package `shop` under src/, one test that checks the guarantee and
    one that does not."""
    repo = tmp_path / "shop"
    (repo / "src" / "shop").mkdir(parents=True)
    (repo / "src" / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (repo / "src" / "shop" / "price.py").write_text(PRICE, encoding="utf-8")
    (repo / "tests").mkdir()
    (repo / "tests" / "test_price.py").write_text(
        textwrap.dedent(
            """\
            from shop.price import total

            def test_positive_prices_add_up():
                assert total([1, 2]) == 3

            def test_refunds_are_left_out():
                assert total([5, -5]) == 5
            """
        ),
        encoding="utf-8",
    )
    (repo / "guarantees" / "mutations").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def test_every_mutation_in_the_repository_reads_and_names_its_guarantee() -> None:
    mutations = runner.load_mutations(ROOT / runner.MUTATIONS_DIR)
    assert {m.guarantee for m in mutations} >= set(range(1, 12))
    for mutation in mutations:
        assert mutation.key.startswith(f"{mutation.guarantee:02d}-")
        assert mutation.tests and mutation.edits and mutation.text.strip()


def test_every_mutation_still_names_exactly_one_place_in_the_tree() -> None:
    """A refactor that moves the code a mutation breaks would make `make guarantees` fail late;
    this says so in every test run."""
    for mutation in runner.load_mutations(ROOT / runner.MUTATIONS_DIR):
        for edit in mutation.edits:
            found = (ROOT / edit.file).read_text().count(edit.find)
            assert found == 1, (mutation.key, edit.file, found)


def test_a_mutation_file_is_read_whole(tmp_path: Path) -> None:
    path = mutation_file(tmp_path, "03-refunds.toml", a_mutation(["tests/test_price.py"]))
    mutation = runner.load_mutation(path)
    assert (mutation.key, mutation.guarantee, mutation.title) == (
        "03-refunds",
        3,
        "refunds never count",
    )
    assert mutation.tests == ("tests/test_price.py",)
    assert mutation.edits == (runner.Edit("src/shop/price.py", "if price > 0", ""),)


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("04-refunds.toml", a_mutation(["t.py"]), "must start with its guarantee number"),
        ("03-refunds.toml", a_mutation([]), "`tests` is missing"),
        ("03-refunds.toml", a_mutation(["t.py"], replace="if price > 0"), "changes nothing"),
        (
            "03-refunds.toml",
            a_mutation(["t.py"]).replace('tests = ["t.py"]\n', "") + 'tests = ["t.py"]\n',
            "unknown keys ['tests']",
        ),
        ("03-refunds.toml", "guarantee = [", "cannot read it"),
    ],
)
def test_a_bad_mutation_file_says_what_is_wrong(
    tmp_path: Path, name: str, body: str, message: str
) -> None:
    with pytest.raises(runner.MutationError, match=message.replace("[", r"\[")):
        runner.load_mutation(mutation_file(tmp_path, name, body))


def test_a_find_text_that_moved_stops_the_run_before_anything_runs(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutation_file(
        shop / runner.MUTATIONS_DIR,
        "03-refunds.toml",
        a_mutation(["tests/test_price.py"], find="if price >= 0"),
    )
    code = runner.main(["--root", str(shop)])
    out = capsys.readouterr().out
    assert code == 1
    assert "the `find` text no longer exists in src/shop/price.py" in out
    assert "if price >= 0" in out
    assert "baseline" not in out  # nothing ran


def test_a_find_text_found_twice_is_refused(shop: Path) -> None:
    # The same text in a second function: which one the mutation means is a guess.
    twice = PRICE + "\n\ndef count(prices):\n    return len([1 for price in prices if price > 0])\n"
    (shop / "src" / "shop" / "price.py").write_text(twice, encoding="utf-8")
    path = mutation_file(shop, "03-refunds.toml", a_mutation(["tests/test_price.py"]))
    with pytest.raises(runner.MutationError, match="occurs 2 times"):
        runner.mutated_sources(runner.load_mutation(path), shop)


def run_shop(shop: Path, tests: list[str]) -> tuple[int, str]:
    mutation = runner.load_mutation(
        mutation_file(shop / runner.MUTATIONS_DIR, "03-refunds.toml", a_mutation(tests))
    )
    lines: list[str] = []
    code = runner.run(
        root=shop, mutations=[mutation], package_dirs={"shop": "src"}, out=lines.append
    )
    return code, "\n".join(lines)


def test_a_survivor_fails_the_run_by_name(shop: Path) -> None:
    code, out = run_shop(shop, ["tests/test_price.py::test_positive_prices_add_up"])
    assert code == 1
    assert "SURVIVED (their tests stayed green on broken code): 03-refunds" in out
    assert "the workspace packages import from the copy (shop)" in out
    # The tree itself was never touched.
    assert (shop / "src" / "shop" / "price.py").read_text(encoding="utf-8") == PRICE


def test_a_caught_mutation_passes_the_run(shop: Path) -> None:
    code, out = run_shop(shop, ["tests/test_price.py"])
    assert code == 0, out
    assert "1 of 1 mutations caught." in out


def test_a_test_id_that_does_not_exist_is_no_catch(shop: Path) -> None:
    code, out = run_shop(shop, ["tests/test_price.py::test_gone"])
    assert code == 1
    assert "baseline FAILED" in out  # an unknown test id neither passes nor catches


def test_a_mutations_env_reaches_its_test_run(shop: Path) -> None:
    # The listed test fails only when the mutation's `env` is set in its run (not the baseline).
    (shop / "tests" / "test_env.py").write_text(
        "import os\n\ndef test_plain_run():\n    assert 'SHOP_MODE' not in os.environ\n",
        encoding="utf-8",
    )
    body = a_mutation(["tests/test_env.py"]).replace(
        "[[edits]]", 'env = { SHOP_MODE = "strict" }\n\n        [[edits]]'
    )
    mutation = runner.load_mutation(mutation_file(shop / runner.MUTATIONS_DIR, "03-env.toml", body))
    assert mutation.env == {"SHOP_MODE": "strict"}
    lines: list[str] = []
    code = runner.run(
        root=shop, mutations=[mutation], package_dirs={"shop": "src"}, out=lines.append
    )
    assert code == 0, "\n".join(lines)
