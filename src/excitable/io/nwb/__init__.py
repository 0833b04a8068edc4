"""NWB files (Neurodata Without Borders, through pynwb): runs saved as NWB, recorded sweeps read back.

``save(result, path)`` writes one file (``writing``):

- the membrane potential (the trace ``v``, or the first 1-D trace in mV) as a ``CurrentClampSeries``
  (acquisition, sweep 0), recorded by a simulated electrode; further membrane potentials of the same
  result (all-or-none's responses, refractory-period's tests) as sweeps 1, 2, ...;
- the injected current (``i_stim``, ``iclamp[0]`` or the trace named by ``stimulus``) as a
  ``CurrentClampStimulusSeries`` (stimulus, sweep 0) in amperes; a density (µA/cm²) becomes a current
  with ``area_um2``, the membrane it was spread over (without one it stays a density, a TimeSeries);
- every other trace as a ``TimeSeries`` (acquisition) with its unit;
- one row per sweep in the file's intracellular recordings table (pynwb's icephys tables);
- the run's parameters (``result.meta``) and measurements (``result.summary``) as JSON in the file's
  ``notes``, a sentence about them in ``experiment_description``.

``save_sweeps(results, path, points=...)`` writes several runs (a sweep over a grid: ``excitable sweep
NAME --format nwb``) into one file: run k's V is sweep k, with its own stimulus; the swept values are
columns of the recordings table and in each series' description.

Data are stored in our units with NWB's ``conversion`` to SI (mV: 1e-3 volts, nA: 1e-9 amperes,
µA/cm²: 1e-2 A/m², mS/cm²: 10 S/m², mM: 1 mol/m³), so an NWB reader gets SI and the numbers are ours.

``read(path)`` gives a saved file back as a Result (every trace under its label and unit, the
parameters and measurements, ``meta["sweeps"]`` its sweeps). ``sweeps(path)`` lists a file's
current-clamp sweeps; ``read_sweep(path, sweep)`` reads one (ours, or a recording from DANDI or the
Allen Cell Types database) as a ``Result``: ``t`` in ms from the sweep's start, ``v`` in mV,
``stimulus`` in nA when the file has it; ``excitable.fit`` takes it as its target (resampled onto the
simulation's time step). Reading an HDF5 file runs nothing from it; each series' size is checked
against ``excitable.limits`` ("memory") before its samples are read (``reading``).

pynwb is an optional extra (``pip install 'excitable[nwb]'``), imported only here and only when used.
"""

from __future__ import annotations

from excitable.io.nwb.reading import read, read_sweep, sweeps
from excitable.io.nwb.units import SI, trace_unit
from excitable.io.nwb.writing import save, save_sweeps

__all__ = ["SI", "read", "read_sweep", "save", "save_sweeps", "sweeps", "trace_unit"]
