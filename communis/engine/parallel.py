"""Speed helpers for the hot loops: two-way fork parallelism (POSIX; serial elsewhere) and
pausing the cyclic garbage collector while millions of small objects are created.

Hashing a million leaves is CPU-bound Python; a forked child inherits the inputs for free
(copy-on-write) and writes its fixed-size result into an anonymous shared mapping, so nothing
is pickled. Results never depend on whether work ran in parallel: if the child fails, its share
is recomputed here.
"""

from __future__ import annotations

import gc
import mmap
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager

PARALLEL_THRESHOLD = 50_000
"""Below this many leaves a fork costs more than it saves."""


def workers_for(items: int, workers: int | None = None) -> int:
    """How many processes to use for ``items`` leaves (``workers`` overrides; at most 2)."""
    if workers is not None:
        return max(1, min(2, workers))
    if items < PARALLEL_THRESHOLD or not hasattr(os, "fork"):
        return 1
    return min(2, os.cpu_count() or 1)


def fork_call(child: Callable[[], bytes], size: int, parent: Callable[[], object]) -> bytes:
    """Run ``child()`` in a forked process while ``parent()`` runs here; return child's bytes.

    ``child`` must return exactly ``size`` bytes. ``parent`` may mutate local state (the
    child's mutations are lost, which is why it returns bytes).
    """
    if size == 0 or not hasattr(os, "fork"):
        parent()
        return child()
    shared = mmap.mmap(-1, size)
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                data = child()
                if len(data) == size:
                    shared[:] = data
                    code = 0
            finally:
                os._exit(code)
        try:
            parent()
        finally:
            _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return child()
        return shared[:]
    finally:
        shared.close()


class ChildFailed(Exception):
    """The forked child raised or died; callers redo its share serially."""


def fork_pickled(
    child: Callable[[], object], parent: Callable[[], object]
) -> tuple[object, object]:
    """Run ``child()`` in a forked process and ``parent()`` here; return both results.

    The child's result comes back pickled through a pipe (read after ``parent()`` returns). If
    the child raises or dies, its result is a :class:`ChildFailed` instance (not raised), so the
    caller decides how to recover; exceptions of ``parent()`` propagate after the child is
    reaped.
    """
    if not hasattr(os, "fork"):
        return ChildFailed("no fork on this platform"), parent()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(child(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    source = os.fdopen(read_end, "rb")
    try:
        mine = parent()
        payload = source.read()
    finally:
        source.close()  # unblocks a child still writing if parent() raised
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not payload:
        return ChildFailed("child failed"), mine
    return pickle.loads(payload), mine


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC (the engine creates millions of acyclic tuples and strings, which
    otherwise trigger full collections over and over: 30-70% of the time on a big ledger)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
