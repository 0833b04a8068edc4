"""Reading NWB files: ``read_sweep`` (one current-clamp sweep, ours or a recording), ``sweeps`` (the
list of a file's sweeps) and ``read`` (a file saved by ``save``/``save_sweeps``, back as a Result).

Reading an HDF5 file runs nothing from it (h5py reads arrays and attributes; the JSON in a series'
``comments`` and the file's ``notes`` is parsed as data). Every series' size is checked against
``excitable.limits`` ("memory") before its samples are read.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np

from excitable import limits
from excitable.errors import ModelError
from excitable.io.nwb.writing import _pynwb
from excitable.results import Result


@contextlib.contextmanager
def _opened(path):
    """The NWBFile of ``path``, open for reading; one-line ModelErrors for a missing or foreign file."""
    pynwb = _pynwb()
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"NWB: no file {str(p)!r}")
    try:
        io = pynwb.NWBHDF5IO(str(p), "r")
    except Exception as e:  # noqa: BLE001 - h5py/hdmf raise many kinds for a file that is not NWB
        raise ModelError(_unreadable(p, e)) from None
    try:
        try:
            nwbfile = io.read()
        except Exception as e:  # noqa: BLE001 - as above: an HDF5 file that is not NWB
            raise ModelError(_unreadable(p, e)) from None
        yield nwbfile
    finally:
        io.close()


def _unreadable(p: Path, e: Exception) -> str:
    first = str(e).splitlines()[0][:160] if str(e) else ""
    return f"NWB: {str(p)!r} is not a readable NWB file ({type(e).__name__}: {first})"


def _tag(series) -> dict | None:
    """What ``save`` wrote into a series' comments (label, unit, key, run, point), or None."""
    try:
        tag = json.loads(series.comments)["excitable"]
    except (TypeError, ValueError, KeyError):
        return None
    return tag if isinstance(tag, dict) and isinstance(tag.get("label"), str) else None


def _sweep_number(series):
    n = getattr(series, "sweep_number", None)
    return None if n is None else int(n)


def _current_clamp(nwbfile) -> list:
    from pynwb.icephys import CurrentClampSeries

    return [s for s in nwbfile.acquisition.values() if isinstance(s, CurrentClampSeries)]


def sweeps(path) -> list[dict]:
    """The current-clamp sweeps of an NWB file, without reading their samples: one dict per
    ``CurrentClampSeries`` of the acquisition group, in sweep order: ``sweep`` (its number),
    ``series`` (its name), ``stimulus`` (the name of the CurrentClampStimulusSeries of the same sweep,
    or None), ``samples``, ``rate_hz`` (None with timestamps), and for files of ``save_sweeps``
    ``label`` (the trace's label), ``run`` and ``point`` (the swept parameters)."""
    with _opened(path) as nwbfile:
        out = []
        for s in _current_clamp(nwbfile):
            stim = _matching_stimulus(nwbfile, s)
            tag = _tag(s) or {}
            out.append({"sweep": _sweep_number(s), "series": s.name, "stimulus": None if stim is None else stim.name,
                        "samples": int(_shape(s)[0]), "rate_hz": None if s.rate is None else float(s.rate),
                        "label": tag.get("label"), "run": tag.get("run"), "point": tag.get("point", {})})
        return sorted(out, key=lambda d: (d["sweep"] is None, d["sweep"] or 0, d["series"]))


def read_sweep(path, sweep: int | str = 0) -> Result:
    """A current-clamp sweep of an NWB file as a Result: ``t`` (ms from the sweep's first sample),
    ``traces["v"]`` (mV) and, when the file holds the matching ``CurrentClampStimulusSeries``,
    ``traces["stimulus"]`` (nA); ``meta`` says where it came from (file, series, sweep number,
    sampling rate in Hz, start in s, and for a file of ``save_sweeps`` the run's swept parameters,
    ``meta["point"]``). ``excitable.fit(..., target=read_sweep(path, 3))`` fits to it.

    ``sweep``: the sweep number (``sweep_number`` of a CurrentClampSeries in the acquisition group)
    or the name of the series. A missing file, a file that is not NWB, a sweep that is not there or a
    series without the fields of one (volts, one channel, a time base) is a one-line ModelError naming it.
    """
    p = Path(path)
    with _opened(p) as nwbfile:
        series = _find_sweep(nwbfile, sweep, p)
        v = _samples(series, p, "volts") * 1e3
        t = _times_ms(series, len(v))
        traces = {"v": v}
        stim = _matching_stimulus(nwbfile, series)
        if stim is not None and _shape(stim)[:1] == (len(v),):
            traces["stimulus"] = _samples(stim, p, "amperes") * 1e9
        tag = _tag(series) or {}
        meta = {"source": str(p), "series": series.name, "sweep": _sweep_number(series),
                "rate_hz": None if series.rate is None else float(series.rate),
                "starting_time_s": float(series.starting_time if series.timestamps is None
                                         else series.timestamps[0]),
                "units": {"v": "mV", "stimulus": "nA"}, "point": tag.get("point", {})}
        return Result(t=t, traces=traces, name=series.name, meta=meta)


