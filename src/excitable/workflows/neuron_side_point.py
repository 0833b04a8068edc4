"""Both sides of ``excitable mod compare`` for point processes and artificial cells
(``neuron_compare_point.py``), the protocol of the NMODL tests (tests/io/nmodl/test_point.py,
test_events.py, test_artificial.py): one hh compartment, L = diam = 20 µm, NEURON's hh with exact
rates (``usetable_hh = 0``) and on excitable's side the neuron wheel's own hh.mod imported, so V is
the same to round-off before anything is added.

- a POINT_PROCESS with NET_RECEIVE sits on that compartment and receives a spike train: NEURON's
  through a source-less NetCon (``nc.event(t)`` for each time, from an FInitializeHandler),
  excitable's through ``Network.spike_train``, both of weight ``weight``;
- a POINT_PROCESS without NET_RECEIVE (an electrode, a tonic conductance) sits there under a
  current step (``IClamp`` on both sides);
- an ARTIFICIAL_CELL receives the train the same way; its output spikes are its net_event times
  (NEURON: a NetCon to None that records them; excitable: the ``spike_t`` it records).

The compartment may also hold density mechanisms (``density``: the folder's that the point process
needs, or those named by ``--with``; ``neuron_compare_point.inserted``), inserted on both sides with
their defaults and the ``--set`` values.

Traces recorded under the same names on both sides: ``"v"`` (mV), ``"NAME.STATE"`` for every
state NEURON exposes (the inserted density mechanisms' too, ``"SUFFIX.STATE"``), ``"current:NAME.i"`` (nA) for each current the file writes, and the output
spike times as ``"spikes"`` (ms) for an artificial cell.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from excitable.errors import ModelError
from excitable.workflows.neuron_side import compared_states, neuron_failure

L_UM = DIAM_UM = 20.0
#: what the engine keeps for NEURON's event queue and net_event: no NEURON counterpart.
_EVENT_STATES = ("queue_", "events_lost", "spikes", "spike_t", "spike_offset")


def states_of(cls) -> list[str]:
    """The file's own states and ASSIGNED variables of an imported point class."""
    return [s for s in compared_states(cls) if not s.startswith(_EVENT_STATES)]


def currents_of(cls) -> dict[str, str]:
    """{trace name: current} for what a point process writes: 'current:ExpSyn.i' -> 'i' (nA)."""
    desc = cls.description
    names = list(desc.nonspecific) + [c for ion in desc.ions for c in ion.write if ion.kind(c) == "current"]
    names += [c for c in getattr(cls, "electrode", ()) or () if c not in names]
    return {f"current:{desc.suffix}.{c}": c for c in names}


def receives_events(cls) -> bool:
    """Whether the file has a NET_RECEIVE block (a synapse or an artificial cell)."""
    from excitable.io.nmodl.parse import read_text, strip_comments

    text = "\n".join(strip_comments(read_text(cls.description.path)[1]))  # with its INCLUDEs' text
    return "NET_RECEIVE" in text


def events_read_time(cls) -> bool:
    """Whether an event's time reaches the file's state: an artificial cell (its net_event), or a
    NET_RECEIVE (or any FUNCTION or PROCEDURE) reading ``t`` or calling net_send, net_event,
    net_move or at_time (self-events are timed from ``t``). Conservative: any such use counts."""
    import re

    from excitable.io.nmodl.parse import read_text, strip_comments

    if getattr(cls, "artificial", False):
        return True
    text = "\n".join(strip_comments(read_text(cls.description.path)[1]))  # with its INCLUDEs' text
    start = text.find("NET_RECEIVE")
    parts = [text[start:]] if start >= 0 else []
    parts += [text[m.start():] for m in re.finditer(r"\b(FUNCTION|PROCEDURE)\b", text)]
    pattern = r"\bt\b|\b(net_send|net_event|net_move|at_time)\s*\("
    return any(re.search(pattern, _block(p)) for p in parts)


def _block(text: str) -> str:
    """The first brace-delimited block of ``text``, its header included."""
    depth, opened = 0, False
    for i, ch in enumerate(text):
        depth += (ch == "{") - (ch == "}")
        opened = opened or ch == "{"
        if opened and depth == 0:
            return text[:i + 1]
    return text


