"""Parameter sweeps: run an experiment over a grid, locally or on a Dask cluster, into one tidy table.

A grid is one or more axes (``parse_axis("amplitude=5:40:8")``: 8 values from 5 to 40, or
``"model=hh,textbook"``: a list). Every grid point runs the experiment once; its scalar summary fields
(numbers, strings, booleans) become one row of ``DIR/sweep.csv``, after the grid values. Rows are
appended to ``DIR/sweep.jsonl`` the moment they arrive, so a crash or a lost worker loses nothing that
was finished, and running the same sweep again skips the points already done (``excitable.workflows.journal``:
a torn last line is repaired, a journal of other settings refused, and a folder is
locked while a sweep writes there, so a second sweep on it is refused). ``sweep.csv`` and the
figure (``sweep.png``: lines for one axis, heat maps for two) are written atomically at the end.

Experiments that run one simulation (``experiments.common.batching``: action-potential, membrane-currents)
run their points in batches: one vmapped simulation for up to ``LOCAL_BATCH`` points that share a
model structure and stimulus timing (amplitudes, conductances and temperatures may differ), the same
numbers as separate runs. With ``scheduler`` (a ``dask.distributed`` address or Client) the points go
to the cluster in batches of ``batch_size`` (one task each, so the cost of a task is shared by
several runs, and batchable points run as one simulation there too); a task
whose worker dies is rescheduled by Dask, one that raises is retried ``retries`` times. A point whose
parameters the experiment rejects (ModelError) or whose run goes unstable (SimulationError) gets a
row with the message in the ``error`` column instead of stopping the sweep.

With ``traces=True`` (``--format nwb``) every point's traces come back with its row, from a Dask
worker too, and are kept beside the journal (``excitable.workflows.trace_store``:
``DIR/sweep.traces``), so ``SweepResult.results()`` has every point's Result without running any
point twice, also after a resume.

Example:
    >>> from excitable import parse_axis, sweep
    >>> axes = [parse_axis("amplitude=5:40:8", "action-potential"),
    ...         parse_axis("gNa_scale=0.5:1.5:5", "action-potential")]
    >>> res = sweep("action-potential", axes, sets={"tstop": 20}, out="ap-sweep")
    >>> res.rows[0]   # {"amplitude": 5.0, "gNa_scale": 0.5, "rest_mV": ..., "peak_mV": ...}
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from excitable.errors import ModelError
from excitable.workflows import sweep_table
from excitable.workflows.journal import Journal, locked
from excitable.workflows.journal import key as _key

#: Points run together here (one vmapped simulation per group, for experiments that allow it):
#: large enough to fill a vector unit or a GPU, small enough for a responsive progress bar.
LOCAL_BATCH = 64
JOURNAL, TABLE, FIGURE = "sweep.jsonl", "sweep.csv", "sweep.png"


@dataclass(frozen=True)
class Axis:
    """One grid axis: a parameter of the experiment and its values (already coerced)."""

    key: str
    values: tuple


@dataclass
class SweepResult:
    """Rows (one dict per grid point, in grid order), the table's columns, and what was computed now."""

    columns: list[str]
    rows: list[dict]
    computed: int = 0
    out: Path | None = None
    files: list[str] = field(default_factory=list)
    #: journal lines that were not records (the torn last line of a killed sweep), dropped
    dropped: int = 0
    #: points of the journal without traces (``traces=True``: written without them) run again now
    rerun: int = 0
    records: dict = field(default_factory=dict, repr=False)
    kept: object = field(default=None, repr=False)

    def results(self, points: Sequence[dict] | None = None) -> list[tuple[dict, object]]:
        """``[(point, Result)]`` of the points (default: all, in grid order) that ran without error, with
        their traces (a sweep with ``traces=True``: read back from ``out/sweep.traces`` where it has a
        folder; nothing runs again). Their size is checked against the memory limit first."""
        if self.kept is None:
            raise ModelError("sweep: the traces were not kept; run the sweep with traces=True")
        from excitable import limits

        keys = [_key(p) for p in (self.points if points is None else points)]
        recs = [(k, self.records[k]) for k in keys if k in self.records and "error" not in self.records[k]]
        size = sum(r["traces"]["bytes"] for _, r in recs if isinstance(r.get("traces"), dict))
        limits.check("memory", float(size), f"reading the traces of {len(recs)} grid points ({size} bytes)")
        return [(r["point"], self.kept.result(k, r)) for k, r in recs]

    @property
    def points(self) -> list[dict]:
        return [r["point"] for r in self.records.values()]


