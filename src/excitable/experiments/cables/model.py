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

import dataclasses
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
#: A whole cell's spikes count where the soma's V crosses -20 mV upward: NEURON's APCount default
#: (``APCount.thresh``), not spike_times' 0 mV, since fast-spiking cells (the Allen database's PV
#: models) fire action potentials that peak just below 0 mV. ``mod compare --cell`` counts both sides
#: at it too (workflows/neuron_cell.py).
SPIKE_THRESHOLD_MV = -20.0


def parameters(p) -> model_parameters.ModelParameters:
    """The model's parameters: the file ``p.parameters``, or ``DEFAULT_PARAMETERS``."""
    if p.parameters:
        return model_parameters.read(p.parameters)
    return model_parameters.parse(DEFAULT_PARAMETERS, "the default parameters")


def mechanisms(p) -> dict:
    """SUFFIX -> class of the .mod files ``p.mechanisms`` names (none: NEURON's built-ins only), every
    file loaded (a refusal is the one-line ModelError); ``build`` leaves out the files its parameters
    do not use."""
    return load(p, None)[0]


def load(p, params) -> tuple[dict, list[str]]:
    """``mechanisms`` of a model with the parameters ``params``: a file excitable refuses that they do
    not use is left out with a note ("SUFFIX: not loaded: FILE:LINE: why; ...", ``chosen``)."""
    if not p.mechanisms:
        return {}, []
    from excitable.io.nmodl import load_mod

    if not Path(p.mechanisms).exists():
        raise ModelError(f"mechanisms: no such folder or file {p.mechanisms!r}")
    from excitable.io.nmodl.function_tables import read_json  # FUNCTION_TABLE values, SUFFIX -> name -> table

    tables = read_json(p.tables) if p.tables else None
    if params is None:
        return dict(load_mod([p.mechanisms], tables=tables)), []  # a list: SUFFIX -> class
    picked = chosen([p.mechanisms], params, tables)
    notes = [f"{name}: not loaded: {why}; the parameters do not name it, so the model runs without it"
             for name, why in picked.left_out]
    return dict(picked.selected.every), notes


@dataclasses.dataclass
class Chosen:
    """``selected``: neuron_compare_files.Selected of a model's .mod files; ``left_out``: (SUFFIX,
    refusal with file:line) of each file excitable refuses that the model does not use."""

    selected: object
    left_out: list[tuple[str, str]]


def chosen(paths, params: model_parameters.ModelParameters, tables=None) -> Chosen:
    """The .mod files ``paths`` (a folder, files) loaded as one NEURON library, each file on its own
    (``neuron_compare_files.select``, mod compare's rule): a file excitable refuses is left out where
    no entry of ``params`` names its mechanism and no named mechanism reads an ion variable it writes
    (a Ca pool) or takes an ion's VALENCE from it; otherwise its refusal (file:line) is the one-line
    ModelError. bmtk's and the Allen models' folders carry vecevent.mod (VecStim, VERBATIM C), which
    their parameter files never name."""
    from excitable.io.nmodl.loader import load_mod, mod_paths
    from excitable.workflows.neuron_compare_files import Selected, select

    files = mod_paths(paths)
    try:
        picked = select(files, tables)
    except ModelError:  # nothing select would compare: the first refusal's own line, as load_mod gives it,
        every = dict(load_mod(files, tables=tables))  # or none (files with a POINTER or random draws only)
        picked = Selected(files, every, every, set(), [], [])
    # the refusal of each file left out, by the name select gives it (its SUFFIX, else its stem)
    why = dict(r.split(": not compared: ", 1) for r in picked.reasons)
    # a guessed PARAM_SUFFIX split ("gbar_Ca_HVA") bound with the refused names too, so naming one counts
    named = set(model_parameters.bind(params, dict.fromkeys([*picked.every, *picked.refused])).mechanisms)
    uses = {s: c for s, c in picked.every.items() if s in named}
    refused = [(f, name) for f in files if (name := _name(f)) in picked.refused]  # in the folder's order
    for _, name in refused:  # named: its own line (a VALENCE borrower's names the file it borrows from)
        if name in named:
            raise ModelError(why[name])
    for f, name in refused:
        if reader := _reader_of(f, uses):
            raise ModelError(f"{why[name]} ({reader}, which this file writes: the model needs it)")
    return Chosen(picked, [(name, why[name]) for _, name in refused])


