"""NWB files (Neurodata Without Borders, through pynwb): a run saved as NWB, a recorded sweep read back.

``save(result, path)`` writes one file:

- the membrane potential (the trace ``v``, or the first 1-D trace in mV) as a ``CurrentClampSeries``
  (acquisition, sweep 0), recorded by a simulated electrode;
- the injected current (``i_stim``, ``iclamp[0]`` or the trace named by ``stimulus``) as a
  ``CurrentClampStimulusSeries`` (stimulus, sweep 0) in amperes; a density (µA/cm²) becomes a current
  with ``area_um2``, the membrane it was spread over (without one it stays a density, a TimeSeries);
- every other trace as a ``TimeSeries`` (acquisition) with its unit;
- the run's parameters (``result.meta``) and measurements (``result.summary``) as JSON in the file's
  ``notes``, a sentence about them in ``experiment_description``.

Data are stored in our units with NWB's ``conversion`` to SI (mV: 1e-3 volts, nA: 1e-9 amperes,
µA/cm²: 1e-2 A/m², mS/cm²: 10 S/m², mM: 1 mol/m³), so an NWB reader gets SI and the numbers are ours.

``read(path)`` gives a saved run back as a Result (every trace under its label and unit, the
parameters and measurements). ``read_sweep(path, sweep)`` reads a current-clamp sweep (ours, or a recording from DANDI or the Allen
Cell Types database) as a ``Result``: ``t`` in ms from the sweep's start, ``v`` in mV, ``stimulus``
in nA when the file has it; ``excitable.fit`` takes it as its target (resampled onto the simulation's
time step). Reading an HDF5 file runs nothing from it; the sweep's size is checked against
``excitable.limits`` ("memory") before its samples are read.

pynwb is an optional extra (``pip install 'excitable[nwb]'``), imported only here and only when used.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from excitable import limits
from excitable.errors import ModelError
from excitable.io.extras import require
from excitable.results import Result, jsonable

#: Our unit -> (NWB's SI unit, the conversion that takes our numbers to it).
SI = {
    "mV": ("volts", 1e-3), "nA": ("amperes", 1e-9), "pA": ("amperes", 1e-12),
    "uA/cm2": ("A/m^2", 1e-2), "µA/cm²": ("A/m^2", 1e-2), "mS/cm2": ("S/m^2", 10.0),
    "mS/cm²": ("S/m^2", 10.0), "uS": ("siemens", 1e-6), "µS": ("siemens", 1e-6), "nS": ("siemens", 1e-9),
    "mM": ("mol/m^3", 1.0), "ms": ("seconds", 1e-3), "Hz": ("hertz", 1.0), "um": ("meters", 1e-6),
    "µm": ("meters", 1e-6), "": ("dimensionless", 1.0),
}
#: The sweep number of a saved run (NWB stores it unsigned).
_SWEEP = np.uint32(0)
#: The labels the engine and the experiments give their traces -> unit (``Simulation.record``).
_SPECIAL = {"v": "mV", "v_all": "mV", "i_cap": "uA/cm2", "i_ion": "uA/cm2", "i_stim": "uA/cm2"}


def _pynwb():
    return require("pynwb", "nwb", "NWB files")


def trace_unit(label: str, units: dict[str, str] | None = None) -> str:
    """The unit of a trace: ``units[label]`` if given, a unit in the label's last parentheses
    ("v at 100 um (mV)"), else the recording conventions of ``Simulation.record`` ("v" mV, "HH.ina"
    µA/cm², "HH.gna" mS/cm², "HH.m" dimensionless "", "iclamp[0]" nA, "ci:ca" mM, "AMPA[0].g" µS)."""
    if units and label in units:
        return units[label]
    base = label.split("@", 1)[0]  # "v@Location(section=1, x=0.5)": where, not a unit
    if base.endswith(")") and "(" in base:
        return base[base.rindex("(") + 1:-1].strip()
    if base in _SPECIAL:
        return _SPECIAL[base]
    if base.startswith(("iclamp[", "vclamp[")):
        return "nA"
    if base[:3] in ("ci:", "co:"):
        return "mM"
    mech, _, field = base.partition(".")
    if not field:
        return "unknown"
    if "[" in mech:  # a synapse instance: point currents and conductances
        return {"i": "nA", "g": "uS", "T": "mM"}.get(field[:1] if field != "T" else "T", "")
    return "uA/cm2" if field.startswith("i") else "mS/cm2" if field.startswith("g") else ""


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
    Returns the path.
    """
    pynwb = _pynwb()
    path = Path(path)
    nwbfile = _new_file(pynwb, result, description)
    series = _series(pynwb, nwbfile, result, units or {}, stimulus, area_um2, voltage)
    for kind, s in series:
        (nwbfile.add_stimulus if kind == "stimulus" else nwbfile.add_acquisition)(s)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}.nwb")  # pynwb wants .nwb
    try:
        with pynwb.NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwbfile)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _new_file(pynwb, result: Result, description: str | None):
    import excitable

    meta = jsonable(result.meta)
    params = ", ".join(f"{k}={v}" for k, v in meta.items() if isinstance(v, (int, float, str)))
    return pynwb.NWBFile(
        session_description=description or f"excitable simulation{': ' + result.name if result.name else ''}",
        identifier=str(uuid.uuid4()),
        session_start_time=datetime.now(timezone.utc),
        experiment_description=f"Simulated with excitable {excitable.__version__}; parameters: {params}",
        notes=json.dumps({"parameters": meta, "summary": jsonable(result.summary)}),
        data_collection="simulation (excitable); traces at the time step dt times the recording stride",
        source_script="excitable", source_script_file_name="excitable",
    )