def wheel_hh():
    """The neuron wheel's hh.mod imported (NEURON's built-in hh is compiled from the same file)."""
    return wheel_mod("hh.mod")


def wheel_mod(file: str):
    """One of the neuron wheel's own .mod files imported (share/modfile: hh.mod, passive.mod ...)."""
    import importlib.util

    from excitable.io.nmodl.loader import load_mod

    spec = importlib.util.find_spec("neuron")
    path = Path(next(iter(spec.submodule_search_locations))) / ".data" / "share" / "modfile" / file
    if not path.exists():
        raise ModelError(f"mod compare: the neuron wheel's {file} is missing; reinstall neuron")
    return load_mod(path)  # one file: its class


# long because it is one run, set up, recorded and read back in order (module docstring)
def ours(cls, params: dict, *, weight: float, spikes, dt: float, celsius: float, tstop: float,
         iclamp=None, density=None) -> dict:
    """excitable's run of one point class (module docstring): {trace name: array}. ``density``:
    {suffix: (class, parameters)} inserted on the compartment beside hh."""
    import excitable as ex
    from excitable.model.network import Network, Site

    density = density or {}
    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(wheel_hh()())
    for dcls, dparams in density.values():
        cell.insert(dcls(**dparams))
    mech = cls(**params)
    name = cls.description.suffix
    current_of = _as_placed(mech, dt)  # the instance as the engine fills it: its currents re-evaluated
    if iclamp is not None:
        cell.place(mech, cell.soma)
        sim = ex.Simulation(cell, dt=dt, temperature=celsius, v_init=-65.0)
        delay, dur, amp = iclamp
        sim.stimulate(ex.IClamp(cell.soma, amplitude=amp, delay=delay, duration=dur))
        sim.record("v", label="v")
    else:
        net = Network([cell])
        if getattr(cls, "artificial", False):
            net.spike_train(spikes, net.artificial(mech), weight=weight)
        else:
            net.spike_train(spikes, 0, mech, weight=weight, t_max=0.0, pulse=0.0)
        sim = ex.Simulation(net, dt=dt, temperature=celsius, v_init=-65.0)
        sim.record("v", Site(0, cell.soma), label="v")
    # a current the file declares a STATE too (org.neuroml.export's pulseGenerator: STATE { i }) is one trace
    wanted = list(dict.fromkeys(states_of(cls) + list(currents_of(cls).values())))
    wanted += ["spikes", "spike_t", "spike_offset"] if getattr(cls, "artificial", False) else []
    wanted += ["events_lost"] if "events_lost" in cls.states else []
    for k in wanted:
        sim.record(f"{name}[0].{k}", label=k)
    beside = [f"{suffix}.{st}" for suffix, (dcls, _) in density.items() for st in compared_states(dcls)]
    for k in beside:
        sim.record(k, Site(0, cell.soma), label=k)
    res = sim.run(tstop)
    got = {k: np.asarray(res[k], dtype=float).ravel() for k in ["v", *wanted, *beside]}
    out = {"v": got["v"]} | {f"{name}.{s}": got[s] for s in states_of(cls)} | {k: got[k] for k in beside}
    if getattr(cls, "artificial", False):
        out["spikes"] = _net_events(got, name, dt)
    if "events_lost" in got and got["events_lost"].max() > 0:
        raise ModelError(f"mod compare: {name} lost events in excitable's run (its queue is full)")
    # NEURON's BREAKPOINT of the step from t_k runs at t_k + dt/2 (its fixed step's middle)
    states = {s: got[s] for s in states_of(cls) if s in cls.states}  # not the recorded BREAKPOINT values
    states |= {"t": (np.arange(len(got["v"])) + 0.5) * dt, "celsius": np.full(len(got["v"]), float(celsius))}
    current_of = _with_ions(current_of, cls, params, density, got, celsius)
    for trace, current in currents_of(cls).items():
        timed = _neuron_timed_current(current_of, got, states, current)
        if timed is not None:  # else not compared: the report names it (neuron_compare_point)
            out[trace] = timed
    return out


