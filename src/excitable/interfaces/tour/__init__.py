"""The tour: every experiment, in the order of the questions, in one self-contained HTML page.

``run_tour(out_dir)`` runs each experiment of ``excitable.experiments.REGISTRY`` in the order of the
phenomena table (``phenomena`` here; experiments not in the table come last, in registry order), saves
each report into ``out_dir/NAME/`` (``Result.save``: summary.json, traces.csv, figure.png; no SVG, which
the page does not use and which cost 1-2 s of CPU per experiment) and writes ``out_dir/index.html``
(figures embedded as base64 PNG; opens offline) and ``out_dir/tour.json`` (status, wall-clock and CPU
seconds of each). With ``jobs`` > 1 the experiments run in that many worker processes at once,
longest first (``timing``), and the page and the log follow them as they finish.
An experiment that raises becomes an error section; the tour goes on. The page is rewritten after each
experiment and says "incomplete" until the last one is done, so a tour that is interrupted never
leaves the page of an older tour looking current (an older ``tour.json`` is removed at the start).

Each section (``render``) opens with the plain answer (the declaration's ``answer`` with this run's
numbers), then the figure, the mechanism (every paragraph of the experiment module's docstring after
its title), the model note, the headline numbers (or the summary's scalars, units read from their key
suffixes: ``text.UNITS``) beside the inputs, what to try, and the protocol and expected result of the
phenomena table folded away ("How we test this").

Quick settings: an experiment may declare ``quick={param: value, ...}`` (``Experiment.quick``),
cheaper parameters that still show the phenomenon (fewer sweep points, shorter runs, coarser grids).
``quick=True`` (``excitable tour --quick``) runs each experiment with its ``quick`` (validated by
``EXPERIMENT.resolve`` like any other parameters); experiments without one run with their defaults.

Example:
    >>> outcomes = run_tour("report", quick=True, only=["action-potential", "myelination"])
    >>> [o.ok for o in outcomes]
    [True, True]
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from excitable.errors import ModelError
from excitable.interfaces.tour.phenomena import ORDER, PHENOMENA
from excitable.interfaces.tour.timing import default_jobs, estimate_line, longest_first

__all__ = ["Outcome", "order", "run_tour"]

#: Resolution of the tour's figures, dots per inch (the same as ``Result.save``'s).
FIGURE_DPI = 120


@dataclass
class Outcome:
    """What one experiment gave the tour."""

    name: str
    index: int
    question: str
    protocol: str = ""
    expected: str = ""
    doc: str = ""
    declaration: Any = None  # the experiment's Experiment (answer, headline, suggestions, model note)
    params: dict[str, Any] = field(default_factory=dict)
    settings_text: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    png: bytes | None = None
    seconds: float = 0.0  # wall-clock
    cpu_seconds: float = 0.0  # this process's CPU time (all its threads): less sensitive to load
    error: str | None = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def order(names: Sequence[str]) -> list[str]:
    """``names`` sorted as the questions of the phenomena table; unknown names last, in given order."""
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(ORDER)), list(names).index(n)))


def _select(only: Sequence[str] | None) -> list[str]:
    from excitable import experiments

    known = experiments.names()
    if only is None:
        return order(known)
    unknown = [n for n in only if n not in known]
    if unknown:
        raise ModelError(f"unknown experiment {unknown[0]!r} in --only; known: {', '.join(known)}")
    return order(list(dict.fromkeys(only)))


def _run_one(name: str, index: int, out: Path, quick: bool, bar: bool = True) -> Outcome:
    """Run one experiment into ``out/name/``; any failure becomes the Outcome's error. ``bar``: a
    progress bar on stderr (not in worker processes, whose bars would interleave)."""
    import contextlib

    from excitable import experiments
    from excitable.progress import StderrBar, reporting
    from excitable.results import jsonable

    row = next((r for r in PHENOMENA if r[0] == name), None)
    o = Outcome(name=name, index=index, question=row[1] if row else name,
                protocol=row[2] if row else "", expected=row[3] if row else "")
    t0, cpu0 = time.perf_counter(), time.process_time()
    try:
        module = experiments.get(name)
        o.doc = module.__doc__ or ""
        o.declaration = module.EXPERIMENT
        o.question = row[1] if row else module.EXPERIMENT.question
        given = dict(module.EXPERIMENT.quick) if quick else {}
        o.params = module.EXPERIMENT.resolve(given)
        o.settings_text = "".join(f" --set {k}={str(v).lower() if isinstance(v, bool) else v}"
                                  for k, v in given.items())
        with (StderrBar(label=f"  {name}") if bar else contextlib.nullcontext()) as shown, reporting(shown):
            result = module.run(**o.params)
        o.summary = jsonable(result.summary)
        try:
            # The PNG only: the page embeds it (and enlarges it on a click); an SVG as well cost
            # 1-2 s of CPU per experiment, a sixth of the tour (`excitable run` still writes both).
            result.save(out / name, figure=False,
                        extra_files={"figure.png": _png_writer(result)} if result.plotter else None)
        except Exception:
            result.save(out / name, figure=False)  # keep the numbers; the section shows the error
            raise
        png = out / name / "figure.png"
        o.png = png.read_bytes() if result.plotter is not None and png.exists() else None
        if o.png is None:
            raise ValueError("the experiment made no figure")
    except Exception as e:  # noqa: BLE001 - any failure becomes an error section; the tour goes on
        o.error = _one_line(e)
        o.traceback = "".join(traceback.format_exception(e)[-6:]).strip()
        o.png = None
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    o.seconds = time.perf_counter() - t0
    o.cpu_seconds = time.process_time() - cpu0
    return o


def _png_writer(result) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        import matplotlib.pyplot as plt

        fig = result.figure()
        fig.savefig(path, dpi=FIGURE_DPI, bbox_inches="tight")  # as Result.save draws it
        plt.close(fig)

    return write


def _one_line(e: BaseException) -> str:
    return (f"{type(e).__name__}: {e}" if str(e) else type(e).__name__).splitlines()[0][:500]


def _work(name: str, index: int, out: str, quick: bool) -> Outcome:
    """``_run_one`` in a worker process; the declaration stays behind (the parent has it)."""
    o = _run_one(name, index, Path(out), quick, bar=False)
    o.declaration = None
    return o


def _in_workers(names: list[str], out: Path, quick: bool, jobs: int, log):
    """Yield each experiment's Outcome as it finishes, run by ``jobs`` worker processes, longest
    first. Workers are spawned (not forked: a forked JAX is unsafe) and import what they need.
    Where no process pool can be made (no POSIX semaphores in some sandboxes), one after the other."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from excitable import experiments

    index = {name: i for i, name in enumerate(names, 1)}
    try:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, NotImplementedError, ImportError) as e:
        log(f"(no worker processes here: {_one_line(e)}; running one experiment at a time)")
        yield from _sequential(names, out, quick, log)
        return
    with pool:
        futures = {pool.submit(_work, name, index[name], str(out), quick): name
                   for name in longest_first(names)}
        try:
            for future in as_completed(futures):
                name = futures[future]
                try:
                    o = future.result()
                    o.declaration = experiments.declaration(name)
                except Exception as e:  # noqa: BLE001 - a worker that died: an error section
                    o = Outcome(name=name, index=index[name], question=name, error=_one_line(e))
                yield o
        except BaseException:  # interrupted: drop what has not started
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _sequential(names: list[str], out: Path, quick: bool, log):
    for i, name in enumerate(names, 1):
        log(f"[{i}/{len(names)}] {name} ...")
        yield _run_one(name, i, out, quick)


