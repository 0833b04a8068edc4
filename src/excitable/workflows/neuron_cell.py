"""``excitable mod compare MODS --cell SWC --parameters FILE``: a whole downloaded model (its
reconstruction, its .mod files, its parameter file) run by NEURON and by excitable side by side; the
soma's V and spike times compared (the issue's criterion for a whole cell: spike times within 0.1 ms).

NEURON's side is built the way NEURON users build such a model: Import3d reads the SWC
(``Import3d_SWC_read`` + ``Import3d_GUI.instantiate``, which excitable's reader reproduces exactly),
each section gets the smallest odd nseg with segments of at most ``dx_um`` (excitable's ``dx_um``
rule; an Allen model gets the Allen loaders' axon and nseg = 1 + 2*int(L/40) instead, built here by
NEURON as the Allen SDK builds it, ``excitable.io.allen_allactive``), the parameter file is applied
entry by entry as the Allen SDK and BluePyOpt do (insert every mechanism an entry names in its
section list, then set each value: RANGE per segment, GLOBAL as ``NAME_SUFFIX``, ``cm``/``Ra``/reversal
potentials per section), the tables are turned off
(``usetable_* = 0``), and a current step is injected into the soma's middle. excitable's side is the
``model`` experiment's cell (``io.model_parameters.apply``) with the same step.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import sys

import numpy as np

from excitable.errors import ModelError

CELL_SPIKE_TOLERANCE_MS = 0.1  # the bound for a whole published cell
#: A parameter file's section lists -> the Import3d cell's attribute holding them.
SECTION_LISTS = {"all": "all", "somatic": "soma", "soma": "soma", "axonal": "axon", "axon": "axon",
                 "basal": "dend", "dend": "dend", "apical": "apic", "apic": "apic"}


@dataclasses.dataclass
class CellComparison:
    """Soma V on both sides (mV, at every step), spike times (ms), and what was run."""

    v_ours: np.ndarray
    v_neuron: np.ndarray
    spikes_ours: np.ndarray
    spikes_neuron: np.ndarray
    n_compartments: int  # with membrane (junction nodes of zero area left out, as the model experiment counts)
    notes: list[str]

    @property
    def v_difference(self) -> float:
        """max |V ours - V NEURON| / max |V NEURON| at the soma."""
        n = min(len(self.v_ours), len(self.v_neuron))
        return float(np.max(np.abs(self.v_ours[:n] - self.v_neuron[:n])) / np.max(np.abs(self.v_neuron[:n])))

    @property
    def agrees(self) -> bool:
        a, b = self.spikes_ours, self.spikes_neuron
        return len(a) == len(b) and bool(np.all(np.abs(a - b) <= CELL_SPIKE_TOLERANCE_MS))

    def report(self) -> str:
        from excitable.experiments.cables.model import SPIKE_THRESHOLD_MV

        def times(x):
            return ", ".join(f"{t:.3f}" for t in x[:12]) + (" ..." if len(x) > 12 else "")

        gap = (f"{np.max(np.abs(self.spikes_ours - self.spikes_neuron)):.4f} ms"
               if len(self.spikes_ours) == len(self.spikes_neuron) and len(self.spikes_ours) else "-")
        lines = [f"whole cell ({self.n_compartments} compartments): soma V largest difference "
                 f"{self.v_difference:.2e} of its scale",
                 f"spikes counted where V crosses {SPIKE_THRESHOLD_MV:g} mV upward (NEURON's APCount default)",
                 f"spikes: excitable {len(self.spikes_ours)} [{times(self.spikes_ours)}] ms",
                 f"        NEURON    {len(self.spikes_neuron)} [{times(self.spikes_neuron)}] ms",
                 f"largest spike-time difference: {gap}"]
        lines += [f"note: {n}" for n in self.notes]
        verdict = "same as NEURON" if self.agrees else "DIFFERS from NEURON"
        lines.append(f"{verdict}: spike times within {CELL_SPIKE_TOLERANCE_MS} ms "
                     f"({'yes' if self.agrees else 'no'})")
        return "\n".join(lines)


def compare_model(paths, swc, parameters, *, amplitude_nA: float, dt: float, celsius: float | None,
                  tstop: float, tables: str | None = None) -> CellComparison:
    """Load the .mod files ``paths`` (their FUNCTION_TABLE values from the JSON file ``tables``, as
    ``neuron_compare.compare_mods`` reads it) and compare the whole model (``compare_cell``)."""
    from pathlib import Path

    from excitable.experiments.cables.model import chosen
    from excitable.io import model_parameters
    from excitable.io.nmodl.function_tables import read_json
    from excitable.workflows.neuron_compare import check_ranges, refuse_pointers, require_tables

    check_cell_options(swc, parameters)
    check_ranges(celsius=celsius, dt=dt, amplitude_nA=amplitude_nA)
    if not (0.0 < tstop <= 10_000.0):
        raise ModelError(f"mod compare: --tstop {tstop!r} must be in (0, 10000] ms")
    # a file excitable refuses (bmtk's vecevent.mod) or with a POINTER that the parameters do not use:
    # left out on both sides with mod compare's note; one they use: its own line
    given = model_parameters.read(parameters)
    picked = chosen([Path(p) for p in paths], given, read_json(tables) if tables is not None else None).selected
    require_tables(picked.loaded)
    named = set(model_parameters.bind(given, picked.every).mechanisms)
    refuse_pointers({s: c for s, c in picked.every.items() if s in named})
    mechanisms = {s: c for s, c in picked.loaded.items() if getattr(c, "kind", "density") == "density"}
    out = compare_cell(picked.files, mechanisms, swc, parameters, amplitude_nA=amplitude_nA, dt=dt,
                       celsius=celsius, tstop=tstop, duration=max(0.0, tstop - 10.0))
    out.notes[:0] = picked.notes
    return out


def compare_cell(files, mechanisms: dict, swc, parameters, *, amplitude_nA: float, dt: float,
                 celsius: float | None, tstop: float = 150.0, delay: float = 5.0, duration: float = 100.0,
                 dx_um: float = 40.0) -> CellComparison:
    """Both sides of one downloaded model under a soma current step (module docstring)."""
    import excitable as ex
    from excitable.analysis import spike_times
    from excitable.io import allen_allactive, model_parameters, morphologies
    from excitable.workflows import neuron_side

    params = model_parameters.bind(model_parameters.read(parameters), mechanisms)
    temp = celsius if celsius is not None else (params.celsius if params.celsius is not None else 6.3)
    v_init = params.v_init if params.v_init is not None else -65.0
    swc_path = morphologies.path(swc, field="--cell")
    cell = model_parameters.apply(params, ex.Cell(ex.Morphology.from_swc(swc_path), dx_um=dx_um), mechanisms)
    built = allen_allactive.describe(params, cell)  # an Allen model's axon and segments, on both sides
    sim = ex.Simulation(cell, dt=dt, temperature=temp, v_init=v_init)
    sim.stimulate(ex.IClamp(cell.soma, amplitude=amplitude_nA, delay=delay, duration=duration))
    sim.record("v")
    res = sim.run(tstop)
    nrn = neuron_side.Neuron(files, mechanisms, dt=dt, celsius=temp)
    t_n, v_n = _neuron_cell(nrn, swc_path, params, dx_um=dx_um, v_init=v_init,
                            stim=(amplitude_nA, delay, duration), tstop=tstop)
    v_ours = np.asarray(res["v"])
    from excitable.experiments.cables.model import SPIKE_THRESHOLD_MV as AT  # -20 mV, both sides alike

    return CellComparison(v_ours, v_n, np.asarray(spike_times(res.t, v_ours, threshold=AT)),
                          np.asarray(spike_times(t_n, v_n, threshold=AT)),
                          int((cell.compartments.area_um2 > 0).sum()),
                          list(nrn.notes) + ([f"{built}, on both sides"] if built else []))


def _neuron_cell(nrn, swc_path, params, *, dx_um, v_init, stim, tstop):
    """NEURON's run of the model: (t, soma V) arrays."""
    h = nrn.h
    owner, clamp, t, v = neuron_model(nrn, swc_path, params, dx_um=dx_um, stim=stim)
    h.dt, h.secondorder, h.celsius = nrn.dt, 0, nrn.celsius
    from excitable.workflows.neuron_side import neuron_failure

    with neuron_failure(f"the model on {os.path.basename(str(swc_path))} under the soma's current step"):
        h.finitialize(v_init)
        h.continuerun(tstop)
    out = np.array(t), np.array(v)
    del clamp, owner
    return out


