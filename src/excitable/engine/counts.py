"""The counts a run brings back beside its recordings, and the one-line refusals they cause.

Two kinds of imported mechanism (io/nmodl) can leave a run whose numbers would not be NEURON's: a
Newton loop (KINETIC sparse, derivimplicit, a STEADYSTATE) that NEURON would iterate on past our
traced steps, counted in the state ``UNCONVERGED``, and an event its bounded queue could not keep,
counted in ``FULL`` (a full queue: ``QueueFull``, which a plain run or batch answers by running
again with a deeper queue) or ``LOST`` (anything else). ``with_counts`` adds a hidden probe per
site of each such mechanism, so every path (a plain run, a batch in the scan or a fused kernel,
chunks, ``Simulation.function``) brings
the counts back with the traces; ``check_counts`` refuses the run, or the first batch element, in
one line; a function under jit, vmap or grad, which cannot raise, returns NaN there (``refusing``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from excitable.engine.spike_slots import SLOTS, SPILL  # SPILL: a source's net_events beyond its slots
from excitable.errors import ModelError

#: The state in which an imported mechanism counts the steps whose Newton loop NEURON would have
#: iterated on (io/nmodl/solvers.UNCONVERGED; named here, the engine imports nothing from io).
UNCONVERGED = "newton_unconverged"
#: The state in which a mechanism with NEURON's event queue counts events it could not keep
#: (io/nmodl/events.LOST).
LOST = "events_lost"
#: The state in which such a mechanism counts the self-events its full queue could not keep
#: (io/nmodl/event_queue.FULL): a run can be run again with a deeper queue (io/nmodl/queue_growth.py).
FULL = "queue_full"
#: The counts every run brings back and refuses on (plain runs, batches, functions).
COUNTS = (UNCONVERGED, LOST, FULL, SPILL)


class EventsNotKept(ModelError):
    """The refusal of a run in which a mechanism could not keep an event (``LOST``, or ``FULL``
    where the run cannot be run again deeper): ``mod compare`` makes it a note for that file."""


class QueueFull(EventsNotKept):
    """A run in which a mechanism's self-event queue was full (``FULL`` > 0): ``names``, the
    mechanisms whose queue was (the first's instance ``where``, ``count`` events not kept;
    ``element``: "batch element b of B: " or ""). The one-line message says what to do; a caller that
    can run again with a deeper queue does (io/nmodl/queue_growth.py)."""

    def __init__(self, names: tuple[str, ...], where: str, count: float, element: str = ""):
        self.names, self.where, self.count, self.element = names, where, count, element
        super().__init__(f"{element}{where}: {int(count)} self-event(s) found its queue full (NEURON's queue has no "
                         "bound): Simulation.run and run_batch deepen it by themselves; a function cannot, so load the "
                         ".mod file with a deeper queue (ex.load_mod(path, queue=N))")


#: The state in which a mechanism counts the array accesses whose index, known only in the run, was
#: outside the array (io/nmodl/runtime_index.OUT_OF_RANGE): C's out-of-bounds access in NEURON, no number to match.
INDEX_OUT_OF_RANGE = "index_out_of_range"
COUNTS += (INDEX_OUT_OF_RANGE,)
#: mechanism name -> "file:line (x[i])" of each array element it chooses in the run, for the refusal
#: (filled by io/nmodl/runtime_index when such an element is first compiled; the engine imports nothing from io).
INDEX_SITES: dict[str, tuple[str, ...]] = {}


def index_message(where: str, mechanism: str, count: float) -> str:
    """The one-line refusal of a run in which ``where`` ("IF_BG4[0]") read or wrote ``count`` times an
    array element at an index known only in the run outside the array; ``INDEX_SITES[mechanism]``,
    the file's elements chosen in the run, say where to look."""
    sites = INDEX_SITES.get(mechanism, ())
    at = f" (elements chosen in the run at {', '.join(sites)})" if sites else ""
    return (f"{where}: {int(count)} array access(es) with an index outside the array{at}: NEURON's C reads or "
            "writes past its end there (undefined, no numbers to match); enlarge the array or keep the index in range")