def parse_axis(spec: str, experiment: str) -> Axis:
    """``"key=a:b:n"`` (n values from a to b, ends included) or ``"key=v1,v2,..."`` -> Axis.

    Values are checked by the experiment's own parameter rules; any problem raises ModelError. A range
    is counted before its values are made: more than ``limits.limit("grid")`` is refused (a typo such
    as ``1:2:100000000`` would otherwise take gigabytes).
    """
    from excitable import experiments, limits

    params = experiments.declaration(experiment).params  # no JAX: a bad grid is refused at once
    key, sep, rhs = str(spec).partition("=")
    key, rhs = key.strip(), rhs.strip()
    if not sep or not key or not rhs:
        raise ModelError(f"--grid expects key=a:b:n or key=v1,v2,..., got {spec!r}")
    if key not in params:
        raise ModelError(f"--grid: unknown parameter {key!r} for {experiment}; known: {', '.join(params)}")
    p = params[key]
    if ":" in rhs:
        parts = rhs.split(":")
        if len(parts) != 3 or p.kind in (str, bool):
            raise ModelError(f"--grid {key}: expected a:b:n with numbers a, b and a count n, got {rhs!r}"
                             if len(parts) != 3 else f"--grid {key}: a range needs a numeric parameter; "
                             f"list the values instead ({key}=v1,v2)")
        try:
            a, b, n = float(parts[0]), float(parts[1]), parts[2].strip()
            n = int(n)
        except ValueError:
            raise ModelError(f"--grid {key}: expected a:b:n with numbers a, b and an integer n >= 1, "
                             f"got {rhs!r}") from None
        if not (math.isfinite(a) and math.isfinite(b)) or n < 1 or (n == 1 and a != b):
            raise ModelError(f"--grid {key}: need finite a, b and n >= 1 (n = 1 only if a = b), got {rhs!r}")
        limits.check("grid", n, f"--grid {key}={rhs}")
        try:
            raw = np.linspace(a, b, n).tolist()
        except (ValueError, OverflowError, MemoryError):  # only with the limits off: n beyond any memory
            raise ModelError(f"--grid {key}: {n} values do not fit in memory, got {rhs!r}") from None
    else:
        raw = [v.strip() for v in rhs.split(",")]
        if any(v == "" for v in raw):
            raise ModelError(f"--grid {key}: empty value in {rhs!r}")
    values = []
    for v in raw:
        if p.kind is int and not isinstance(v, str) and v != round(v):
            raise ModelError(f"--grid {key}: {key} must be an integer, the range gives {v:g}")
        values.append(p.coerce(key, round(v) if p.kind is int and not isinstance(v, str) else v))
    if len(set(values)) != len(values):
        raise ModelError(f"--grid {key}: repeated values in {rhs!r}")
    return Axis(key, tuple(values))


def grid_points(axes: Sequence[Axis]) -> list[dict]:
    """Every combination of the axes' values, the first axis varying slowest."""
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise ModelError(f"--grid: each parameter may have one axis, got {', '.join(keys)}")
    from excitable import limits

    n = math.prod(len(a.values) for a in axes)
    limits.check("grid", n, "--grid " + " x ".join(f"{a.key} ({len(a.values)})" for a in axes))
    return [dict(zip(keys, combo)) for combo in itertools.product(*(a.values for a in axes))]


def scalar_fields(summary: dict) -> dict:
    """The summary's scalar entries (numbers, strings, booleans, None), JSON-ready."""
    from excitable.results import jsonable

    return {k: v for k, v in jsonable(summary).items() if v is None or isinstance(v, (int, float, str, bool))}


def run_points(experiment: str, fixed: dict, points: Sequence[dict], on_results=None,
               traces: bool = False) -> list[dict]:
    """Run ``experiment`` at each point (the Dask task): ``[{"point": ..., "summary" | "error": ...}]``,
    with ``traces`` also ``"run"``: the run's traces (``trace_store.pack``: numpy arrays), which
    travel back from a Dask worker with the row.

    Points of an experiment that runs one simulation (``experiments.common.batching``) run as one
    vmapped batch per group of points with the same model structure and stimulus timing.
    ``on_results(points, results)``, if given, sees the whole Results (or the errors raised)."""
    from excitable.experiments.common.batching import run_many
    from excitable.progress import reporting
    from excitable.workflows.trace_store import pack

    with reporting(None):  # a run's own progress would garble the sweep's bar
        results = run_many(experiment, [{**fixed, **point} for point in points])
    if on_results is not None:
        on_results(points, results)
    return [{"point": point, "error": str(r)} if isinstance(r, Exception)
            else {"point": point, "summary": scalar_fields(r.summary), **({"run": pack(r)} if traces else {})}
            for point, r in zip(points, results)]


