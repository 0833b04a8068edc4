"""``excitable mod compare`` for point processes and artificial cells: each one the files define
runs beside NEURON on an hh compartment (``neuron_side_point.py``), and every trace becomes a row of
the same table as the density mechanisms' (``neuron_compare.py``).

- POINT_PROCESS with NET_RECEIVE (a synapse): a spike train of ``weight`` (µS for a conductance
  synapse, the file's unit) at ``spikes`` ms; compared: V, every state, every current, and the
  compartment's spike times (upward 0-mV crossings).
- POINT_PROCESS without NET_RECEIVE (an electrode, a tonic conductance): the current step of
  ``amplitude_nA`` from 2 ms for 20 ms; compared as above.
- ARTIFICIAL_CELL: the same spike train; compared: its states and its output spike times.

The default train has 5 spikes at irregular times, two of them 0.5 ms apart (closer than a
synapse's decay, so its jumps add) and one 1.1 ms after another. Any times in 0..1e5 ms are taken:
NEURON's fixed step delivers an event of time T before the step from t_n where T <= t_n + dt/2
(t_n its clock of half-step sums: a T halfway falls as its round-off decides), T = 0 in
finitialize, and hands NET_RECEIVE T itself as ``t``; so does the engine (``engine.drive``:
``arrival_steps`` on NEURON's clock, the offset T - t_n carried to NET_RECEIVE,
``synapses.at_finitialize``; tests/io/nmodl/test_event_timing.py).

A current recorded by NEURON at sample k+1 is the BREAKPOINT's at V and states of sample k, with
the jumps of events delivered in that step; excitable's recorded current uses V at the step's end.
The current compared is excitable's states and V put through the file's BREAKPOINT as NEURON does,
at every step except those where an event arrives (``neuron_side_point._neuron_timed_current``);
V and the states, compared at every step, carry those steps.
"""

from __future__ import annotations

import numpy as np

from excitable.engine.counts import EventsNotKept
from excitable.errors import ModelError, SimulationError
from excitable.workflows import neuron_side_point as side
from excitable.workflows.neuron_side import RUNAWAY_MV, first_nonfinite

DEFAULT_SPIKES = (2.0, 3.1, 7.3, 7.8, 15.4)  # ms: multiples of 0.025
#: Default weights: a conductance synapse of 1 nS (0.001 µS) moves the 20 x 20 µm hh compartment
#: by a few mV per event; an artificial cell of the IntFire kind fires at a summed weight of 1.
SYNAPSE_WEIGHT, ARTIFICIAL_WEIGHT = 0.001, 0.6
AFTER_LAST_MS = 15.0  # the run goes on this long after the last spike, for the decays and self-events
ICLAMP_MS = (2.0, 20.0)  # delay, duration of the step for a point process without NET_RECEIVE


def parse_spikes(text: str | None, dt: float) -> tuple[float, ...]:
    """``"2,3.1,7.3"`` -> (2.0, 3.1, 7.3): finite, in 0..1e5 ms, sorted; None: the default."""
    if text is None:
        return DEFAULT_SPIKES
    try:
        times = tuple(float(x) for x in str(text).split(","))
    except ValueError:
        raise ModelError(f"mod compare: --spikes {text!r}: expected times in ms separated by commas") from None
    bad = next((t for t in times if not np.isfinite(t) or not 0.0 <= t <= 1e5), None)
    if bad is not None:
        raise ModelError(f"mod compare: --spikes {text!r}: {bad!r} is not a time in 0..1e5 ms")
    if len(times) > 10000:
        raise ModelError(f"mod compare: --spikes: {len(times)} times, more than 10000")
    return tuple(sorted(times))


#: NEURON's built-in density mechanisms that ``--with`` can name: the neuron wheel's own file of
#: each, imported on excitable's side (NEURON's hh and pas are compiled from the same files).
BUILT_INS = {"pas": "passive.mod", "hh": "hh.mod"}


def parse_with(text: str | None, density: dict) -> dict:
    """``"nm_cadecay,pas"`` -> {suffix: class}: the files' density mechanisms and NEURON's built-ins
    (``BUILT_INS``, imported from the neuron wheel), each name checked (one line)."""
    if text is None:
        return {}
    out = {}
    for name in (x.strip() for x in str(text).split(",")):
        if name in density:
            out[name] = density[name]
        elif name in BUILT_INS:
            out[name] = side.wheel_mod(BUILT_INS[name])
        else:
            raise ModelError(f"mod compare: --with {text!r}: no density mechanism {name!r} (the files define "
                             f"{', '.join(sorted(density)) or 'none'}; NEURON's built-ins: {', '.join(BUILT_INS)})")
    return out