def neuron_model(nrn, swc_path, params, *, dx_um, stim, allen_nseg: bool | None = None):
    """NEURON's cell of the model, built as its users build it (module docstring), with the soma
    step and (t, soma V) recorders: (owner, clamp, t, v); keep them alive while it runs (the
    benchmarks/bench_model.py times its runs). An Allen model (``params.allen``) gets the Allen
    loaders' axon and, unless ``allen_nseg`` is False, their nseg = 1 + 2*int(L/40) (True: any file),
    as ``model_parameters.apply`` gives excitable's cell."""
    h = nrn.h
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    with _quiet_stdout():  # Import3d prints its complaints about header lines to C's stdout
        reader.input(str(swc_path))
    owner = _Owner()
    h.Import3d_GUI(reader, 0).instantiate(owner)
    allen = getattr(params, "allen", "")
    if allen == "all-active":
        _allen_truncated(h, owner)
    elif getattr(params, "axon_stub", None) is not None:
        _allen_stub(h, owner, params.axon_stub)
    for sec in owner.all:
        if allen_nseg or (allen_nseg is None and allen):  # the Allen SDK's rule, written out
            sec.nseg = 1 + 2 * int(sec.L / 40.0)
            continue
        n = max(1, int(np.ceil(sec.L / dx_um - 1e-9)))
        sec.nseg = n + 1 if n % 2 == 0 else n
    lists = {name: list(getattr(owner, attr, None) or []) if attr != "all" else list(owner.all)
             for name, attr in SECTION_LISTS.items()}
    for e in params.entries:  # insert first, as the parameter loaders do
        if e.mechanism:
            for sec in lists.get(e.section, []):
                sec.insert(e.mechanism)
    for e in params.entries:
        for sec in lists.get(e.section, []):
            _set(h, sec, e)
    for suffix in {e.mechanism for e in params.entries if e.mechanism}:
        if hasattr(h, f"usetable_{suffix}"):
            setattr(h, f"usetable_{suffix}", 0)
    soma = lists["soma"][0] if lists["soma"] else lists["all"][0]
    clamp = h.IClamp(soma(0.5))
    clamp.amp, clamp.delay, clamp.dur = stim
    t, v = h.Vector().record(h._ref_t), h.Vector().record(soma(0.5)._ref_v)
    return owner, clamp, t, v


