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


class SweepTraces:
    """``excitable sweep NAME --format nwb``: keeps the Results of the points the sweep runs here
    (``sweeping.sweep(on_results=...)``), runs the others (resumed from the journal, or run on Dask,
    whose rows carry no traces) and writes them all as one NWB file, one sweep per grid point."""

    def __init__(self, declared, fixed: dict):
        self.declared, self.fixed = declared, dict(fixed)
        self.kept: dict[str, object] = {}

    def __call__(self, points, results) -> None:
        from excitable.workflows.journal import key

        for point, res in zip(points, results):
            self.kept[key(point)] = res
        self._check_memory(len(self.kept))

    def _check_memory(self, count: int, total: int | None = None) -> None:
        """The traces kept (8 bytes a sample), extrapolated to ``total`` points, against the limit."""
        from excitable import limits

        import numpy as np

        sizes = [sum(int(np.size(v)) for v in r.traces.values()) + len(r.t)
                 for r in self.kept.values() if not isinstance(r, Exception)]
        if sizes:
            per = 8.0 * max(sizes)
            limits.check("memory", per * (total or count), f"--format nwb: the traces of {total or count} grid points")

    def write(self, out, points: list[dict]) -> str:
        """Write ``out/sweep.nwb`` (points that raised are left out: their rows say why); its name."""
        from excitable.experiments.common.batching import run_many
        from excitable.io import nwb
        from excitable.progress import reporting
        from excitable.workflows.journal import key

        self._check_memory(len(self.kept), len(points))
        missing = [p for p in points if key(p) not in self.kept]
        if missing:
            with reporting(None):
                self(missing, run_many(self.declared.name, [{**self.fixed, **p} for p in missing]))
        done = [(p, self.kept[key(p)]) for p in points if not isinstance(self.kept[key(p)], Exception)]
        if not done:
            raise ModelError(f"--format nwb: no grid point of {self.declared.name} ran; nothing to save")
        results = [r for _, r in done]
        units = {label: sig.unit for r in results for label in r.traces for sig in self.declared.signals
                 if sig.matches(label)}
        nwb.save_sweeps(results, Path(out) / SWEEP_NWB_FILE, points=[p for p, _ in done], units=units,
                        area_um2=[stimulus_area_um2(r) for r in results],
                        voltage=False if self.declared.name == "voltage-clamp" else None,
                        description=f"excitable sweep {self.declared.name}",
                        meta={"experiment": self.declared.name, **self.fixed})
        return SWEEP_NWB_FILE
