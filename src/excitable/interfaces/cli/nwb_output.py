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

    def __init__(self, declared, fixed: dict, total: int):
        self.declared, self.fixed, self.total = declared, dict(fixed), total
        self.kept: dict[str, object] = {}
        self.largest = 0  # samples of the largest run kept (its traces and t)

    def __call__(self, points, results) -> None:
        import numpy as np

        from excitable.workflows.journal import key

        for point, res in zip(points, results):
            self.kept[key(point)] = res
            if not isinstance(res, Exception):
                self.largest = max(self.largest, sum(int(np.size(v)) for v in res.traces.values()) + len(res.t))
        self._check_memory()

    def _check_memory(self) -> None:
        """The traces of every grid point (8 bytes a sample, the largest run's size each) against the
        memory limit, from the first batch on: a grid too large to keep is refused early."""
        from excitable import limits

        if self.largest:
            limits.check("memory", 8.0 * self.largest * self.total,
                         f"--format nwb: the traces of {self.total} grid points")

    def write(self, out, points: list[dict]) -> str:
        """Write ``out/sweep.nwb`` (points that raised are left out: their rows say why); its name."""
        from excitable.experiments.common.batching import run_many
        from excitable.io import nwb
        from excitable.progress import reporting
        from excitable.workflows.journal import key

        from excitable.workflows.sweeping import LOCAL_BATCH

        missing = [p for p in points if key(p) not in self.kept]
        for i in range(0, len(missing), LOCAL_BATCH):  # a batch at a time: the memory check after each
            batch = missing[i:i + LOCAL_BATCH]
            with reporting(None):
                self(batch, run_many(self.declared.name, [{**self.fixed, **p} for p in batch]))
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
