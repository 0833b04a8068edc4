"""NEURON's side of the NMODL comparisons: the .mod files compiled once per session by nrnivmodl
(the wheel's own share/modfile and demo/release files, read from the installed package, and this
repository's tests/reference/mod/nm_*.mod), and one compartment run under a voltage-clamp step or a
current clamp. Skips when NEURON or its compiler is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.reference.nrnmech import neuron_loaded

OWN = Path(__file__).parents[2] / "reference" / "mod"
DT = 0.025
L_UM = DIAM_UM = 10.0


def class_loader():
    """A module's ``cls(stem)``: the class a test mechanism's file defines (``mod_file``), loaded
    once per module that asks (each module its own classes, as a user's fresh load would give)."""
    from functools import cache

    from excitable.io.nmodl import load_mod

    return cache(lambda stem: load_mod(mod_file(stem)))


def share() -> Path:
    import importlib.util

    return Path(next(iter(importlib.util.find_spec("neuron").submodule_search_locations))) / ".data" / "share"


def mod_file(name: str) -> Path:
    """A test mechanism's .mod file: ours (nm_*, pt_*), or one the neuron wheel installs."""
    if name.startswith(("nm_", "pt_")):
        return OWN / f"{name}.mod"
    for folder in (share() / "modfile", share() / "nrn" / "demo" / "release"):
        if (folder / f"{name}.mod").exists():
            return folder / f"{name}.mod"
    raise FileNotFoundError(name)


#: file stem -> NEURON's SUFFIX, for every file NEURON compiles here (hh and pas are built in).
COMPILED = {"cachan1": "cachan1", "capump": "capump", "nachan": "HHna", "khhchan": "HHk",
            "camchan": "cachan", "nacaex": "nacax", "nm_kinetic": "nm_kinetic",
            "nm_implicit": "nm_implicit", "nm_euler": "nm_euler", "nm_instant": "nm_instant",
            "nm_cadecay": "nm_cadecay", "nm_procsolve": "nm_procsolve", "nm_akca": "nm_akca",
            "nm_digits": "nm_digits", "nm_linear_init": "nm_linear_init", "nm_linear_bp": "nm_linear_bp",
            "nm_otherion": "nm_otherion", "nm_kinrate": "nm_kinrate"}


_H = []


def neuron_with_mods():
    """NEURON's h with every test mechanism loaded (compiled once, cached), or skip; through
    ``nrnmech.neuron_loaded``, which loads only those the process lacks (another test file, or a
    ``mod compare`` run in this worker, may have loaded some: NEURON refuses a name twice)."""
    if _H:
        return _H[0]
    h = neuron_loaded([mod_file(n) for n in COMPILED], "nrnmech-nmodl", "the NMODL test files", timeout_s=600)
    _H.append(h)
    return h


def neuron_run(suffixes, *, celsius, tstop, v_init=-65.0, clamp=None, iclamp=None, record=(), extra_pas=False):
    """One NEURON compartment (L = diam = 10 um) with ``suffixes`` inserted, exact rates
    (usetable_* = 0). clamp: SEClamp levels ((dur, mV), ...) with rs 0.01 MOhm; iclamp: (delay, dur,
    nA). record: (name, attribute of seg or (mechanism, variable)). Returns arrays by name, and "v"."""
    h = neuron_with_mods()
    sec = h.Section(name="nm_cell")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    for s in suffixes:
        sec.insert(s)
        if hasattr(h, f"usetable_{s}"):
            setattr(h, f"usetable_{s}", 0)
    if extra_pas:
        sec.insert("pas")
        sec(0.5).pas.g, sec(0.5).pas.e = 1e-4, -65.0
    h.dt, h.secondorder, h.celsius = DT, 0, celsius
    stim = None
    if clamp is not None:
        stim = h.SEClamp(sec(0.5))
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = clamp
    if iclamp is not None:
        stim = h.IClamp(sec(0.5))
        stim.delay, stim.dur, stim.amp = iclamp
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v)}
    for name, ref in record:
        target = getattr(sec(0.5), ref[0]) if isinstance(ref, tuple) else sec(0.5)
        attr = ref[1] if isinstance(ref, tuple) else ref
        vecs[name] = h.Vector().record(getattr(target, f"_ref_{attr}"))
    h.finitialize(v_init)
    h.continuerun(tstop)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stim, sec
    return out


#: The pool, geometry and array files (issue 18), a second library loaded beside the first (NEURON
#: registers its mechanisms after those of the first: its SOLVEs run after theirs in a step).
POOLS = {"capmpr": "capmpr", "cabpump": "cadifpmp", "nm_shells": "nm_shells", "nm_geom": "nm_geom",
         "nm_kca": "nm_kca", "release": "trel", "nm_cagate": "nm_cagate", "nm_cainit": "nm_cainit"}


def neuron_with_pools():
    """NEURON's h with the first library and the POOLS files loaded (each compiled once), or skip."""
    neuron_with_mods()
    return neuron_loaded([mod_file(n) for n in POOLS], "nrnmech-nmodl-pools", "the NMODL pool test files",
                         timeout_s=600)


