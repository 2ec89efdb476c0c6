"""Blocks of rows computed by a few threads, handed back in order.

A run's lists are computed block by block (customers, or products); most of a block's time is
numpy and BLAS, which release the GIL, so a second thread keeps a second core busy. The caller
must keep BLAS at one thread (core.one_blas_thread): two workers each asking BLAS for every core
only wait for each other. Results come back in block order, so the lists are the same whatever
the number of workers, and the caller's progress reports and database writes stay on its own
thread (Django connections are per thread).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")


def worker_count(configured: int = 0) -> int:
    """`configured` threads, or one per core this process may use when 0."""
    if configured > 0:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return max(1, os.cpu_count() or 1)


def in_order(
    work: Callable[[int], Result], starts: Iterable[int], workers: int = 1
) -> Iterator[tuple[int, Result]]:
    """(start, work(start)) for every start, in the order given.

    With more than one worker, at most `workers` blocks are computed ahead of the one being
    handed back: memory stays a few blocks whatever the row count."""
    if workers <= 1:
        for start in starts:
            yield start, work(start)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lists") as pool:
        pending: deque = deque()
        try:
            for start in starts:
                pending.append((start, pool.submit(work, start)))
                if len(pending) > workers:
                    start_done, future = pending.popleft()
                    yield start_done, future.result()
            while pending:
                start_done, future = pending.popleft()
                yield start_done, future.result()
        finally:
            for _, future in pending:  # the consumer stopped early or a block failed
                future.cancel()


def joined(
    work: Callable[[int], list],
    total: int,
    block: int,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list:
    """The rows of every block `work(start)` (rows start to start + block of `total`), joined
    in block order; `progress(rows done)` after each block, on the caller's thread."""
    out: list = []
    for start, rows in in_order(work, range(0, total, block), workers):
        out.extend(rows)
        if progress is not None:
            progress(min(start + block, total))
    return out
