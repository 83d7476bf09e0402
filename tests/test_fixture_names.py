"""A fixture name means one thing in every folder: one scope wherever it is defined.

Besides keeping tests readable, ape's pytest plugin orders fixtures around its isolation
snapshots by the scope it first saw for a name, so a name that is module-scoped in one folder and
function-scoped in another makes ape take the function snapshot after that function fixture ran,
and its changes leak into the next test."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.offchain

TESTS = Path(__file__).resolve().parent


def fixture_scopes() -> dict[str, set[tuple[str, str]]]:
    """{fixture name: {(file, scope)}} for every ``@pytest.fixture`` / ``@ape.fixture`` here."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if "fixture" not in ast.unparse(decorator):
                    continue
                options = {"scope": "function"}
                for keyword in decorator.keywords if isinstance(decorator, ast.Call) else []:
                    if keyword.arg in ("scope", "name"):
                        options[keyword.arg] = ast.literal_eval(keyword.value)
                name = options.get("name", node.name)
                found[name].add((str(path.relative_to(TESTS)), options["scope"]))
    return found


def test_every_fixture_name_has_one_scope():
    mixed = {
        name: sorted(places)
        for name, places in fixture_scopes().items()
        if len({scope for _, scope in places}) > 1
    }
    assert not mixed, f"fixture names defined with different scopes: {mixed}"


def test_account_fixtures_are_defined_once():
    accounts = ("deployer", "alice", "bob", "carol", "proposer", "guardian", "whale", "awarder")
    scopes = fixture_scopes()
    for name in (*accounts, "attacker", "treasury", "gov"):
        assert {file for file, _ in scopes[name]} == {"conftest.py"}, (name, scopes[name])
