"""A soma and a dendrite (one compartment each, passive leak 1e-4 S/cm² at -65 mV) with imported
mechanisms, run in excitable and in NEURON the same way: a voltage clamp (SEClamp, rs 0.01 MΩ) or a
current clamp at the soma. For the tests whose mechanisms must differ between compartments (values
of each instance against NEURON's shared GLOBALs: test_scratch_values.py, test_uniform_globals.py,
test_shared_arguments.py). Traces are labelled "section:name" ("soma:v", "dend:nm_garg.m")."""

from __future__ import annotations

import numpy as np

import excitable as ex
from tests.io.nmodl.neuron_side import DT


def ours(classes, sections, traces, *, celsius, clamp=None, iclamp=None, tstop=15.0, v_init=-65.0, passive=None):
    """excitable's run: ``classes`` (mechanism classes) inserted in both ``sections`` ((name, L µm,
    diam µm), the second attached to the first's end), ``traces`` (record names) at each one's middle,
    and V; ``passive``: the leak's class (NEURON's pas); ``clamp``: SEClamp's three (duration, mV);
    ``iclamp``: (delay, duration, nA)."""
    b = ex.Morphology.builder()
    b.add(sections[0][0], length=sections[0][1], diameter=sections[0][2])
    for name, length, diam in sections[1:]:
        b.add(name, length=length, diameter=diam, parent=sections[0][0], x=1.0)
    cell = ex.Cell(b.build(), nseg=1)
    for c in classes:
        cell.insert(c())
    cell.insert(passive(g=1e-4, e=-65.0))
    sim = ex.Simulation(cell, dt=DT, temperature=celsius, v_init=v_init)
    if clamp is not None:
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp, rs=0.01))
    else:
        sim.stimulate(ex.IClamp(cell.soma, amplitude=iclamp[2], delay=iclamp[0], duration=iclamp[1]))
    for sec, _, _ in sections:
        loc = ex.Location(sec, 0.5)
        for name in dict.fromkeys(("v", *traces)):
            sim.record(name, at=loc, label=f"{sec}:{name}")
    return sim.run(tstop)


def neurons(h, prefix, suffixes, sections, traces, *, celsius, clamp=None, iclamp=None, tstop=15.0,
            v_init=-65.0, globals_=()):
    """NEURON's run of the same (``h`` with the mechanisms loaded; ``prefix`` names its sections
    apart from other tests'): {label: array}; ``traces``: (record name, suffix, variable);
    ``globals_``: (label, hoc reference name) of GLOBALs recorded too (``tadj_nm_tadjg``)."""
    secs = {}
    for name, length, diam in sections:
        sec = h.Section(name=f"{prefix}_{name}")
        sec.L, sec.diam, sec.nseg, sec.cm, sec.Ra = length, diam, 1, 1.0, 35.4
        if secs:
            sec.connect(secs[sections[0][0]](1.0))
        for s in suffixes:
            sec.insert(s)
            if hasattr(h, f"usetable_{s}"):  # NEURON's tables off: the exact functions, as excitable
                setattr(h, f"usetable_{s}", 0)
        sec.insert("pas")
        sec(0.5).pas.g, sec(0.5).pas.e = 1e-4, -65.0
        secs[name] = sec
    h.dt, h.secondorder, h.celsius = DT, 0, celsius
    soma = secs[sections[0][0]](0.5)
    if clamp is not None:
        stim = h.SEClamp(soma)
        stim.rs = 0.01
        (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = clamp
    else:
        stim = h.IClamp(soma)
        stim.delay, stim.dur, stim.amp = iclamp
    vecs = {}
    for sec in secs:
        seg = secs[sec](0.5)
        vecs[f"{sec}:v"] = h.Vector().record(seg._ref_v)
        for name, suffix, var in traces:
            vecs[f"{sec}:{name}"] = h.Vector().record(getattr(getattr(seg, suffix), f"_ref_{var}"))
    for label, ref in globals_:
        vecs[label] = h.Vector().record(getattr(h, f"_ref_{ref}"))
    h.finitialize(v_init)
    h.continuerun(tstop)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stim, secs
    return out


def differences(mine, theirs, count: int, rtol: float) -> dict[str, float]:
    """Each trace NEURON recorded and we did: its largest difference from NEURON's (of the trace's
    scale, ``test_neuron_side_by_side.worst``), asserting ``count`` traces compared and each within
    ``rtol``."""
    from tests.io.nmodl.test_neuron_side_by_side import worst

    diffs = {k: worst(mine[k], theirs[k]) for k in theirs if k in mine.traces}
    assert len(diffs) == count, diffs
    bad = {k: d for k, d in diffs.items() if not d <= rtol}
    assert not bad, f"largest differences (of each trace's scale): {bad}"
    return diffs