def _with_ions(mech, cls, params: dict, density: dict, got: dict, celsius: float):
    """``mech`` with the ion values it reads as NEURON's ion style gives them per sample (the
    compartment's: a density writer's cai, eca by Nernst from it; ``neuron_side.ion_values``), so
    that its current is re-evaluated with what the engine gave it. Unchanged where it reads none."""
    from excitable.workflows.neuron_side import ion_values

    fields = getattr(cls, "ion_fields", {}) or {}
    if not any(kind in ("e", "ci", "co") for _, kind in fields.values()):
        return mech
    name = cls.description.suffix
    mechanisms = {s: c for s, (c, _) in density.items()} | {name: cls}
    values = {s: p for s, (_, p) in density.items()} | {name: params}
    states = {s: {st: got.get(f"{s}.{st}") for st in (getattr(c, "conc_writes", None) or {})}
              for s, (c, _) in density.items()}
    ions = ion_values(mechanisms, values, states, celsius)
    n = len(got["v"])
    seen = {f: np.broadcast_to(np.asarray(ions[ion][kind], dtype=float), (n,))
            for f, (ion, kind) in fields.items() if ion in ions and kind in ("e", "ci", "co")}
    return dataclasses.replace(mech, **seen) if seen else mech


def _sliced(mech, n: int, part: slice):
    """``mech`` with its per-sample fields (arrays of the run's ``n`` samples) cut to ``part``."""
    cut = {f.name: getattr(mech, f.name)[part] for f in dataclasses.fields(mech)
           if np.ndim(getattr(mech, f.name)) == 1 and np.shape(getattr(mech, f.name))[0] == n}
    return dataclasses.replace(mech, **cut) if cut else mech


def _neuron_timed_current(mech, got: dict, states: dict, current: str) -> np.ndarray:
    """The current as NEURON records it at sample k+1: the file's BREAKPOINT at V and states of
    sample k, here evaluated by the imported class (``currents``). A step in which an event arrives
    is NaN (left out): NEURON evaluates it with the states after the event's jump, which excitable
    records only inside its own current; that step is found where excitable's recorded current
    differs from the one its states at V of the step's end give, or where NET_RECEIVE wrote v
    (``v_wrote``: a reset, PyNN's Izhikevich ``v = v + weight``; NEURON's nrn_cur then sees the
    written V, the re-evaluation the V before it). None where the class cannot re-evaluate it (most
    steps would be so flagged, or the evaluation fails)."""
    v = got["v"]
    try:
        at_start = np.asarray(mech.currents(v, states)[current], dtype=float)
        before = {k: x[:-1] for k, x in states.items()}  # the step from t_k: its t, states; V at its end
        at_end = np.asarray(_sliced(mech, len(v), slice(None, -1)).currents(v[1:], before)[current], dtype=float)
    except (KeyError, TypeError, ValueError):
        return None  # a current that is not the recorded states' function
    recorded = got[current][1:]
    scale = max(float(np.max(np.abs(recorded))), 1e-300)
    jumped = np.abs(recorded - at_end) > 1e-9 * scale  # round-off is 1e-15 of scale; a jump is not
    from excitable.io.nmodl.watch import V_WROTE

    if V_WROTE in got:  # 1 at the sample whose step began with a write of v
        jumped |= np.asarray(got[V_WROTE])[1:] > 0.5
    if jumped.mean() > 0.5:  # not events: the re-evaluation misses something the engine's has
        return None
    out = at_start.copy()
    out[:-1][jumped] = np.nan
    return out


def _as_placed(mech, dt: float):
    """``mech`` with what the engine fills in where it is placed: its segment's diam (µm) and area
    (µm², the 20 x 20 µm cylinder's) and the run's dt, where the file reads them."""
    from excitable.model.cell import with_geometry, with_run_dt

    arrays = {"diam_um": [DIAM_UM], "area_um2": [np.pi * L_UM * DIAM_UM]}
    return with_run_dt(with_geometry(mech, 0, arrays.__getitem__), dt)


def _net_events(got: dict, name: str, dt: float) -> np.ndarray:
    """The net_event times (ms) of a run's recorded ``spikes`` (the step's count), ``spike_t`` (its
    last net_event's time) and ``spike_offset`` (its first one's time past the step's start: sample
    k's step starts at (k - 1) dt): a step with more than two leaves the middle ones unrecorded, so
    it is refused in one line rather than compared as fewer spikes."""
    count, last, first = (np.asarray(got[k]).ravel() for k in ("spikes", "spike_t", "spike_offset"))
    times = []
    for k in np.flatnonzero(count > 0):
        if count[k] > 2:
            raise ModelError(f"mod compare: {name} sent {int(count[k])} net_events in the step at t = "
                             f"{(k - 1) * dt:g} ms; only two a step are compared (reduce dt)")
        times += [(k - 1) * dt + first[k], last[k]] if count[k] == 2 else [last[k]]
    return np.asarray(times, dtype=float)