def with_counts(spec, params):
    """``spec`` (an engine.run.RunSpec) with a hidden probe per site of each mechanism that counts unconverged Newton loops
    or events it could not keep (``COUNTS``), after the recordings asked for, so that every path
    (a batch in the scan, the fused kernels, chunks) brings the counts back with the traces;
    ``spec`` itself for every other model (decided when the run is set up: the programs of those
    models are unchanged)."""
    import dataclasses

    from excitable.engine.plan import Probe

    plan = spec.plan
    hidden = tuple(Probe(label=f"{pl.name}[{k}]", kind="state", node=int(pl.sites[k]), mechanism=pl.name,
                         field=field, index=k)
                   for pl in plan.placements for field in COUNTS if field in type(params["channels"][pl.name]).states
                   for k in range(len(pl.sites)))
    if not hidden:
        return spec
    return dataclasses.replace(spec, plan=dataclasses.replace(plan, probes=plan.probes + hidden))


def check_counts(rec, plan, hidden, batched: bool):
    """``rec`` without the hidden columns of ``with_counts``, after refusing in one line a run (or
    the first batch element) in which one of them is not 0 at the last sample (the counts only
    grow; steps after the last sample change no reported number)."""
    width = sum(p.width(plan.n) for p in plan.probes)
    last = np.asarray(rec[..., -1, width:]).reshape(-1, len(hidden))  # (batch or 1, hidden)
    full = np.array([p.field == FULL for p in hidden], bool)
    if np.any(last[:, full] > 0):  # first: a deeper queue may keep the rest too (events lost after it)
        b, j = (int(x[0]) for x in np.nonzero((last > 0) & full))
        names = tuple(dict.fromkeys(p.mechanism for p, hit in zip(hidden, np.any(last > 0, axis=0) & full) if hit))
        raise QueueFull(names, hidden[j].label, float(last[b, j]), f"batch element {b} of {last.shape[0]}: "
                        if batched else "")
    outside = np.array([p.field == INDEX_OUT_OF_RANGE for p in hidden], bool)
    if np.any(last[:, outside] > 0):  # an element read or written past the array: not NEURON's numbers either way
        b, j = (int(x[0]) for x in np.nonzero((last > 0) & outside))
        raise ModelError(f"batch element {b} of {last.shape[0]}: " * batched
                         + index_message(hidden[j].label, hidden[j].mechanism, float(last[b, j])))
    bad = np.flatnonzero(np.any(last > 0, axis=1))
    if bad.size:
        b = int(bad[0])
        j = int(np.argmax(last[b] > 0))
        element = f"batch element {b} of {last.shape[0]}: " if batched else ""
        if hidden[j].field == LOST:
            raise EventsNotKept(element + lost_message(hidden[j].label, float(last[b, j])))
        if hidden[j].field == SPILL:
            raise EventsNotKept(element + spill_message(hidden[j].label, float(last[b, j])))
        single = np.asarray(rec).dtype == np.float32  # NEURON's tolerances are double precision's
        raise ModelError(element + unconverged_message(hidden[j].label, float(last[b, j]), single))
    return rec[..., :width]


def unconverged_message(where: str, count: float, single: bool = False) -> str:
    """The one-line refusal of a run in which ``where`` ("nm_stiff[0]") left ``count`` (its
    ``UNCONVERGED`` state) unconverged Newton loops; ``single``: a float32 run, whose round-off
    (1.2e-7) NEURON's stop rules (a relative change <= 1e-6, residuals <= 1e-8 /ms) may not reach."""
    if single:
        return (f"{where}: a Newton loop (KINETIC sparse, derivimplicit or NONLINEAR) had not converged: "
                "NEURON's stop rules are for float64, and float32 round-off may never meet them; run this model "
                "in float64")
    if count % 1:  # io/nmodl/solvers.INITIAL_MARK: its STEADYSTATE in INITIAL
        return (f"{where}: the SOLVE ... STEADYSTATE (or NONLINEAR solve) of its INITIAL had not converged "
                "within NEURON's iterations (where NEURON gives up: derivimplicit and NONLINEAR abort, sparse "
                "keeps its last iterate): start its states nearer their steady state")
    return (f"{where}: its Newton loop (KINETIC sparse, derivimplicit or NONLINEAR) had not converged after its "
            f"traced iterations in {int(count)} step(s), where NEURON iterates on: reduce dt")


