"""Runs whose imported mechanisms need a deeper self-event queue than they were loaded with.

NEURON's event queue has no bound; an instance here keeps at most its class's ``queue_size``
pending self-events (event_queue.py, 4 unless loaded with ``queue=``). Transmitter-pulse synapses
in the form of Destexhe et al. 1994 (ModelDB's AMPA/NMDA/GABA files, David et al. 2008's
nmdanet.mod) send one self-event per spike and hold it for Cdur ms, so a burst of n spikes inside
Cdur holds n. A run whose queue was full counts it (``engine.counts.FULL``) and is refused with
``QueueFull``; ``run`` then runs it again with those mechanisms' queues doubled (8, 16, ... up to
``CAP``), so ``Simulation.run`` and ``run_batch`` give NEURON's numbers without the user doing
anything. The numbers of a run that kept every event do not depend on the queue's size (a free
slot is never delivered), so the rerun is the run NEURON makes. Each doubling is one more run
and, the first time, one more compilation; the size found is kept for the class (``_GROWN``), so
the runs after it (a sweep) start there. Beyond ``CAP`` the run is refused in one line naming the
file:line that fills the queue and how to raise it (``ex.load_mod(path, queue=N)``).

``Simulation.function`` does not run again: under jit, vmap or grad it cannot see the count, so a
batch element whose queue was full gives NaN (engine.counts.refusing), and a call with concrete
parameters is refused (``QueueFull``'s line: load the file with a deeper queue). It starts at the
size earlier runs of its classes grew to (``grown_function``), as runs do: a sweep run first (or a
single run at its largest burst) sizes the queue for the gradients after it.
"""

from __future__ import annotations

import dataclasses

from excitable.engine.counts import EventsNotKept, QueueFull

#: The deepest queue a run grows to by itself (pending self-events per instance); deeper ones are
#: the user's choice (load_mod's ``queue=``, up to loader.MAX_QUEUE).
CAP = 64
#: A class -> the deeper class a run of it needed (the runs after it start there); at most
#: ``_KEPT`` classes (the oldest forgotten: a run of it grows again).
_GROWN: dict[type, type] = {}
_KEPT = 256


def run(simulate, spec, params=None):
    """``simulate(spec, params)`` (a Result), run again with deeper queues while it raises
    ``QueueFull`` for mechanisms below ``CAP``; ``spec``: an engine.run.RunSpec, ``params``: the
    parameters given (None: the spec's). Mechanisms whose class grew before start grown."""
    spec, params = _swapped(spec, params, _grown(spec))
    while True:
        try:
            return simulate(spec, params)
        except QueueFull as full:
            spec, params = _swapped(spec, params, _deeper(spec, full))


def grown_function(make, spec):
    """``make(spec)``, a ``params -> recordings`` function, for ``spec`` with the mechanisms whose
    class grew before (``_GROWN``) at their grown queue; the function it returns takes the
    parameters of the classes as loaded (``Simulation.parameters()``), swapped likewise inside."""
    classes = _grown(spec)
    if not classes:
        return make(spec)
    inner = make(_swapped(spec, None, classes)[0])

    def grown(params):
        return inner(_swapped(spec, params, classes)[1])

    return grown


def _grown(spec) -> dict[str, type]:
    return {n: _GROWN[type(m)] for n, m in _channels(spec).items() if type(m) in _GROWN}


def _channels(spec) -> dict:
    return spec.reference()["channels"]


def _deeper(spec, full: QueueFull) -> dict[str, type]:
    """name -> the class with twice the queue (at most ``CAP``), for each mechanism ``full`` names;
    the one-line refusal where one is at ``CAP`` already (or was loaded deeper)."""
    channels, out = _channels(spec), {}
    for name in full.names:
        cls = type(channels[name])
        size = int(getattr(cls, "queue_size", 0))
        if size >= CAP or not hasattr(cls, "with_queue"):
            raise EventsNotKept(refusal(full, cls, size)) from None
        out[name] = cls.with_queue(min(2 * size, CAP))
        if out[name].queue_size <= size:  # never run the same again (each pass must deepen)
            raise EventsNotKept(refusal(full, cls, size)) from None
        for root, grown in list(_GROWN.items()):  # a class that had grown to cls grows on
            if grown is cls:
                _GROWN[root] = out[name]
        _GROWN[cls] = out[name]
        while len(_GROWN) > _KEPT:
            _GROWN.pop(next(iter(_GROWN)))
    return out


def refusal(full: QueueFull, cls, size: int) -> str:
    """The one-line refusal of a run that needs more than ``size`` pending self-events."""
    deeper = max(2 * size, 1)
    return (f"{full.element}{full.where}: more than {size} self-events pending at once (its queue, filled by "
            f"{getattr(cls, 'queue_site', '') or 'net_send'}; runs deepen it by themselves up to {CAP}, NEURON's "
            f"has no bound): load the file with a deeper queue, ex.load_mod(path, queue={deeper}) "
            f"(excitable mod compare --queue {deeper})")


def _swapped(spec, params, classes: dict[str, type]):
    """(spec, params) with each named mechanism an instance of ``classes[name]`` with the same
    field values (the same file, another queue: the plan is unchanged)."""
    if not classes:
        return spec, params

    def swap(p):
        channels = dict(p["channels"])
        for name, cls in classes.items():
            old = channels[name]
            channels[name] = cls(**{f.name: getattr(old, f.name) for f in dataclasses.fields(old)})
        return {**p, "channels": channels}

    parameters, reference = spec.parameters, spec.reference
    spec = dataclasses.replace(spec, parameters=lambda: swap(parameters()), reference=lambda: swap(reference()))
    return spec, None if params is None else swap(params)