def _timing(t: np.ndarray) -> dict:
    """NWB's time base: a start and a rate (s, Hz) for evenly spaced samples, else timestamps (s)."""
    t_s = np.asarray(t, dtype=float) * 1e-3
    if len(t_s) > 1:
        step = np.diff(t_s)
        if np.allclose(step, step[0], rtol=1e-9, atol=0):
            return {"starting_time": float(t_s[0]), "rate": float(1.0 / step[0])}
    return {"timestamps": t_s}


def _series(pynwb, nwbfile, result: Result, units, stimulus, area_um2, voltage) -> list[tuple[str, object]]:
    """(where, series) for every trace: V as a CurrentClampSeries, the stimulus as a
    CurrentClampStimulusSeries, the others as TimeSeries."""
    from pynwb.icephys import CurrentClampSeries, CurrentClampStimulusSeries

    traces = {k: np.asarray(v, dtype=float) for k, v in result.traces.items()}
    n = len(result.t)
    for label, data in traces.items():
        if data.shape[:1] != (n,):
            raise ModelError(f"NWB: trace {label!r} has {data.shape[:1]} samples, the result's t has {n}")
    timing = _timing(result.t)
    unit = {k: trace_unit(k, units) for k in traces}
    v_label = voltage if isinstance(voltage, str) else None if voltage is False else "v" if "v" in traces \
        else next((k for k in traces if unit[k] == "mV" and traces[k].ndim == 1), None)
    if v_label is not None and v_label not in traces:
        raise ModelError(f"NWB: voltage {v_label!r} is not a trace of this result; it has {', '.join(traces)}")
    stim = stimulus or next((k for k in ("i_stim", "iclamp[0]") if k in traces), None)
    if stim is not None and stim not in traces:
        raise ModelError(f"NWB: stimulus {stim!r} is not a trace of this result; it has {', '.join(traces)}")
    device = nwbfile.create_device(name="excitable", description="a simulated cell (excitable)")
    electrode = nwbfile.create_icephys_electrode(
        name="simulated_electrode", device=device, description="the simulation's current clamp, at the soma")
    out = []
    for label, data in traces.items():
        name = _series_name(label, out)
        if label == v_label:
            out.append(("acquisition", CurrentClampSeries(
                name=name, data=data, electrode=electrode, gain=1.0, sweep_number=_SWEEP, conversion=1e-3,
                description=f"membrane potential {label!r} (stored in mV)", comments=_label(label, "mV"),
                **timing)))
            continue
        si, factor = SI.get(unit[label], (unit[label], 1.0))
        if label == stim and unit[label] in ("uA/cm2", "µA/cm²") and area_um2 is not None:
            data, unit[label], si, factor = data * area_um2 * 1e-5, "nA", "amperes", 1e-9
        if label == stim and si == "amperes":
            out.append(("stimulus", CurrentClampStimulusSeries(
                name=name, data=data * (factor / 1e-9), electrode=electrode, gain=1.0, sweep_number=_SWEEP,
                conversion=1e-9, description=f"injected current {label!r} (stored in nA)",
                comments=_label(label, "nA"), **timing)))
            continue
        out.append(("stimulus" if label == stim else "acquisition", pynwb.TimeSeries(
            name=name, data=data, unit=si, conversion=factor,
            description=f"{label!r} (stored in {unit[label] or 'dimensionless'})",
            comments=_label(label, unit[label]), **timing)))
    return out