def _find_sweep(nwbfile, sweep, p: Path):
    found = _current_clamp(nwbfile)
    if isinstance(sweep, (bool, np.bool_)) or not isinstance(sweep, (str, int, np.integer)):
        raise ModelError(f"NWB: sweep must be a sweep number (an integer) or a series name, got {sweep!r}")
    for s in found:
        if (isinstance(sweep, str) and s.name == sweep) or (not isinstance(sweep, str) and _sweep_number(s) == sweep):
            return s
    have = ", ".join(f"{s.name} (sweep {_sweep_number(s)})" for s in found[:12]) or "none"
    more = f" and {len(found) - 12} more" if len(found) > 12 else ""
    raise ModelError(f"NWB: {str(p)!r} has no current-clamp sweep {sweep!r}; it has {have}{more}")


def _shape(series) -> tuple:
    data = series.data
    shape = getattr(data, "shape", None)
    return tuple(shape) if shape is not None else (len(data),)


def _samples(series, p: Path, si_unit: str) -> np.ndarray:
    """The series' samples in SI (data x conversion + offset), its size checked before they are read."""
    if series.unit != si_unit:
        raise ModelError(f"NWB: {series.name!r} in {str(p)!r} has unit {series.unit!r}, expected {si_unit!r}")
    shape = _shape(series)
    if len(shape) != 1:
        raise ModelError(f"NWB: {series.name!r} in {str(p)!r} has data of shape {shape}, expected one channel")
    limits.check("memory", 8.0 * shape[0], f"NWB sweep {series.name!r} ({shape[0]} samples)")
    try:
        data = np.asarray(series.data[:], dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"NWB: {series.name!r} in {str(p)!r} has data that are not numbers") from None
    return data * float(series.conversion) + float(getattr(series, "offset", 0.0) or 0.0)


def _times_ms(series, n: int) -> np.ndarray:
    if series.timestamps is not None:
        ts = np.asarray(series.timestamps[:], dtype=float)
        if ts.shape != (n,):
            raise ModelError(f"NWB: {series.name!r} has {ts.shape[0]} timestamps for {n} samples")
        return (ts - ts[0]) * 1e3
    if not series.rate or not series.rate > 0:
        raise ModelError(f"NWB: {series.name!r} has neither timestamps nor a sampling rate > 0 (rate {series.rate!r})")
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
    """A file saved by ``save`` or ``save_sweeps``, back as a Result: every trace under its label (a
    sweep's file: "LABEL [run k]"), in the units it was stored in (``meta["units"]``: label -> unit;
    the stimulus in nA if it was stored as a current), ``t`` in ms, ``meta`` the run's parameters,
    ``meta["sweeps"]`` the file's current-clamp sweeps (as ``sweeps``), ``meta["runs"]`` a sweep's
    points and summaries, and ``summary`` the run's measurements (from ``notes``). Runs with
    different time bases cannot share one Result: read them one by one with ``read_sweep``."""
    p = Path(path)
    listing = sweeps(p)
    with _opened(p) as nwbfile:
        traces, units, t = {}, {}, None
        for s in [*nwbfile.acquisition.values(), *nwbfile.stimulus.values()]:
            tag = _tag(s)
            if tag is None:
                continue  # not a series of ours
            shape = _shape(s)
            limits.check("memory", 8.0 * float(np.prod(shape)), f"NWB series {s.name!r} ({shape[0]} samples)")
            times = _series_times(s, shape[0])
            if t is None:
                t = times
            elif times.shape != t.shape or not np.allclose(times, t, rtol=1e-12, atol=1e-12):
                raise ModelError(f"NWB: {str(p)!r}: series {s.name!r} has another time base than the first; "
                                 f"read its sweeps one by one with read_sweep(path, k)")
            key = str(tag.get("key", tag["label"]))
            traces[key], units[key] = np.asarray(s.data[:], dtype=float), tag.get("unit", "")
        if t is None:
            raise ModelError(f"NWB: {str(p)!r} holds no series saved by excitable (read_sweep reads recordings)")
        try:
            notes = json.loads(nwbfile.notes or "{}")
        except ValueError:
            notes = {}
        notes = notes if isinstance(notes, dict) else {}
        meta = {**notes.get("parameters", {}), "units": units, "source": str(p), "sweeps": listing}
        if "runs" in notes:
            meta["runs"] = notes["runs"]
        return Result(t=t, traces=traces, summary=notes.get("summary", {}), meta=meta)


def _series_times(s, n: int) -> np.ndarray:
    """A series' sample times in ms (its timestamps, or its start and rate)."""
    if s.timestamps is not None:
        return np.asarray(s.timestamps[:], float) * 1e3
    if not s.rate or not s.rate > 0:
        raise ModelError(f"NWB: {s.name!r} has neither timestamps nor a sampling rate > 0 (rate {s.rate!r})")
    return 1e3 * float(s.starting_time or 0.0) + np.arange(n) * (1e3 / float(s.rate))
