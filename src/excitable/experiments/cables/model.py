"""How does a published model cell fire (its morphology, .mod files and parameter file)?

A model from a public database (the Allen Cell Types database, ModelDB, a BluePyOpt optimisation) is
three things: the cell's reconstructed shape (an SWC file), the mechanisms of its membrane written in
NEURON's NMODL language (a folder of .mod files: each channel's gates, rates and currents), and a
parameter file saying how dense each mechanism is in each part of the cell (soma, axon, basal and
apical dendrites), with the membrane capacitance, the axial resistivity, the reversal potentials and
the temperature at which the model was fitted. This experiment puts the three together, as NEURON
would, and injects a current step into the soma.

The mechanisms are imported from the .mod files themselves (``excitable.load_mod``: NEURON's own
parser, no C compiler), so the channels are the model's, with their own names and units: the
parameter file's ``gbar_NaV`` in the soma becomes the ``gbar`` of the mechanism ``NaV`` on the soma's
compartments. A spike starts where sodium channels are dense (the soma and the axon's initial part)
once the step has charged the membrane to threshold; how often it repeats depends on how fast the
potassium currents bring V back down and how quickly the sodium channels recover. The rate during
the step, the first spike's latency and the spike times are what a database records for its cells,
so they are what a downloaded model is compared by.

Without files the cell is the Allen database's Scnn1a layer-4 neuron with NEURON's built-in
Hodgkin-Huxley channels on its whole membrane.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from excitable.errors import ModelError
from excitable.experiments.cables.declarations import MODEL as EXPERIMENT
from excitable.experiments.cables.model_figure import plot_model
from excitable.io import model_parameters, morphologies
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp
from excitable.results import Result

#: The cell without a parameter file: NEURON's hh with its defaults (S/cm²) on every section, as a
#: NEURON user's first try of a reconstruction does.
DEFAULT_PARAMETERS = [{"section": "all", "name": f"{k}_hh", "value": v, "mechanism": "hh"}
                      for k, v in (("gnabar", 0.12), ("gkbar", 0.036), ("gl", 0.0003), ("el", -54.3))]
#: NEURON's defaults where the file gives none: celsius 6.3 °C, v_init -65 mV.
CELSIUS, V_INIT = 6.3, -65.0


def parameters(p) -> model_parameters.ModelParameters:
    """The model's parameters: the file ``p.parameters``, or ``DEFAULT_PARAMETERS``."""
    if p.parameters:
        return model_parameters.read(p.parameters)
    return model_parameters.parse(DEFAULT_PARAMETERS, "the default parameters")


def mechanisms(p) -> dict:
    """SUFFIX -> class of the .mod files ``p.mechanisms`` names (none: NEURON's built-ins only)."""
    if not p.mechanisms:
        return {}
    from excitable.io.nmodl import load_mod

    if not Path(p.mechanisms).exists():
        raise ModelError(f"mechanisms: no such folder or file {p.mechanisms!r}")
    from excitable.io.nmodl.function_tables import read_json  # FUNCTION_TABLE values, SUFFIX -> name -> table

    loaded = load_mod([p.mechanisms], tables=read_json(p.tables) if p.tables else None)  # a list: SUFFIX -> class
    return dict(loaded)


def build_cell(p) -> tuple[Cell, model_parameters.ModelParameters]:
    """The cell of ``p.swc`` with the model's mechanisms and values (everything checked first), and
    the parameters as applied (each ``PARAM_SUFFIX`` bound to a mechanism that exists)."""
    classes = mechanisms(p)
    params = model_parameters.bind(parameters(p), classes)
    cell = Cell(Morphology.from_swc(morphologies.path(p.swc, field="swc")), dx_um=p.dx_um)
    return model_parameters.apply(params, cell, classes), params


def run(**given) -> Result:
    p = EXPERIMENT.resolve(given)
    cell, params = build_cell(p)
    celsius = p.temperature if p.temperature is not None else (params.celsius if params.celsius is not None
                                                               else CELSIUS)
    v_init = p.v_init if p.v_init is not None else (params.v_init if params.v_init is not None else V_INIT)
    sim = Simulation(cell, dt=p.dt, temperature=celsius, v_init=v_init, seed=p.seed)
    sim.stimulate(IClamp(cell.soma, amplitude=p.amplitude_nA, delay=p.delay, duration=p.duration))
    sim.record("v")
    res = sim.run(p.tstop)
    res.name = EXPERIMENT.name
    res.summary = summary(res, p, cell, celsius, v_init, params)
    res.meta.update(p)
    res.plotter = plot_model
    return res


def summary(res, p, cell: Cell, celsius: float, v_init: float, params) -> dict:
    """Spike times at the soma (0-mV upward crossings, NEURON's NetCon criterion), their count during
    the step, the first one's time and the rate (spikes / the step's duration within the run)."""
    from excitable.analysis import spike_times

    spikes = spike_times(res.t, res["v"])
    end = min(p.delay + p.duration, p.tstop)
    during = spikes[(spikes >= p.delay) & (spikes <= end)]
    window_s = max(end - p.delay, 0.0) / 1000.0
    return {
        "spike_times_ms": spikes.tolist(),
        "n_spikes": int(len(during)),
        "first_spike_ms": float(during[0]) if len(during) else None,
        "rate_hz": float(len(during) / window_s) if window_s > 0 else 0.0,
        "n_compartments": int((cell.compartments.area_um2 > 0).sum()),
        "mechanisms": list(params.mechanisms),
        "temperature": celsius,
        "v_init_mV": v_init,
        "amplitude_nA": p.amplitude_nA,
        "soma_peak_mV": float(np.max(res["v"])),
        "swc": str(p.swc),
    }
