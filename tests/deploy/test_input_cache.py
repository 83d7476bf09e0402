"""Standard-json inputs remembered between processes (communis/deploy/input_cache.py): what the
cache gives back is exactly what ape gathers, any change to what an input is made from gives
another key, and a damaged entry is gathered and written again."""

from __future__ import annotations

from pathlib import Path

import pytest
from solcx.install import get_solcx_install_folder

from communis.deploy import input_cache
from communis.deploy.verification import _standard_input

pytestmark = pytest.mark.offchain

CONTRACT = "CommunityToken"


def entry_path(project) -> Path:
    root = Path(project.path)
    entry = input_cache.key(root, CONTRACT, Path(get_solcx_install_folder()))
    return root / input_cache.FOLDER / f"{entry}.json"


def test_cached_input_is_the_gathered_one_and_a_damaged_entry_is_replaced(project):
    path = entry_path(project)
    path.unlink(missing_ok=True)
    gathered = _standard_input(project, CONTRACT)
    assert path.is_file()
    assert _standard_input(project, CONTRACT) == gathered
    stored = {"source": gathered.source, "compiler": gathered.compiler, "text": "{}"}
    input_cache.write(Path(project.path), path.stem, stored)
    assert _standard_input(project, CONTRACT).text == b"{}"  # answered from the entry
    path.write_text('{"text": ', encoding="utf-8")
    assert _standard_input(project, CONTRACT) == gathered
    assert input_cache.read(Path(project.path), path.stem) is not None


def test_key_changes_with_every_input_it_is_made_from(tmp_path):
    root, compilers = tmp_path / "project", tmp_path / "solcx"
    (root / "contracts" / ".cache" / "dep").mkdir(parents=True)
    compilers.mkdir()
    own, dependency = root / "contracts" / "A.sol", root / "contracts" / ".cache" / "dep" / "B.sol"
    own.write_text("contract A {}")
    dependency.write_text("contract B {}")
    (root / "ape-config.yaml").write_text("solidity:\n  version: 0.8.28\n")
    (compilers / "solc-v0.8.28").write_text("#!/bin/sh\n")

    def current() -> str:
        return input_cache.key(root, "A", compilers)

    keys = [current(), input_cache.key(root, "B", compilers)]
    assert current() == keys[0]  # the same inputs, the same key
    for path, text in (
        (own, "contract A { }"),
        (dependency, "contract B { }"),
        (root / "ape-config.yaml", "solidity:\n  version: 0.8.29\n"),
        (compilers / "solc-v0.8.28", "#!/bin/sh\nexec true\n"),
    ):
        path.write_text(text)
        keys.append(current())
    assert len(set(keys)) == len(keys)