def _ion_vars(cls, what: str) -> set[str]:
    """The ion variables a class READs or WRITEs (``what``); reading eca counts as reading cai and
    cao, which eca follows by Nernst under NEURON's ion style."""
    out = set()
    for ion in cls.description.ions:
        names = set(getattr(ion, what))
        out |= names | ({f"{ion.name}i", f"{ion.name}o"} if what == "read" and f"e{ion.name}" in names else set())
    return out


def inserted(cls, density: dict, asked: dict) -> tuple[dict, list[str]]:
    """The density mechanisms put on the point process's compartment: those of the files that write
    what it READs (a pool writing cai for a synapse reading cai), and in turn what those read (the
    channel writing the pool's ica), then ``asked`` (``--with``). Returns ({suffix: class}, why)."""
    chosen, why = {}, []
    wants = {cls.description.suffix: _ion_vars(cls, "read")}
    while wants:
        reader, needs = wants.popitem()
        for suffix, dcls in density.items():
            shared = sorted(_ion_vars(dcls, "write") & needs)
            if suffix not in chosen and suffix != "hh" and shared:  # hh: always there
                chosen[suffix] = dcls
                why.append(f"{suffix} (writes {', '.join(shared)}, which {reader} reads)")
                wants[suffix] = _ion_vars(dcls, "read")
    for suffix, dcls in asked.items():
        if suffix == "hh":
            why.append("hh (always there)")
        elif suffix not in chosen:
            chosen[suffix] = dcls
            why.append(f"{suffix} (--with)")
    return chosen, why


def suggestions(cls, density: dict, beside: dict) -> list[str]:
    """A note naming the files' density mechanisms left off the compartment that read what the
    point process writes (a pool its ica flows into), with the ``--with`` that adds them."""
    feeds = sorted(s for s, d in density.items() if s not in beside and _ion_vars(cls, "write") & _ion_vars(d, "read"))
    if not feeds or getattr(cls, "artificial", False):
        return []
    what = f"{cls.description.suffix}: writes what {', '.join(feeds)} reads"
    return [f"{what}; compare them together with --with {','.join(feeds)}"]


# long because it is the point processes' protocol, step by step, with every note a user needs
def compare_points(points: dict, values: dict, h, *, spikes, weight, dt: float, celsius: float,
                   amplitude_nA: float, worst, spike_times, density=None, asked=None):
    """Each point class beside NEURON's ``h`` (module docstring), measured by ``neuron_compare``'s
    ``worst`` (a trace's difference of scale) and ``spike_times`` (passed in: that module imports
    this one); the files' ``density`` mechanisms it needs and those ``asked`` (``parse_with``) on
    its compartment (``inserted``). Returns (rows as (protocol, trace, difference), spike sets as
    (label, ours, NEURON's), notes)."""
    from excitable import limits
    from excitable.io.nmodl.describe import python_name

    rows, spike_sets, notes = [], [], []
    for name, cls in points.items():
        beside, why = ({}, []) if getattr(cls, "artificial", False) else inserted(cls, density or {}, asked or {})
        if why:
            notes.append(f"{name}: on its compartment beside hh: {'; '.join(why)}")
        notes += suggestions(cls, density or {}, beside)
        events = side.receives_events(cls)
        default = ARTIFICIAL_WEIGHT if getattr(cls, "artificial", False) else SYNAPSE_WEIGHT
        w = default if weight is None else weight
        tstop = (max(spikes, default=0.0) + AFTER_LAST_MS) if events else sum(ICLAMP_MS) + 8.0
        limits.check("steps", tstop / dt, f"mod compare: {name} for {tstop:g} ms at dt = {dt:g} ms")
        kw = {"weight": w, "spikes": spikes, "dt": dt, "celsius": celsius, "tstop": tstop,
              "iclamp": None if events else (*ICLAMP_MS, amplitude_nA)}
        params = {python_name(k): x for k, x in values.get(name, {}).items()}  # IClamp's del: delay
        kw["density"] = {s: (d, values.get(s, {})) for s, d in beside.items()}
        case = f"{name} {'train' if events else 'current clamp'}"
        try:
            ours = side.ours(cls, params, **kw)
        except EventsNotKept as e:  # beyond what a run keeps (a queue past its cap): this file only
            notes.append(f"{name}: not compared: {e}")
            continue
        except SimulationError as e:  # NEURON's run decides: NaN there too, or a difference
            rows += unstable(case, e, side.neuron_run(h, cls, params, **kw), dt, notes, name)
            continue
        theirs = side.neuron_run(h, cls, params, **kw)
        skipped = max((int(np.isnan(x).sum()) for k, x in ours.items() if k.startswith("current:")), default=0)
        if skipped:
            notes.append(f"{name}: its current is compared at every step but the {skipped} in which an event "
                         "arrived (NEURON takes V before the step there, excitable after; V and states cover them)")
        for trace, diff in _differences(ours, theirs, getattr(cls, "artificial", False), worst).items():
            rows.append((case, trace, diff))
        if getattr(cls, "artificial", False):
            spike_sets.append((f"{name} output", ours["spikes"], theirs["spikes"]))
            if len(theirs["spikes"]) == 0:
                notes.append(f"{name}: did not fire in NEURON's run; raise --weight (now {w:g}) to compare spike times")
        else:
            spike_sets.append((f"{name} compartment", spike_times(ours["v"], dt), spike_times(theirs["v"], dt)))
            moved = float(np.ptp(theirs["v"]))
            if moved < 0.1:
                what = "--weight" if events else "--amplitude or a parameter with --set"
                notes.append(f"{name}: V moved {moved:.2g} mV only; the comparison says little until "
                             f"{what} gives it work (e.g. a conductance the file leaves at 0)")
        idle = [t.split(".", 1)[1] for t in side.currents_of(cls) if t in theirs and not np.any(theirs[t])]
        if idle:
            notes.append(f"{name}: its current {', '.join(idle)} is 0 throughout, so it did nothing here: "
                         f"give it work with --set {name}.PARAMETER=VALUE (a conductance, an amplitude, a duration)")
        lost = [s for s in side.states_of(cls) if f"{name}.{s}" not in theirs]
        if lost:
            notes.append(f"{name}: NEURON does not expose {', '.join(lost)} (neither RANGE nor GLOBAL): not compared")
        unmatched = [t.split(".", 1)[1] for t in side.currents_of(cls) if t not in theirs or t not in ours]
        if unmatched:
            notes.append(f"{name}: current {', '.join(unmatched)} not compared (NEURON does not expose it, "
                         "or excitable cannot re-evaluate it at NEURON's V); V carries it")
    return rows, spike_sets, notes


