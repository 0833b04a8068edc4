"""Writing runs as NWB: ``save`` (one Result) and ``save_sweeps`` (several: a sweep over a grid).

Every membrane potential recorded under current clamp (``units.is_membrane_potential``) is a
``CurrentClampSeries`` with its own sweep number and a row of the file's intracellular recordings
table (pynwb's ``add_intracellular_recording``, which also files the series under acquisition and
stimulus); the run's injected current is a ``CurrentClampStimulusSeries`` in the same row as the
run's first V; every other trace is a ``TimeSeries``. The numbers are stored as they are, with NWB's
``conversion`` to SI (``units.SI``), and each series' ``comments`` carry, as JSON, what ``read`` needs
to give it back (label, unit, run, grid point).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from excitable.errors import ModelError
from excitable.io.extras import require
from excitable.io.nwb.units import SI, is_membrane_potential, trace_unit
from excitable.results import Result, jsonable


def _pynwb():
    return require("pynwb", "nwb", "NWB files")


@dataclass
class _Run:
    """One run to write: its Result and how to read its traces; ``index`` and ``point`` (the grid
    values) for the runs of a sweep (None for a lone ``save``)."""

    result: Result
    units: dict = field(default_factory=dict)
    stimulus: str | None = None
    area_um2: float | None = None
    voltage: str | bool | None = None
    index: int | None = None
    point: dict | None = None


def save(result: Result, path, *, units: dict[str, str] | None = None, stimulus: str | None = None,
         area_um2: float | None = None, description: str | None = None, voltage: str | bool | None = None) -> Path:
    """Write ``result`` to the NWB file ``path`` (atomically: a temporary file, then a rename).

    Args:
        units: trace label -> unit, for labels whose unit ``trace_unit`` cannot tell.
        stimulus: the label of the injected current (default: "i_stim" or "iclamp[0]", if recorded).
        area_um2: the membrane area (µm²) a stimulus density was spread over: with it, a density
            (µA/cm²) is stored as the current it makes, nA = density x area x 1e-5.
        description: the session description (default: the experiment's name).
        voltage: the label of the membrane potential recorded under current clamp (default: "v",
            else the first 1-D trace in mV); False: none (a voltage-clamp run: V is the command).
            Other membrane potentials of the result (all-or-none's responses, one per amplitude) are
            sweeps 1, 2, ... in the order of the result's traces.
    Returns the path.
    """
    run = _Run(result, units or {}, stimulus, area_um2, voltage)
    notes = {"parameters": jsonable(result.meta), "summary": jsonable(result.summary)}
    return _write(path, [run], result.meta, notes, description or
                  f"excitable simulation{': ' + result.name if result.name else ''}")


def save_sweeps(results, path, *, points=None, units: dict[str, str] | None = None, stimulus: str | None = None,
                area_um2=None, voltage: str | bool | None = None, description: str | None = None,
                meta: dict | None = None) -> Path:
    """Write several runs (one Result per point of a sweep) as one NWB file (atomically).

    Run k's membrane potential is a CurrentClampSeries with sweep number k (when every run has one
    V; with several, the numbers go on in order) and its injected current the
    CurrentClampStimulusSeries of the same sweep; its other traces are TimeSeries. Series are named
    "LABEL [run k]". ``points[k]`` (a dict: the swept parameters) is written into run k's series
    descriptions and as one column per parameter of the intracellular recordings table; ``meta``
    (the parameters the runs share) into the file's notes with each run's summary.

    Args:
        area_um2: one area (µm²) for every run, or a list (one per run); as in ``save``.
        units, stimulus, voltage: as in ``save``, the same for every run.
    """
    results = list(results)
    if not results:
        raise ModelError("NWB: save_sweeps needs at least one result, got none")
    points = [{} for _ in results] if points is None else [dict(p) for p in points]
    if len(points) != len(results):
        raise ModelError(f"NWB: {len(points)} points for {len(results)} results; give one point per result")
    areas = area_um2 if isinstance(area_um2, (list, tuple)) else [area_um2] * len(results)
    runs = [_Run(r, units or {}, stimulus, a, voltage, k, jsonable(p))
            for k, (r, p, a) in enumerate(zip(results, points, areas))]
    notes = {"parameters": jsonable(meta or {}),
             "runs": [{"point": run.point, "summary": jsonable(run.result.summary)} for run in runs]}
    return _write(path, runs, meta or {}, notes, description or "excitable sweep")


def _write(path, runs: list[_Run], meta: dict, notes: dict, description: str) -> Path:
    pynwb = _pynwb()
    path = Path(path)
    nwbfile = _new_file(pynwb, meta, notes, description)
    device = nwbfile.create_device(name="excitable", description="a simulated cell (excitable)")
    electrode = nwbfile.create_icephys_electrode(
        name="simulated_electrode", device=device, description="the simulation's current clamp, at the soma")
    names: set[str] = set()
    rows: list[dict] = []  # one per sweep: the table's extra columns
    for run in runs:
        sweeps, others = _run_series(pynwb, electrode, run, names, first_sweep=len(rows))
        for response, stimulus in sweeps:
            nwbfile.add_intracellular_recording(electrode=electrode, response=response, stimulus=stimulus,
                                                id=len(rows))
            rows.append({**(run.point or {}), "label": json.loads(response.comments)["excitable"]["label"]})
        for kind, s in others:
            (nwbfile.add_stimulus if kind == "stimulus" else nwbfile.add_acquisition)(s)
    if rows:
        _table_columns(nwbfile.intracellular_recordings, rows)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}.nwb")  # pynwb wants .nwb
    try:
        with pynwb.NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwbfile)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _new_file(pynwb, meta: dict, notes: dict, description: str):
    import excitable

    meta = jsonable(meta)
    params = ", ".join(f"{k}={v}" for k, v in meta.items() if isinstance(v, (int, float, str)))
    return pynwb.NWBFile(
        session_description=description, identifier=str(uuid.uuid4()),
        session_start_time=datetime.now(timezone.utc),
        experiment_description=f"Simulated with excitable {excitable.__version__}; parameters: {params}",
        notes=json.dumps(notes),
        data_collection="simulation (excitable); traces at the time step dt times the recording stride",
        source_script="excitable", source_script_file_name="excitable",
    )


def _table_columns(table, rows: list[dict]) -> None:
    """One column per swept parameter (and the V trace's label) in the intracellular recordings table:
    numbers as float64, anything else as text."""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    for key in keys:
        values = [r.get(key) for r in rows]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        data = [float(v) for v in values] if numeric else ["" if v is None else str(v) for v in values]
        what = "the trace's label in the run" if key == "label" else f"swept parameter {key!r} of the run"
        table.add_column(name=key, description=what, data=data)


def _timing(t: np.ndarray) -> dict:
    """NWB's time base: a start and a rate (s, Hz) for evenly spaced samples, else timestamps (s)."""
    t_s = np.asarray(t, dtype=float) * 1e-3
    if len(t_s) > 1:
        step = np.diff(t_s)
        if np.allclose(step, step[0], rtol=1e-9, atol=0):
            return {"starting_time": float(t_s[0]), "rate": float(1.0 / step[0])}
    return {"timestamps": t_s}


def _labels(run: _Run, traces: dict, unit: dict) -> tuple[list[str], str | None]:
    """The membrane potentials of a run (the main one first) and its stimulus label."""
    voltage, stimulus = run.voltage, run.stimulus
    if isinstance(voltage, str) and voltage not in traces:
        raise ModelError(f"NWB: voltage {voltage!r} is not a trace of this result; it has {', '.join(traces)}")
    if voltage is False:
        vs = []
    else:
        vs = [k for k in traces if is_membrane_potential(k, unit[k], traces[k].ndim)]
        main = voltage if isinstance(voltage, str) else "v" if "v" in traces else \
            next((k for k in traces if unit[k] == "mV" and traces[k].ndim == 1), None)
        vs = ([main] if main is not None else []) + [k for k in vs if k != main]
    stim = stimulus or next((k for k in ("i_stim", "iclamp[0]") if k in traces), None)
    if stim is not None and stim not in traces:
        raise ModelError(f"NWB: stimulus {stim!r} is not a trace of this result; it has {', '.join(traces)}")
    return vs, stim


# long because it walks every trace of a run once, choosing its NWB type, unit and place
def _run_series(pynwb, electrode, run: _Run, names: set, first_sweep: int):
    """([(CurrentClampSeries, CurrentClampStimulusSeries | None)] one per sweep, [(where, series)] the
    other traces) of one run."""
    from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries

    result = run.result
    traces = {k: np.asarray(v, dtype=float) for k, v in result.traces.items()}
    n = len(result.t)
    for label, data in traces.items():
        if data.shape[:1] != (n,):
            raise ModelError(f"NWB: trace {label!r} has {data.shape[:1]} samples, the result's t has {n}")
    timing = _timing(result.t)
    unit = {k: trace_unit(k, run.units) for k in traces}
    vs, stim = _labels(run, traces, unit)
    where = "" if run.point is None else "run " + str(run.index) + (
        ": " + ", ".join(f"{k}={v}" for k, v in run.point.items()) if run.point else "")
    sweeps, others, stim_series = [], [], None
    for label, data in traces.items():
        name = _name(label, run.index, names)
        tag = lambda u: _tag(label, u, name, run)  # noqa: E731 - the same fields for every kind
        about = f" ({where})" if where else ""
        if label in vs:
            number = np.uint32(first_sweep + vs.index(label))
            sweeps.append(CurrentClampSeries(
                name=name, data=data, electrode=electrode, gain=1.0, sweep_number=number, conversion=1e-3,
                description=f"membrane potential {label!r} (stored in mV){about}", comments=tag("mV"),
                **timing))
            continue
        si, factor = SI.get(unit[label], (unit[label], 1.0))
        if label == stim and unit[label] in ("uA/cm2", "µA/cm²") and run.area_um2 is not None:
            data, unit[label], si, factor = data * run.area_um2 * 1e-5, "nA", "amperes", 1e-9
        if label == stim and si == "amperes":
            stim_series = CurrentClampStimulusSeries(
                name=name, data=data * (factor / 1e-9), electrode=electrode, gain=1.0,
                sweep_number=np.uint32(first_sweep), conversion=1e-9,
                description=f"injected current {label!r} (stored in nA){about}", comments=tag("nA"), **timing)
            continue
        others.append(("stimulus" if label == stim else "acquisition", pynwb.TimeSeries(
            name=name, data=data, unit=si, conversion=factor,
            description=f"{label!r} (stored in {unit[label] or 'dimensionless'}){about}",
            comments=tag(unit[label]), **timing)))
    sweeps.sort(key=lambda s: int(s.sweep_number))
    if stim_series is not None and not sweeps:  # no V recorded under current clamp: a stimulus alone
        others.append(("stimulus", stim_series))
    pairs = [(s, stim_series if i == 0 else None) for i, s in enumerate(sweeps)]
    return pairs, others


def _tag(label: str, unit: str, key: str, run: _Run) -> str:
    """What ``read`` needs to give a series back (JSON in ``comments``): its trace's label and unit,
    the key it is read back under, and for a sweep's run its index and grid point."""
    tag = {"label": label, "unit": unit, "key": label if run.index is None else key}
    if run.point is not None:
        tag.update(run=run.index, point=run.point)
    return json.dumps({"excitable": tag})


def _name(label: str, index: int | None, taken: set) -> str:
    """An NWB object name for a trace label ("/" is not allowed in one; "LABEL [run k]" in a sweep's
    file), unique in this file."""
    base = label.replace("/", "_per_") + ("" if index is None else f" [run {index}]")
    name, k = base, 2
    while name in taken:
        name, k = f"{base} ({k})", k + 1
    taken.add(name)
    return name