def sweep(experiment: str, axes: Sequence[Axis], *, sets: dict | None = None, out=None,
          scheduler=None, batch_size: int | None = None, retries: int = 2, fresh: bool = False,
          plot: Sequence[str] | None = None, progress: Callable[[int, int], None] | None = None,
          on_rows: Callable[[list[dict]], None] | None = None, on_results=None,
          traces: bool = False) -> SweepResult:
    """Run ``experiment`` at every point of the grid ``axes`` (other parameters from ``sets``).

    Args:
        out: folder for sweep.jsonl (rows as they arrive), sweep.csv and sweep.png; None keeps the
            rows in memory only (no resume).
        scheduler: a dask.distributed scheduler address ("tcp://host:8786") or Client; None runs here.
        batch_size: grid points per Dask task (default: about four tasks per worker, at most
            ``LOCAL_BATCH`` for experiments that run in batches, 16 for the others).
        fresh: ignore (and replace) the rows already in ``out``.
        plot: summary fields to draw (default: up to four numeric fields that vary).
        progress: ``progress(done, total)`` after each finished point or batch.
        on_rows: called with each list of newly finished rows (after they are on disk).
        on_results: ``on_results(points, results)`` for the points run in this process (not on
            Dask): their whole Results (or the errors they raised).
        traces: keep every point's traces (``SweepResult.results()``; ``--format nwb``): they come
            back from the Dask workers with the rows and are stored beside the journal
            (``out/sweep.traces``, ``excitable.workflows.trace_store``), so a resumed sweep has them
            too. Their size is bounded before the first point runs (t and V over tstop / dt) and
            again by the real sizes as the runs arrive. Points the journal holds without traces
            run again.
    """
    from excitable import experiments

    module = experiments.get(experiment)
    fixed = _fixed_parameters(module.EXPERIMENT, axes, sets)
    points = grid_points(axes)
    header = {"experiment": experiment, "fixed": scalar_fields(fixed)}
    client = None if scheduler is None else _client(scheduler)  # an unreachable one fails first
    with contextlib.ExitStack() as held:  # until the sweep ends: the Dask client, the folder's lock
        if client is not None and client is not scheduler:
            held.callback(client.close)
        journal = kept = None
        if traces:
            from excitable import limits
            from excitable.workflows.trace_store import estimate

            size, what = estimate(points, fixed)
            limits.check("memory", size, f"keeping the traces of {len(points)} grid points ({what})")
        if out is not None:
            out = Path(out)
            out.mkdir(parents=True, exist_ok=True)
            held.enter_context(locked(out))  # one sweep per folder: a second one is refused here
            journal = Journal(out / JOURNAL, header, fresh)
        if traces:
            from excitable.workflows.trace_store import Kept, TraceStore

            kept = Kept(None if out is None else TraceStore(out, fresh), len(points))
        rows = _Rows(points, journal, progress, on_rows, kept)  # refuses damaged trace files first
        try:
            _run_pending(module, experiment, fixed, rows, client, batch_size, retries, on_results, traces)
        except BaseException:
            _write_table(out, axes, points, rows.records())  # the rows done so far
            raise
        columns, table = _write_table(out, axes, points, done := rows.records())
        result = SweepResult(columns, table, computed=len(rows.fresh), out=out,
                             dropped=journal.dropped if journal is not None else 0, rerun=rows.rerun,
                             records={_key(p): done[_key(p)] for p in points if _key(p) in done},
                             kept=kept)
        if out is not None:
            result.files = [JOURNAL, TABLE] + ([f"{kept.store.folder.name}/"] if kept is not None else [])
            if len(axes) <= 2 and sweep_table.plot(out / FIGURE, axes, columns, table, plot):
                result.files.append(FIGURE)
            else:  # one left by an earlier sweep here (--fresh) would show other rows
                (out / FIGURE).unlink(missing_ok=True)
        return result