def _label(label: str, unit: str) -> str:
    """What ``read`` needs to give a series back its trace's label and unit (JSON in ``comments``)."""
    return json.dumps({"excitable": {"label": label, "unit": unit}})


def _series_name(label: str, taken: list) -> str:
    """An NWB object name for a trace label ("/" is not allowed in one), unique in this file."""
    name = label.replace("/", "_per_")
    names = {s.name for _, s in taken}
    k = 2
    base = name
    while name in names:
        name, k = f"{base} ({k})", k + 1
    return name


def read_sweep(path, sweep: int | str = 0) -> Result:
    """A current-clamp sweep of an NWB file as a Result: ``t`` (ms from the sweep's first sample),
    ``traces["v"]`` (mV) and, when the file holds the matching ``CurrentClampStimulusSeries``,
    ``traces["stimulus"]`` (nA); ``meta`` says where it came from (file, series, sweep number,
    sampling rate in Hz, start in s). ``excitable.fit(..., target=read_sweep(path, 3))`` fits to it.

    ``sweep``: the sweep number (``sweep_number`` of a CurrentClampSeries in the acquisition group)
    or the name of the series. A missing file, a file that is not NWB, a sweep that is not there or a
    series not in volts is a one-line ModelError naming it.
    """
    pynwb = _pynwb()
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"NWB: no file {str(p)!r}")
    try:
        io = pynwb.NWBHDF5IO(str(p), "r")
        nwbfile = io.read()
    except Exception as e:  # noqa: BLE001 - h5py/hdmf raise many kinds for a file that is not NWB
        raise ModelError(f"NWB: {str(p)!r} is not a readable NWB file ({type(e).__name__}: "
                         f"{str(e).splitlines()[0][:160] if str(e) else ''})") from None
    try:
        series = _find_sweep(nwbfile, sweep, p)
        v = _samples(series, p, "volts") * 1e3
        t = _times_ms(series, len(v))
        traces = {"v": v}
        stim = _matching_stimulus(nwbfile, series)
        if stim is not None and len(stim.data) == len(v):
            traces["stimulus"] = _samples(stim, p, "amperes") * 1e9
        meta = {"source": str(p), "series": series.name, "sweep": _sweep_number(series),
                "rate_hz": None if series.rate is None else float(series.rate),
                "starting_time_s": float(series.starting_time if series.timestamps is None
                                         else series.timestamps[0]),
                "units": {"v": "mV", "stimulus": "nA"}}
        return Result(t=t, traces=traces, name=series.name, meta=meta)
    finally:
        io.close()


def _sweep_number(series):
    n = getattr(series, "sweep_number", None)
    return None if n is None else int(n)