def _set(h, sec, e) -> None:
    """One parameter-file entry on one NEURON section."""
    if not e.mechanism:
        name = {"ra": "Ra"}.get(e.parameter, e.parameter)
        if name in ("Ra",):
            sec.Ra = e.value
            return
        for seg in sec:
            try:  # a reversal potential where the section has no such ion: skipped, as excitable's apply
                setattr(seg, name, e.value)
            except (NameError, AttributeError, ValueError, TypeError, LookupError):
                return
        return
    full = f"{e.parameter}_{e.mechanism}"
    for seg in sec:
        try:
            setattr(seg, full, e.value)
        except (NameError, AttributeError, LookupError):  # a GLOBAL: one value for the mechanism
            setattr(h, full, e.value)
            return


def _allen_stub(h, owner, stub) -> None:
    """The Allen SDK's steps for a fit file with "axon_morph" (excitable.io.allen_axon): every
    section named axon deleted, two new ones of the stub's L and diam, axon[0](0) connected to
    soma[0](soma_x) and axon[1](0) to axon[0](1); kept on ``owner.axon`` and in ``owner.all``."""
    _new_axon(h, owner, stub.lengths_um, stub.diameters_um, stub.soma_x)


def _allen_truncated(h, owner) -> None:
    """The Allen SDK's all-active steps (``AllActiveUtils.generate_morphology``, the "truncated" axon;
    excitable.io.allen_allactive says what they are), done here by NEURON itself: nseg = 1 + 2*int(L/40)
    everywhere; the diameters of axon[0] and of the first axon[i] whose middle is over 60 um from
    soma[0](0) (else axon[0]'s), read as NEURON's sec.diam; the axon deleted and two 30 um sections of
    those diameters put on, the first at soma[0](1)."""
    for sec in owner.all:
        sec.nseg = 1 + 2 * int(sec.L / 40.0)
    axon = list(getattr(owner, "axon", None) or [])  # Import3d's axon[0], axon[1], ... in index order
    if not axon:
        raise ModelError("an all-active fit needs the reconstruction's axon (the Allen SDK reads its stub's "
                         "diameters from it); this cell has none")
    diams = [axon[0].diam, axon[0].diam]
    h.distance(sec=owner.soma[0])  # the origin: soma[0](0)
    for sec in axon:
        if h.distance(0.5, sec=sec) > 60.0:
            diams[1] = sec.diam
            break
    _new_axon(h, owner, (30.0, 30.0), diams, 1.0)


def _new_axon(h, owner, lengths, diams, soma_x) -> None:
    """Every section named axon deleted; two new ones of ``lengths`` and ``diams`` (um), nseg 1,
    axon[0](0) at soma[0](soma_x) and axon[1](0) at axon[0](1); kept on ``owner.axon`` and in ``owner.all``."""
    kept = h.SectionList()  # a SectionList keeps its deleted sections: a new one without them
    for sec in list(owner.all):
        if sec.name().rpartition(".")[2].startswith("axon"):
            h.delete_section(sec=sec)
        else:
            kept.append(sec)
    stubs = [h.Section(name=f"{owner}.axon_stub[{k}]") for k in range(2)]
    for sec, length, diam in zip(stubs, lengths, diams):
        sec.L, sec.diam, sec.nseg = length, diam, 1
        kept.append(sec)
    stubs[0].connect(owner.soma[0](soma_x), 0)
    stubs[1].connect(stubs[0](1), 0)
    owner.all, owner.axon = kept, stubs


@contextlib.contextmanager
def _quiet_stdout():
    """NEURON's printing silenced for the duration (file descriptor 1 and ``sys.stdout``)."""
    sys.stdout.flush()
    saved, sink = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # and to Python's, where NEURON's printf goes
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(sink)


class _Owner:
    """What Import3d instantiates the sections into (their names start with ``cell.``)."""

    def __str__(self):
        return "cell"


def check_cell_options(cell, parameters) -> None:
    """Both or neither of --cell and --parameters (one line)."""
    if bool(cell) != bool(parameters):
        raise ModelError("mod compare: --cell and --parameters go together (a whole model needs its "
                         "reconstruction and its parameter file)")