def run_tour(out_dir, *, quick: bool = False, only: Sequence[str] | None = None,
             log: Callable[[str], None] | None = None, jobs: int | None = None) -> list[Outcome]:
    """Run the experiments (all, or ``only``) into ``out_dir``; returns one Outcome per experiment,
    in the order of the questions.

    ``log`` receives the progress lines (default: print to stdout, flushed). ``jobs``: experiments
    run at once, each in its own worker process (default ``timing.default_jobs``: one per core, at
    most 4); 1 runs them one after the other in this process.
    """
    from excitable import __version__
    from excitable.results import atomic_write_text

    log = log or (lambda line: print(line, flush=True))
    names = _select(only)
    jobs = default_jobs(len(names)) if jobs is None else jobs
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ModelError(f"jobs must be a whole number >= 1, got {jobs!r}")
    jobs = min(jobs, len(names))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from excitable.interfaces.tour.render import render

    t_start = time.perf_counter()
    done: dict[str, Outcome] = {}

    def page(pending: int) -> None:  # the page so far; "incomplete" while experiments are pending
        so_far = [done[n] for n in names if n in done]
        atomic_write_text(out / "index.html", render(so_far, quick=quick, total_s=time.perf_counter()
                                                     - t_start, version=__version__, pending=pending))

    (out / "tour.json").unlink(missing_ok=True)  # an older tour's status must not pass for this one's
    page(len(names))  # replaces an older tour's page at once
    log(estimate_line(names, jobs, quick))
    runs = _in_workers(names, out, quick, jobs, log) if jobs > 1 else _sequential(names, out, quick, log)
    for k, o in enumerate(runs, 1):
        done[o.name] = o
        status = "ok" if o.ok else f"FAILED ({o.error})"
        log(f"[{k}/{len(names)}] {o.name}: {status} in {o.seconds:.1f} s "
            f"(elapsed {time.perf_counter() - t_start:.1f} s)")
        if k < len(names):
            page(len(names) - k)
    total = time.perf_counter() - t_start
    outcomes = [done[n] for n in names]

    atomic_write_text(out / "index.html", render(outcomes, quick=quick, total_s=total, version=__version__))
    atomic_write_text(out / "tour.json", json.dumps({
        "quick": quick, "jobs": jobs, "total_s": round(total, 3),
        "experiments": [{"name": o.name, "ok": o.ok, "seconds": round(o.seconds, 3),
                         "cpu_seconds": round(o.cpu_seconds, 3), "error": o.error} for o in outcomes],
    }, indent=2) + "\n")
    failed = sum(not o.ok for o in outcomes)
    log(f"wrote {out / 'index.html'}: {len(outcomes) - failed} of {len(outcomes)} experiments ran, "
        f"{failed} failed, {total:.1f} s")
    sys.stdout.flush()
    return outcomes
