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

Traces recorded under the same names on both sides: ``"v"`` (mV), ``"NAME.STATE"`` for every
state NEURON exposes, ``"current:NAME.i"`` (nA) for each current the file writes, and the output
spike times as ``"spikes"`` (ms) for an artificial cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from excitable.errors import ModelError
from excitable.workflows.neuron_side import compared_states

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
    from excitable.io.nmodl.parse import strip_comments

    text = "\n".join(strip_comments(Path(cls.description.path).read_text()))
    return "NET_RECEIVE" in text


def wheel_hh():
    """The neuron wheel's hh.mod imported (NEURON's built-in hh is compiled from the same file)."""
    import importlib.util

    from excitable.io.nmodl.loader import load_mod

    spec = importlib.util.find_spec("neuron")
    path = Path(next(iter(spec.submodule_search_locations))) / ".data" / "share" / "modfile" / "hh.mod"
    if not path.exists():
        raise ModelError(f"mod compare: the neuron wheel's hh.mod is missing ({path.name}); reinstall neuron")
    return load_mod(path)  # one file: its class


def ours(cls, params: dict, *, weight: float, spikes, dt: float, celsius: float, tstop: float,
         iclamp=None) -> dict:
    """excitable's run of one point class (module docstring): {trace name: array}."""
    import excitable as ex
    from excitable.model.network import Network, Site

    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM).insert(wheel_hh()())
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
    wanted = states_of(cls) + list(currents_of(cls).values())
    wanted += ["spike_t"] if getattr(cls, "artificial", False) else []
    wanted += ["events_lost"] if "events_lost" in cls.states else []
    for k in wanted:
        sim.record(f"{name}[0].{k}", label=k)
    res = sim.run(tstop)
    got = {k: np.asarray(res[k], dtype=float).ravel() for k in ["v", *wanted]}
    out = {"v": got["v"]} | {f"{name}.{s}": got[s] for s in states_of(cls)}
    if getattr(cls, "artificial", False):
        out["spikes"] = _distinct(got["spike_t"])
    if "events_lost" in got and got["events_lost"].max() > 0:
        raise ModelError(f"mod compare: {name} lost events in excitable's run (its queue is full)")
    # NEURON's BREAKPOINT of the step from t_k runs at t_k + dt/2 (its fixed step's middle)
    states = {s: got[s] for s in states_of(cls)} | {"t": (np.arange(len(got["v"])) + 0.5) * dt,
                                                    "celsius": np.full(len(got["v"]), float(celsius))}
    for trace, current in currents_of(cls).items():
        timed = _neuron_timed_current(current_of, got, states, current)
        if timed is not None:  # else not compared: the report names it (neuron_compare_point)
            out[trace] = timed
    return out


def _neuron_timed_current(mech, got: dict, states: dict, current: str) -> np.ndarray:
    """The current as NEURON records it at sample k+1: the file's BREAKPOINT at V and states of
    sample k, here evaluated by the imported class (``currents``). A step in which an event arrives
    is NaN (left out): NEURON evaluates it with the states after the event's jump, which excitable
    records only inside its own current; that step is found where excitable's recorded current
    differs from the one its states at V of the step's end give. None where the class cannot
    re-evaluate it (most steps would be so flagged, or the evaluation fails)."""
    v = got["v"]
    try:
        at_start = np.asarray(mech.currents(v, states)[current], dtype=float)
        before = {k: x[:-1] for k, x in states.items()}  # the step from t_k: its t, states; V at its end
        at_end = np.asarray(mech.currents(v[1:], before)[current], dtype=float)
    except (KeyError, TypeError, ValueError):
        return None  # a current that is not the recorded states' function
    recorded = got[current][1:]
    scale = max(float(np.max(np.abs(recorded))), 1e-300)
    jumped = np.abs(recorded - at_end) > 1e-9 * scale  # round-off is 1e-15 of scale; a jump is not
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


def _distinct(spike_t) -> np.ndarray:
    """The distinct net_event times in a recorded ``spike_t`` (-1 before the first), ms."""
    trace = np.asarray(spike_t).ravel()
    return trace[1:][np.diff(trace) != 0]


def neuron_run(h, cls, params: dict, *, weight: float, spikes, dt: float, celsius: float, tstop: float,
               iclamp=None) -> dict:
    """NEURON's run of the same (module docstring): {trace name: array}."""
    name = cls.description.suffix
    sec = h.Section(name="compare_point")
    sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
    sec.insert("hh")
    h.usetable_hh = 0
    seg = sec(0.5)
    pp = getattr(h, name)() if getattr(cls, "artificial", False) else getattr(h, name)(seg)
    for k, x in params.items():
        _set(h, pp, name, cls, k, x)
    keep, recs = [], {"v": h.Vector().record(seg._ref_v)}
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
        if ref is not None:
            recs[f"{name}.{s}"] = h.Vector().record(ref)
    for trace, current in currents_of(cls).items():
        ref = _ref(pp, current)
        if ref is not None:
            recs[trace] = h.Vector().record(ref)
    h.dt, h.secondorder, h.celsius = dt, 0, celsius
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = {k: np.array(x) for k, x in recs.items()}
    del keep, pp, seg, sec
    return out


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
