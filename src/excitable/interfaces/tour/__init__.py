"""The tour: every experiment, in the order of the questions, in one self-contained HTML page.

``run_tour(out_dir)`` runs each experiment of ``excitable.experiments.REGISTRY`` in the order of the
phenomena table (``phenomena`` here; experiments not in the table come last, in registry order), saves
each report into ``out_dir/NAME/`` (``Result.save``) and writes ``out_dir/index.html`` (figures
embedded as base64 PNG; opens offline) and ``out_dir/tour.json`` (status and time of each).
An experiment that raises becomes an error section; the tour goes on. The page is rewritten after each
experiment and says "incomplete" until the last one is done, so a tour that is interrupted never
leaves the page of an older tour looking current (an older ``tour.json`` is removed at the start).

Each section shows the question, the protocol and expected result (from the phenomena table), the
figure, the summary's scalar values with units read from their key suffixes (``_mV``, ``_ms``,
``_m_s`` ...; see ``text.UNITS`` here), and the mechanism: the first two or three sentences of the
paragraph after the title of the experiment module's docstring.

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

__all__ = ["Outcome", "order", "run_tour"]


@dataclass
class Outcome:
    """What one experiment gave the tour."""

    name: str
    index: int
    question: str
    protocol: str = ""
    expected: str = ""
    doc: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    settings_text: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    png: bytes | None = None
    seconds: float = 0.0
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


def _run_one(name: str, index: int, out: Path, quick: bool) -> Outcome:
    from excitable import experiments
    from excitable.progress import StderrBar, reporting
    from excitable.results import jsonable

    row = next((r for r in PHENOMENA if r[0] == name), None)
    o = Outcome(name=name, index=index, question=row[1] if row else name,
                protocol=row[2] if row else "", expected=row[3] if row else "")
    t0 = time.perf_counter()
    try:
        module = experiments.get(name)
        o.doc = module.__doc__ or ""
        o.question = row[1] if row else module.EXPERIMENT.question
        given = dict(module.EXPERIMENT.quick) if quick else {}
        o.params = module.EXPERIMENT.resolve(given)
        o.settings_text = "".join(f" --set {k}={str(v).lower() if isinstance(v, bool) else v}"
                                  for k, v in given.items())
        with StderrBar(label=f"  {name}") as bar, reporting(bar):
            result = module.run(**o.params)
        o.summary = jsonable(result.summary)
        try:
            result.save(out / name)
        except Exception:
            result.save(out / name, figure=False)  # keep the numbers; the section shows the error
            raise
        png = out / name / "figure.png"
        o.png = png.read_bytes() if result.plotter is not None and png.exists() else None
        if o.png is None:
            raise ValueError("the experiment made no figure")
    except Exception as e:  # noqa: BLE001 - any failure becomes an error section; the tour goes on
        o.error = (f"{type(e).__name__}: {e}" if str(e) else type(e).__name__).splitlines()[0][:500]
        o.traceback = "".join(traceback.format_exception(e)[-6:]).strip()
        o.png = None
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    o.seconds = time.perf_counter() - t0
    return o


def run_tour(out_dir, *, quick: bool = False, only: Sequence[str] | None = None,
             log: Callable[[str], None] | None = None) -> list[Outcome]:
    """Run the experiments (all, or ``only``) into ``out_dir``; returns one Outcome per experiment.

    ``log`` receives the progress lines (default: print to stdout, flushed).
    """
    from excitable import __version__
    from excitable.results import atomic_write_text

    log = log or (lambda line: print(line, flush=True))
    names = _select(only)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from excitable.interfaces.tour.render import render

    t_start = time.perf_counter()
    outcomes = []

    def page(pending: int) -> None:  # the page so far; "incomplete" while experiments are pending
        atomic_write_text(out / "index.html", render(outcomes, quick=quick, total_s=time.perf_counter()
                                                     - t_start, version=__version__, pending=pending))

    (out / "tour.json").unlink(missing_ok=True)  # an older tour's status must not pass for this one's
    page(len(names))  # replaces an older tour's page at once
    for i, name in enumerate(names, 1):
        log(f"[{i}/{len(names)}] {name} ...")
        o = _run_one(name, i, out, quick)
        elapsed = time.perf_counter() - t_start
        status = "ok" if o.ok else f"FAILED ({o.error})"
        log(f"[{i}/{len(names)}] {name}: {status} in {o.seconds:.1f} s (elapsed {elapsed:.1f} s)")
        outcomes.append(o)
        if i < len(names):
            page(len(names) - i)
    total = time.perf_counter() - t_start

    atomic_write_text(out / "index.html", render(outcomes, quick=quick, total_s=total, version=__version__))
    atomic_write_text(out / "tour.json", json.dumps({
        "quick": quick, "total_s": round(total, 3),
        "experiments": [{"name": o.name, "ok": o.ok, "seconds": round(o.seconds, 3), "error": o.error}
                        for o in outcomes],
    }, indent=2) + "\n")
    failed = sum(not o.ok for o in outcomes)
    log(f"wrote {out / 'index.html'}: {len(outcomes) - failed} of {len(outcomes)} experiments ran, "
        f"{failed} failed, {total:.1f} s")
    sys.stdout.flush()
    return outcomes
