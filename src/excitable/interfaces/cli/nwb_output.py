"""``excitable run NAME --format nwb --out DIR``: the run's report plus DIR/run.nwb (``excitable.io.nwb``);
``excitable sweep NAME --grid ... --format nwb --out DIR``: DIR/sweep.nwb, one sweep per grid point.

The experiment's declared signals give the traces' units; the stimulus of a single-compartment
experiment is a density (µA/cm²), stored as the current it makes over the model's membrane (its area).
"""

from __future__ import annotations

from pathlib import Path

from excitable.errors import ModelError

#: The NWB file's name inside the report folder.
NWB_FILE = "run.nwb"


def check_available() -> None:
    """Refuse ``--format nwb`` before any work when pynwb is not installed (one line, exit 2)."""
    from excitable.io.extras import require

    require("pynwb", "nwb", "--format nwb")


def writer(declared, result):
    """``write(path)``: ``result`` as an NWB file, with the units of ``declared``'s signals."""
    from excitable.io import nwb

    units = {label: sig.unit for label in result.traces for sig in declared.signals if sig.matches(label)}
    area = stimulus_area_um2(result)

    # Under voltage clamp V is the command, not a current-clamp recording: no CurrentClampSeries then.
    voltage = False if declared.name == "voltage-clamp" else None

    def write(path):
        nwb.save(result, path, units=units, area_um2=area, description=f"excitable run {declared.name}",
                 voltage=voltage)

    return write


def stimulus_area_um2(result) -> float | None:
    """The membrane (µm²) a stimulus density was spread over: the run's own ``area_um2`` if it says,
    else the soma of the single-compartment model it names (``meta["model"]``), else None."""
    if "area_um2" in result.meta:
        return float(result.meta["area_um2"])
    from excitable.experiments.common.params import MODELS

    if "i_stim" not in result.traces or result.meta.get("model") not in MODELS:
        return None
    from excitable.experiments.common.models import single_compartment

    cell = single_compartment(result.meta["model"]).cell
    return cell.area_um2(cell.soma)


#: The NWB file's name inside a sweep's folder.
SWEEP_NWB_FILE = "sweep.nwb"


def write_sweep(declared, fixed: dict, out, res) -> str:
    """Write ``out/sweep.nwb`` from a finished sweep ``res`` (``sweeping.sweep(traces=True)``), one
    sweep per grid point, in grid order; points that raised are left out (their rows say why). The
    traces are the ones the sweep kept (run here, on Dask, or by the sweep this one resumed): nothing
    runs again. Returns the file's name."""
    from excitable.io import nwb

    done = res.results()
    if not done:
        raise ModelError(f"--format nwb: no grid point of {declared.name} ran; nothing to save")
    results = [r for _, r in done]
    units = {label: sig.unit for r in results for label in r.traces for sig in declared.signals
             if sig.matches(label)}
    nwb.save_sweeps(results, Path(out) / SWEEP_NWB_FILE, points=[p for p, _ in done], units=units,
                    area_um2=[stimulus_area_um2(r) for r in results],
                    voltage=False if declared.name == "voltage-clamp" else None,
                    description=f"excitable sweep {declared.name}",
                    meta={"experiment": declared.name, **fixed})
    return SWEEP_NWB_FILE
