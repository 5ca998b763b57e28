"""Check many files in worker processes, one per CPU.

Each file is checked on its own (the cross-flow pass runs afterwards over every file's
facts, in the calling process), so files can be checked anywhere: a worker checks the bytes
it is given and sends back the result as plain data (compiler.result_data), and the results
come back in the order of the files, whatever worker finished first.

Starting workers costs time, so they are used only from THRESHOLD files on. On Linux they
are forked (they inherit the loaded schemas instead of reading them again); elsewhere they
are spawned. A platform that cannot start processes checks the files in this process.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from .config import Config
from .settings import Settings

# Measured with `benchmarks/bench_cache.py --threshold` on a 2-CPU machine (forked workers,
# Kestra's valid flows, other work running): serial / 2 workers, 50 files 0.19 / 0.20 s,
# 100 files 0.25 / 0.23 s, 200 files 0.33 / 0.27 s, 400 files 0.50 / 0.36 s. Below 100
# files starting workers costs what they save.
THRESHOLD = 100
CHUNKS_PER_WORKER = 4  # smaller pieces even out the load when some files are slower
MAX_CHUNK = 50  # and Ctrl-C waits for the running pieces only


@dataclass(frozen=True)
class Job:
    """One file to check: its bytes, the path it is shown as, and its configuration."""

    display: str
    data: bytes
    settings: Settings
    config: Config


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worth_it(count: int, processes: int | None = None) -> bool:
    return count >= THRESHOLD and (processes or cpus()) > 1


def check(job: Job):
    """Check one file in this process: its FileResult (with its flow models)."""
    from .checker import check_bytes
    from .plan import registry_for

    return check_bytes(job.data, job.display, registry_for(job.config), project=False, settings=job.settings)


def check_all(jobs: list[Job], processes: int | None = None) -> list[dict]:
    """The results of `jobs` as plain data, in their order, checked by `processes` workers
    (default: one per CPU); in this process if workers cannot be started."""
    from .plan import registry_for

    processes = max(1, min(processes or cpus(), len(jobs)))
    for config in {id(job.config): job.config for job in jobs}.values():
        registry_for(config)  # a bad schema directory is reported here, once; forked workers inherit it
    # the first file is checked here: it loads the stages and builds the expression parser,
    # which forked workers then inherit instead of each doing it again
    first, rest = _check_chunk(jobs[:1]), jobs[1:]
    if not rest:
        return first
    size = max(1, min(MAX_CHUNK, -(-len(rest) // (processes * CHUNKS_PER_WORKER))))
    chunks = [rest[i:i + size] for i in range(0, len(rest), size)]
    try:
        pool = ProcessPoolExecutor(max_workers=processes, mp_context=_context(), initializer=_ignore_interrupts)
    except (OSError, NotImplementedError, ImportError):  # no /dev/shm, no semaphores: check here
        return first + _check_chunk(rest)
    try:
        return first + [data for chunk in pool.map(_check_chunk, chunks) for data in chunk]
    except (BrokenProcessPool, OSError):
        return first + _check_chunk(rest)  # a worker could not start or was killed: check here
    finally:
        # after Ctrl-C (which workers ignore: this process stops them) the chunks not started
        # are dropped, and the running ones end
        pool.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_chunk(jobs: list[Job]) -> list[dict]:
    from .result_data import to_data

    return [to_data(check(job)) for job in jobs]


def _context():
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
