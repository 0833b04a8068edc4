"""``excitable mod compare``'s cable protocol, for files with LONGITUDINAL_DIFFUSION
(io/nmodl/longitudinal.py, engine/diffusion.py).

On the single compartment of the other protocols a diffusing state has no neighbour (NEURON's
stagger is then an identity), so the diffusion itself would go unchecked. Where a compared file
diffuses a state, the files' density mechanisms also run on a cable: the single compartment's soma
(10 x 10 um) with a thin dendrite (``DEND_L_UM`` x ``DEND_DIAM_UM``, ``DEND_NSEG`` segments) at its
1-end, every mechanism and the 0.1 mS/cm² leak everywhere, the current clamp of the "together"
protocol at the soma, in NEURON (the same sections, ``sec.connect``) and in excitable. Compared: V
at the soma and at the dendrite's far end, and each diffusing element in every compartment (one row
per element: its largest difference over the compartments, of its scale there).
"""

from __future__ import annotations

import numpy as np

from excitable.workflows import neuron_side
from excitable.workflows.neuron_side import DIAM_UM, L_UM, LEAK_E_MV, LEAK_S_CM2, neuron_failure, python_names

DEND_L_UM, DEND_DIAM_UM, DEND_NSEG = 100.0, 1.0, 5
TSTOP_MS = 30.0
PROTOCOL = "cable, current clamp"


def diffusing(mechanisms: dict) -> dict[str, tuple[str, ...]]:
    """{suffix: its diffusing elements} of the mechanisms with LONGITUDINAL_DIFFUSION."""
    return {s: tuple(c.longitudinal) for s, c in mechanisms.items() if getattr(c, "longitudinal", None)}


def sites() -> list[tuple[str, float]]:
    """(section, x) of every compartment of the cable."""
    return [("soma", 0.5)] + [("dend", (k + 0.5) / DEND_NSEG) for k in range(DEND_NSEG)]


def compare(h, mechanisms: dict, values: dict, *, dt: float, celsius: float, iclamp, worst) -> list[tuple]:
    """Rows (protocol, trace, largest difference of its scale) of the cable protocol."""
    ours, theirs = _ours(mechanisms, values, dt=dt, celsius=celsius, iclamp=iclamp), \
        _neurons(h, mechanisms, values, dt=dt, celsius=celsius, iclamp=iclamp)
    rows = [(PROTOCOL, f"v at {sec}({x:g})", worst(ours[(sec, x, "v")], theirs[(sec, x, "v")]))
            for sec, x in (sites()[0], sites()[-1])]
    for suffix, elements in diffusing(mechanisms).items():
        for element in elements:
            keys = [(sec, x, f"{suffix}.{element}") for sec, x in sites() if (sec, x, f"{suffix}.{element}") in theirs]
            if keys:
                rows.append((PROTOCOL, f"{suffix}.{element} ({len(keys)} compartments)",
                             max(worst(ours[k], theirs[k]) for k in keys)))
    return rows


def _ours(mechanisms: dict, values: dict, *, dt: float, celsius: float, iclamp) -> dict:
    import excitable as ex

    b = ex.Morphology.builder()
    b.add("soma", length=L_UM, diameter=DIAM_UM)
    b.add("dend", length=DEND_L_UM, diameter=DEND_DIAM_UM, parent="soma", x=1.0)
    cell = ex.Cell(b.build(), nseg=[1, DEND_NSEG])
    for suffix, cls in mechanisms.items():
        cell.insert(cls(**python_names(values.get(suffix, {}))))
    cell.insert(ex.channels.Leak(g=LEAK_S_CM2 * 1000.0, e=LEAK_E_MV))  # mS/cm²
    sim = ex.Simulation(cell, dt=dt, temperature=celsius, v_init=-65.0)
    delay, dur, amp = iclamp
    sim.stimulate(ex.IClamp(cell.soma, amplitude=amp, delay=delay, duration=dur))
    traces = ["v"] + [f"{s}.{e}" for s, elements in diffusing(mechanisms).items() for e in elements]
    for sec, x in sites():
        for trace in traces:
            sim.record(trace, at=ex.Location(sec, x), label=f"{sec}({x:g}) {trace}")
    res = sim.run(TSTOP_MS)
    return {(sec, x, trace): np.asarray(res[f"{sec}({x:g}) {trace}"]) for sec, x in sites() for trace in traces}


def _neurons(h, mechanisms: dict, values: dict, *, dt: float, celsius: float, iclamp) -> dict:
    soma, dend = h.Section(name="compare_soma"), h.Section(name="compare_dend")
    soma.L, soma.diam, soma.nseg = L_UM, DIAM_UM, 1
    dend.L, dend.diam, dend.nseg = DEND_L_UM, DEND_DIAM_UM, DEND_NSEG
    dend.connect(soma(1.0))
    for sec in (soma, dend):
        sec.cm, sec.Ra = 1.0, 35.4
        sec.insert("pas")
        for suffix in mechanisms:
            sec.insert(suffix)
        for seg in sec:
            seg.pas.g, seg.pas.e = LEAK_S_CM2, LEAK_E_MV
            for suffix, cls in mechanisms.items():
                for name, value in values.get(suffix, {}).items():
                    neuron_side._set(h, seg, suffix, cls, name, value)
    for suffix in mechanisms:
        if hasattr(h, f"usetable_{suffix}"):
            setattr(h, f"usetable_{suffix}", 0)
    h.dt, h.secondorder, h.celsius = dt, 0, celsius
    stim = h.IClamp(soma(0.5))
    stim.delay, stim.dur, stim.amp = iclamp
    vecs = {}
    for name, x in sites():
        seg = (soma if name == "soma" else dend)(x)
        vecs[(name, x, "v")] = h.Vector().record(seg._ref_v)
        for suffix, elements in diffusing(mechanisms).items():
            ion_vars = {v for ion in mechanisms[suffix].description.ions for v in ion.write + ion.read}
            for element in elements:
                ref = neuron_side._ref(seg, getattr(seg, suffix), element, ion_vars)
                if ref is not None:
                    vecs[(name, x, f"{suffix}.{element}")] = h.Vector().record(ref)
    with neuron_failure(f"{', '.join(mechanisms)} on the cable under the current clamp of {iclamp[2]:g} nA"):
        h.finitialize(-65.0)
        h.continuerun(TSTOP_MS)
    out = {k: np.array(v) for k, v in vecs.items()}
    del stim, soma, dend
    return out