def unstable(case: str, error, theirs: dict, dt: float, notes: list[str], name: str) -> list[tuple]:
    """Rows of a point process ``name`` whose run here became numerically unstable (``error``, a
    SimulationError), beside NEURON's traces ``theirs`` (sampled every ``dt`` ms). NEURON's V beyond
    RUNAWAY_MV before any NaN: a note, the drive too strong. NaN there too, V in range (ModelDB 93326
    shunt.mod's 0/0 at its defaults): a note naming NEURON's first trace that went and when. Either
    way nothing compared. Else excitable differs: a row of infinite difference (V's; an artificial
    cell's first state), so the verdict says DIFFERS."""
    first = str(error).split(";")[0]
    v = np.abs(np.asarray(theirs.get("v", [0.0]), dtype=float))
    peak = float(np.max(v[:int(np.argmin(np.isfinite(v)))] if not np.isfinite(v).all() else v, initial=0.0))
    if peak > RUNAWAY_MV:  # past physiology before any NaN: the train or step, not the file's numbers
        notes.append(f"{case}: not compared: {first} here, and NEURON's V reached {peak:.4g} mV: the "
                     "compartment does not hold V under this drive (try a smaller --weight or --amplitude)")
        return []
    gone = first_nonfinite(theirs, dt)
    if gone:
        notes.append(f"{case}: not compared: {first} here, and NEURON's traces are not finite either "
                     f"({gone[0]}): give the file's parameters values (--set {name}.NAME=VALUE)")
        return []
    notes.append(f"{case}: {first} here, while NEURON's traces stayed finite")
    trace = "v" if "spikes" not in theirs else next((k for k in theirs if k.startswith(f"{name}.")), "spikes")
    return [(case, trace, float("inf"))]


def _differences(ours: dict, theirs: dict, artificial: bool, worst) -> dict[str, float]:
    """Each trace NEURON recorded, against ours; currents one sample shifted, events' steps left out."""
    out = {}
    for name, trace in theirs.items():
        if name == "spikes" or name not in ours or (artificial and name == "v"):
            continue
        if name.startswith("current:"):
            a, b = ours[name][:-1], trace[1:]
            keep = np.isfinite(a)
            out[name.split(":", 1)[1]] = worst(a[keep], b[keep]) if keep.any() else 0.0
        else:
            out[name] = worst(ours[name], trace)
    return out
