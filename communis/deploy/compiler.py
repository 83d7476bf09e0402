"""The compiler's long version (``0.8.28+commit.7893614a``), which explorers and the journal
record; the standard-json inputs themselves are in :mod:`communis.deploy.verification`."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def _long_version(binary: Path) -> str:
    """The compiler's long version (``0.8.28+commit.7893614a``): asked once per binary, since each
    question starts the compiler (about 1.5 s for solc-js)."""
    from solcx.wrapper import get_solc_version

    return str(get_solc_version(binary, with_commit_hash=True))