# long because it is one run, set up, recorded and read back in order (module docstring)
def neuron_run(h, cls, params: dict, *, weight: float, spikes, dt: float, celsius: float, tstop: float,
               iclamp=None, density=None) -> dict:
    """NEURON's run of the same (module docstring): {trace name: array}."""
    name = cls.description.suffix
    sec = h.Section(name="compare_point")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    sec.insert("hh")
    h.usetable_hh = 0
    seg = sec(0.5)
    recs = _insert_density(h, sec, seg, density or {})
    pp = getattr(h, name)() if getattr(cls, "artificial", False) else getattr(h, name)(seg)
    if hasattr(h, f"usetable_{name}"):  # exact rates, as the density mechanisms' (a TABLE'd FUNCTION)
        setattr(h, f"usetable_{name}", 0)
    for k, x in params.items():
        _set(h, pp, name, cls, k, x)
    keep = []
    recs["v"] = h.Vector().record(seg._ref_v)
    if iclamp is not None:
        stim = h.IClamp(seg)
        stim.delay, stim.dur, stim.amp = iclamp
        keep.append(stim)
    else:
        nc = h.NetCon(None, pp)
        nc.weight[0] = weight
        keep += [nc, h.FInitializeHandler(lambda: [nc.event(t) for t in spikes])]
    if getattr(cls, "artificial", False):
        out_nc, recs["spikes"] = h.NetCon(pp, None), h.Vector()
        out_nc.record(recs["spikes"])
        keep.append(out_nc)
    for s in states_of(cls):
        ref = _ref(pp, s)
        if ref is None and s in cls.description.globals_:  # one value for all (here one) instances
            ref = getattr(h, f"_ref_{s}_{name}", None)
        if ref is not None:
            recs[f"{name}.{s}"] = h.Vector().record(ref)
    for trace, current in currents_of(cls).items():
        ref = _ref(pp, current)
        if ref is not None:
            recs[trace] = h.Vector().record(ref)
    h.dt, h.secondorder, h.celsius = dt, 0, celsius
    with neuron_failure(f"{name} under {'the current step' if iclamp is not None else 'the spike train'}"):
        h.finitialize(-65.0)
        h.continuerun(tstop)
    out = {k: np.array(x) for k, x in recs.items()}
    del keep, pp, seg, sec
    return out


def _insert_density(h, sec, seg, density: dict) -> dict:
    """The density mechanisms on NEURON's compartment (exact rates, the parameters given) and the
    recordings of their states: {"SUFFIX.STATE": Vector}."""
    from excitable.workflows import neuron_side

    recs = {}
    for suffix, (dcls, dparams) in density.items():
        sec.insert(suffix)
        if hasattr(h, f"usetable_{suffix}"):
            setattr(h, f"usetable_{suffix}", 0)
        for k, x in dparams.items():
            neuron_side._set(h, seg, suffix, dcls, k, x)
        ion_vars = {v for ion in dcls.description.ions for v in ion.write + ion.read}
        for st in compared_states(dcls):
            ref = neuron_side._ref(seg, getattr(seg, suffix), st, ion_vars)
            if ref is not None:
                recs[f"{suffix}.{st}"] = h.Vector().record(ref)
    return recs


def _ref(pp, name: str):
    """NEURON's pointer to a point process's variable (None where NEURON does not expose it)."""
    base, _, index = name.partition("[")
    try:
        ref = getattr(pp, f"_ref_{base}")
        return ref[int(index[:-1])] if index else ref
    except (AttributeError, LookupError, TypeError):
        return None


def _set(h, pp, name: str, cls, param: str, value: float) -> None:
    """A parameter on NEURON's side: RANGE on the instance, GLOBAL as PARAM_NAME."""
    if param in cls.description.globals_ or not hasattr(pp, param):
        setattr(h, f"{param}_{name}", value)
    else:
        setattr(pp, param, value)