def leaky_compartment(mechanisms, passive_cls, *, celsius, v_init, clamp=None, iclamp=None):
    """Our side of ``neuron_run(..., extra_pas=True)``: one L_UM x DIAM_UM compartment with the
    instances ``mechanisms`` and a 0.1 mS/cm² leak (e -65 mV, ``passive_cls``: the wheel's
    passive.mod imported), under the SEClamp levels ``clamp`` (rs 0.01 MΩ) or the IClamp
    ``iclamp`` (delay ms, duration ms, nA); V recorded. Returns (cell, simulation) for the caller's
    own records."""
    import excitable as ex

    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM)
    for mech in mechanisms:
        cell.insert(mech)
    cell.insert(passive_cls(g=1e-4, e=-65.0))
    sim = ex.Simulation(cell, dt=DT, temperature=celsius, v_init=v_init)
    if clamp is not None:
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp, rs=0.01))
    if iclamp is not None:
        sim.stimulate(ex.IClamp(cell.soma, amplitude=iclamp[2], delay=iclamp[0], duration=iclamp[1]))
    sim.record("v")
    return cell, sim


def leaky_both(classes, neuron, *, record, celsius: float, tstop: float, v_init: float, clamp=None, iclamp=None):
    """Our run and NEURON's of one leaky compartment (``leaky_compartment``, ``neuron_run``) with the
    mechanism classes ``classes`` (the last is the passive one): every state of each recorded on both
    sides (a concentration a file writes is the ion's in NEURON), and NEURON's ``record`` besides.
    ``neuron()``: NEURON with the classes' files loaded (usetable_hh is set to 0)."""
    *mechanisms, passive = classes
    _, sim = leaky_compartment([c() for c in mechanisms], passive, celsius=celsius, v_init=v_init, clamp=clamp,
                               iclamp=iclamp)
    record = list(record)
    for c in mechanisms:
        for st in c.states:
            if st != "celsius":
                sim.record(f"{c.__name__}.{st}")
        record += [(f"{c.__name__}.{st}", st if st in (getattr(c, "conc_writes", None) or {}) else (c.__name__, st))
                   for st in c.description.states]
    ours = sim.run(tstop)
    neuron().usetable_hh = 0
    theirs = neuron_run([c.__name__ for c in mechanisms], celsius=celsius, tstop=tstop, v_init=v_init, clamp=clamp,
                        iclamp=iclamp, record=record, extra_pas=True)
    return ours, theirs


def hh_events_neuron(h, name: str, *, times=(), weight: float = 0.0, params=None, iclamp=None, signals=(),
                     tstop: float, dt: float = DT, celsius: float = 6.3) -> dict[str, np.ndarray]:
    """NEURON's run of point process ``name`` (its .mod already loaded into ``h``) on a 20 x 20 um hh
    compartment (usetable_hh = 0), events of ``weight`` at ``times`` from a source-less NetCon (none
    without times), ``iclamp`` (delay, duration, amplitude nA) or none: V and the point process's
    ``signals``."""
    sec = h.Section(name=f"{name}_cell")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    pp = getattr(h, name)(sec(0.5))
    for k, x in (params or {}).items():
        setattr(pp, k, x)
    keep = []
    if len(times):
        nc = h.NetCon(None, pp)
        nc.weight[0] = weight
        keep += [nc, h.FInitializeHandler(lambda: [nc.event(t) for t in times])]
    if iclamp is not None:
        stim = h.IClamp(sec(0.5))
        stim.delay, stim.dur, stim.amp = iclamp
        keep.append(stim)
    vecs = {"v": h.Vector().record(sec(0.5)._ref_v)}
    vecs.update({k: h.Vector().record(getattr(pp, f"_ref_{k}")) for k in signals})
    h.dt, h.secondorder, h.celsius = dt, 0, celsius
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = {k: np.array(v) for k, v in vecs.items()}
    del keep, pp, sec
    return out


def hh_events_ours(hh_cls, mechanism, *, times, weight: float, iclamp=None, signals=(), tstop: float,
                   dt: float = DT, celsius: float = 6.3) -> dict[str, np.ndarray]:
    """``hh_events_neuron``'s run here: ``mechanism`` (an instance) on the same compartment with
    ``hh_cls`` (hh.mod's class), the events through Network.spike_train."""
    import excitable as ex
    from excitable.model.network import Network, Site

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(hh_cls())
    net = Network([cell])
    net.spike_train(times, 0, mechanism, weight=weight, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=dt, temperature=celsius, v_init=-65.0)
    if iclamp is not None:
        sim.stimulate(ex.IClamp(cell.soma, amplitude=iclamp[2], delay=iclamp[0], duration=iclamp[1]))
    sim.record("v", Site(0, cell.soma), label="v")
    for k in signals:
        sim.record(f"{mechanism.name}[0].{k}", label=k)
    res = sim.run(tstop)
    return {k: np.asarray(res[k]).ravel() for k in ("v", *signals)}