def _find_sweep(nwbfile, sweep, p: Path):
    from pynwb.icephys import CurrentClampSeries

    found = [s for s in nwbfile.acquisition.values() if isinstance(s, CurrentClampSeries)]
    for s in found:
        if (isinstance(sweep, str) and s.name == sweep) or \
                (not isinstance(sweep, (str, bool)) and _sweep_number(s) == sweep):
            return s
    have = ", ".join(f"{s.name} (sweep {_sweep_number(s)})" for s in found[:12]) or "none"
    raise ModelError(f"NWB: {str(p)!r} has no current-clamp sweep {sweep!r}; it has {have}")


def _samples(series, p: Path, si_unit: str) -> np.ndarray:
    """The series' samples in SI (data x conversion + offset), its size checked before they are read."""
    if series.unit != si_unit:
        raise ModelError(f"NWB: {series.name!r} in {str(p)!r} is in {series.unit!r}, expected {si_unit!r}")
    shape = getattr(series.data, "shape", None) or (len(series.data),)
    if len(shape) != 1:
        raise ModelError(f"NWB: {series.name!r} in {str(p)!r} has shape {tuple(shape)}, expected one channel")
    limits.check("memory", 8.0 * shape[0], f"NWB sweep {series.name!r} ({shape[0]} samples)")
    data = np.asarray(series.data[:], dtype=float)
    return data * float(series.conversion) + float(getattr(series, "offset", 0.0) or 0.0)


def _times_ms(series, n: int) -> np.ndarray:
    if series.timestamps is not None:
        ts = np.asarray(series.timestamps[:], dtype=float)
        return (ts - ts[0]) * 1e3
    if not series.rate or not series.rate > 0:
        raise ModelError(f"NWB: {series.name!r} has neither timestamps nor a sampling rate > 0")
    return np.arange(n) * (1e3 / float(series.rate))


def _matching_stimulus(nwbfile, series):
    """The CurrentClampStimulusSeries of the same sweep (same sweep number), if the file has one."""
    from pynwb.icephys import CurrentClampStimulusSeries

    number = _sweep_number(series)
    for s in nwbfile.stimulus.values():
        if isinstance(s, CurrentClampStimulusSeries) and number is not None and _sweep_number(s) == number:
            return s
    return None


def read(path) -> Result:
    """A run saved by ``save``, back as a Result: every trace under its label, in the units it was
    stored in (``meta["units"]``: label -> unit; the stimulus in nA if it was stored as a current),
    ``t`` in ms, ``meta`` the run's parameters and ``summary`` its measurements (from ``notes``)."""
    pynwb = _pynwb()
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"NWB: no file {str(p)!r}")
    try:
        io = pynwb.NWBHDF5IO(str(p), "r")
        nwbfile = io.read()
    except Exception as e:  # noqa: BLE001 - as in read_sweep
        raise ModelError(f"NWB: {str(p)!r} is not a readable NWB file ({type(e).__name__})") from None
    try:
        traces, units, t = {}, {}, None
        for s in [*nwbfile.acquisition.values(), *nwbfile.stimulus.values()]:
            try:
                tag = json.loads(s.comments)["excitable"]
            except (TypeError, ValueError, KeyError):
                continue  # not a series of ours
            shape = getattr(s.data, "shape", (len(s.data),))
            limits.check("memory", 8.0 * float(np.prod(shape)), f"NWB series {s.name!r} ({shape[0]} samples)")
            traces[tag["label"]], units[tag["label"]] = np.asarray(s.data[:], dtype=float), tag["unit"]
            if t is None:  # the saved series share one time base
                t = np.asarray(s.timestamps[:], float) * 1e3 if s.timestamps is not None else \
                    1e3 * float(s.starting_time or 0.0) + np.arange(shape[0]) * (1e3 / float(s.rate))
        if t is None:
            raise ModelError(f"NWB: {str(p)!r} holds no series saved by excitable (read_sweep reads recordings)")
        try:
            notes = json.loads(nwbfile.notes or "{}")
        except ValueError:
            notes = {}
        meta = {**notes.get("parameters", {}), "units": units, "source": str(p)}
        return Result(t=t, traces=traces, summary=notes.get("summary", {}), meta=meta)
    finally:
        io.close()