def check_events(final) -> None:
    """Refuse a run in which a mechanism with NEURON's event queue (io/nmodl/events.py) could not
    keep an event (its state "events_lost": a full queue, a net_move with nothing pending): its
    numbers are not NEURON's, so none are reported. A full queue first (``QueueFull``)."""
    full = {name: np.asarray(s[FULL]).reshape(-1) for name, s in final["chan"].items() if FULL in s}
    names = tuple(name for name, n in full.items() if n.size and n.max() > 0)
    if names:
        k = int(np.argmax(full[names[0]]))
        raise QueueFull(names, f"{names[0]}[{k}]", float(full[names[0]][k]))
    for name, s in final["chan"].items():
        outside = np.asarray(s.get(INDEX_OUT_OF_RANGE, 0.0)).reshape(-1)
        if outside.size and outside.max() > 0:
            k = int(np.argmax(outside))
            raise ModelError(index_message(f"{name}[{k}]", name, float(outside[k])))
    for name, s in final["chan"].items():
        unconverged = np.asarray(s.get(UNCONVERGED, 0.0)).reshape(-1)
        if unconverged.size and unconverged.max() > 0:
            k = int(np.argmax(unconverged))
            raise ModelError(unconverged_message(f"{name}[{k}]", float(unconverged[k]), unconverged.dtype == np.float32))
        for field, message in ((LOST, lost_message), (SPILL, spill_message)):
            lost = np.asarray(s.get(field, 0.0)).reshape(-1)
            if lost.size and lost.max() > 0:
                k = int(np.argmax(lost))
                raise EventsNotKept(message(f"{name}[{k}]", float(lost[k])))


def lost_message(where: str, count: float) -> str:
    """The one-line refusal of a run in which ``where`` could not keep ``count`` events."""
    return (f"{where}: {int(count)} event(s) could not be kept (a net_move with none pending, more self-events "
            "due in one step than it delivers, or more spikes of one source in one step than its connection's "
            "lanes): reduce the event rate or dt")


def spill_message(where: str, count: float) -> str:
    """The one-line refusal of a run in which the source ``where`` called net_event more often in
    one step than its spike slots (engine/spike_slots.py) send, ``count`` calls in all not sent."""
    return (f"{where}: {int(count)} net_event(s) beyond {SLOTS} in one step were not sent (a source sends at most "
            f"{SLOTS} spikes a step, each its own event): reduce its rate or dt")


def refusing(fn: Callable, plan, counted, batched: bool) -> Callable:
    """``fn`` itself, or, where ``with_counts`` added hidden columns (``counted`` is not ``plan``'s),
    ``fn`` returning the recordings asked for, NaN for a run (batch element) whose Newton loops did
    not all converge: a function under ``jit``, ``vmap`` or ``grad`` cannot raise, and NEURON's
    numbers are not these. Called with concrete parameters, it refuses the run in one line instead
    (``check_counts``)."""
    if counted is plan:
        return fn
    import jax
    import jax.numpy as jnp

    hidden = counted.probes[len(plan.probes):]
    width = sum(p.width(plan.n) for p in plan.probes)

    def checked(p):
        rec = fn(p)
        if not isinstance(rec, jax.core.Tracer):
            return jnp.asarray(check_counts(rec, plan, hidden, batched))
        bad = jnp.any(rec[..., -1:, width:] > 0, axis=(-2, -1), keepdims=True)
        return jnp.where(bad, jnp.nan, rec[..., :width])

    return checked
