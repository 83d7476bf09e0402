"""Python loads this at start-up in the subprocesses that tests start (``tests/conftest.py`` puts
this folder first on ``PYTHONPATH``): ape commands run by tests (``ape run demo``, ``ape run
deploy``, ...) then skip the same per-transaction work as the tests themselves
(``tests/helpers/ape_speed.py``), applied when ape's command line starts. Nothing else changes:
a Python process that never imports ape's command line is left alone."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

APE_SPEED = Path(__file__).resolve().parent.parent / "ape_speed.py"


def _ape_speed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_communis_tests_ape_speed", APE_SPEED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _AfterApeCli(importlib.abc.MetaPathFinder):
    """Wraps ``ape._cli.cli`` (what the ``ape`` script calls) once that module is loaded."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "ape._cli":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_wrap(module: ModuleType) -> None:
            exec_module(module)
            cli = module.cli

            def cli_with_shortcuts(*args: Any, **kwargs: Any) -> Any:
                with _ape_speed().applied():
                    return cli(*args, **kwargs)

            module.cli = cli_with_shortcuts

        spec.loader.exec_module = exec_and_wrap  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, _AfterApeCli())