def _fixed_parameters(exp, axes: Sequence[Axis], sets: dict | None) -> dict:
    """Every parameter of ``exp`` that is not a grid axis: ``sets``, else its default (validated)."""
    sets = dict(sets or {})
    clash = sorted(set(sets) & {a.key for a in axes})
    if clash:
        raise ModelError(f"{clash[0]!r} is both a --grid axis and a --set value")
    if not axes:
        raise ModelError("sweep: give at least one --grid axis")
    return {k: v for k, v in exp.resolve(sets).items() if k not in {a.key for a in axes}}


class _Rows:
    """The records of one sweep: those its journal already held (``done``) and those computed now
    (``fresh``), each journaled the moment it arrives; reports progress and hands on new rows."""

    def __init__(self, points: list[dict], journal: Journal | None, progress, on_rows, kept=None):
        self.journal, self.progress, self.on_rows, self.kept = journal, progress, on_rows, kept
        self.done = journal.done if journal is not None else {}
        self.fresh: dict[str, dict] = {}
        # this grid's rows without traces run again; their files are checked (a damaged one refused)
        missing = set() if kept is None else \
            {k for k in map(_key, points) if k in self.done and kept.needs_run(k, self.done[k])}
        self.rerun = len(missing)
        self.pending = [p for p in points if _key(p) not in self.done or _key(p) in missing]
        self.total, self.finished = len(points), len(points) - len(self.pending)
        if progress is not None:
            progress(self.finished, self.total)

    def accept(self, recs: list[dict]) -> None:
        recs = [r for r in recs if _key(r["point"]) not in self.fresh]  # a task run twice counts once
        if self.kept is not None:  # the traces to their file first: a row in the journal has them
            recs = [self.kept.take(_key(r["point"]), r) for r in recs]
        for rec in recs:
            if self.journal is not None:
                self.journal.add(rec)
            self.fresh[_key(rec["point"])] = rec
        self.finished += len(recs)
        if self.on_rows is not None:
            self.on_rows(recs)
        if self.progress is not None:
            self.progress(self.finished, self.total)

    def records(self) -> dict[str, dict]:
        return {**self.done, **self.fresh}


def _run_pending(module, experiment, fixed, rows: _Rows, client, batch_size, retries, on_results=None,
                 traces=False) -> None:
    """Run the points not done yet: here in groups of ``LOCAL_BATCH`` (one each for an experiment
    that does not batch), or on the Dask ``client``."""
    from excitable.experiments.common.batching import batchable

    pending = rows.pending
    if pending and client is None:
        size = LOCAL_BATCH if batchable(module) else 1
        for i in range(0, len(pending), size):
            rows.accept(run_points(experiment, fixed, pending[i:i + size], on_results, traces))
    elif pending:
        _on_dask(client, experiment, fixed, pending, batch_size, retries, rows.accept, traces)


def _write_table(out: Path | None, axes, points, records) -> tuple[list[str], list[dict]]:
    """The table of the finished points in grid order, written to ``out/sweep.csv`` (atomically)."""
    columns, rows = sweep_table.table([a.key for a in axes], [records[_key(p)] for p in points if _key(p) in records])
    if out is not None:  # also after an interruption: the table then holds the rows done so far
        from excitable.results import atomic_write_text

        atomic_write_text(out / TABLE, sweep_table.csv_text(columns, rows))
    return columns, rows


def _client(scheduler):
    """A dask.distributed Client for an address (or the Client given)."""
    try:
        from distributed import Client
    except ImportError:
        raise ModelError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(str(scheduler), timeout="10s")
    except (OSError, TimeoutError, ValueError) as e:
        raise ModelError(f"cannot reach the Dask scheduler at {scheduler!r}: {e}") from None


def _on_dask(client, experiment, fixed, pending, batch_size, retries, accept, traces=False) -> None:
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    from excitable import experiments
    from excitable.experiments.common.batching import batchable

    largest = LOCAL_BATCH if batchable(experiments.get(experiment)) else 16
    size = batch_size or max(1, min(largest, math.ceil(len(pending) / (4 * workers))))
    if int(size) != size or size < 1:
        raise ModelError(f"batch size must be a positive integer, got {batch_size!r}")
    batches = [pending[i:i + size] for i in range(0, len(pending), size)]
    running = {client.submit(run_points, experiment, fixed, b, traces=traces, retries=retries, pure=False)
               for b in batches}
    try:
        for fut in as_completed(list(running)):
            running.discard(fut)
            accept(fut.result())
            del fut  # the last reference: Dask forgets the result, and need not recompute it if lost
    finally:
        if running:
            client.cancel(list(running))  # after an interruption, leave nothing running for us