def _name(path) -> str:
    """A .mod file's name as select gives it: its SUFFIX, or its stem where it declares none."""
    from excitable.io.nmodl.function_tables import suffix_of
    from excitable.io.nmodl.parse import read_text

    return suffix_of(read_text(path)[1]) or Path(path).stem


def _reader_of(path, uses: dict) -> str:
    """"X reads cai" where a mechanism of ``uses`` reads an ion variable the file ``path`` declares it
    writes (USEION ... WRITE); "" where none does or the file's declarations cannot be read."""
    from excitable.io.nmodl.describe import describe
    from excitable.io.nmodl.parse import parse_text, read_text

    try:
        desc = describe(parse_text(*read_text(path)))
    except ModelError:  # its refusal is the note; nothing it writes can be named
        return ""
    writes = {w for ion in desc.ions for w in ion.write}
    for s, c in uses.items():
        if read := writes & {x for ion in c.description.ions for x in ion.read}:
            return f"{s} reads {', '.join(sorted(read))}"
    return ""


def build_cell(p) -> tuple[Cell, model_parameters.ModelParameters]:
    """The cell of ``p.swc`` with the model's mechanisms and values (everything checked first), and
    the parameters as applied (each ``PARAM_SUFFIX`` bound to a mechanism that exists)."""
    cell, params, _ = build(p)
    return cell, params


#: The segment length (µm, at most) of a model no Allen rule applies to, when dx_um is not given.
DX_UM = 40.0


def dx_um(p) -> float:
    """The dx_um rule's length, µm: the one given, else ``DX_UM``."""
    return p.dx_um if p.dx_um is not None else DX_UM


def build(p, allen_nseg: bool | None = None) -> tuple[Cell, model_parameters.ModelParameters, list[str]]:
    """``build_cell`` and the notes of the files left out (``mechanisms``). An Allen model's cell gets
    the Allen loaders' axon and their nseg rule (``allen_nseg`` None; False: ``p.dx_um``'s rule)."""
    given = parameters(p)
    classes, notes = load(p, given)
    params = model_parameters.bind(given, classes)
    cell = Cell(Morphology.from_swc(morphologies.path(p.swc, field="swc")), dx_um=dx_um(p))
    return model_parameters.apply(params, cell, classes, allen_nseg=allen_nseg), params, notes


def run(**given) -> Result:
    p = EXPERIMENT.resolve(given)
    # An Allen model is discretized as the Allen loaders do (both set nseg = 1 + 2*int(L/40)), unless
    # dx_um is given: then the user's rule, for a convergence check.
    allen_nseg = False if p.dx_um is not None else None
    cell, params, notes = build(p, allen_nseg)
    celsius = p.temperature if p.temperature is not None else (params.celsius if params.celsius is not None
                                                               else CELSIUS)
    v_init = p.v_init if p.v_init is not None else (params.v_init if params.v_init is not None else V_INIT)
    sim = Simulation(cell, dt=p.dt, temperature=celsius, v_init=v_init, seed=p.seed)
    sim.stimulate(IClamp(cell.soma, amplitude=p.amplitude_nA, delay=p.delay, duration=p.duration))
    sim.record("v")
    res = sim.run(p.tstop)
    res.name = EXPERIMENT.name
    res.summary = summary(res, p, cell, celsius, v_init, params)
    from excitable.io.allen_allactive import describe

    res.summary["discretization"] = describe(params, cell, allen_nseg) or f"dx_um = {dx_um(p):g} um per segment at most"
    res.summary["notes"] = notes
    res.meta.update(p)
    res.plotter = plot_model
    return res


def summary(res, p, cell: Cell, celsius: float, v_init: float, params) -> dict:
    """Spike times at the soma (upward crossings of ``SPIKE_THRESHOLD_MV``, NEURON's APCount
    default), their count during the step, the first one's time and the rate (spikes / the step's
    duration within the run)."""
    from excitable.analysis import spike_times

    spikes = spike_times(res.t, res["v"], threshold=SPIKE_THRESHOLD_MV)
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
        "spike_threshold_mV": SPIKE_THRESHOLD_MV,
        "swc": str(p.swc),
    }
