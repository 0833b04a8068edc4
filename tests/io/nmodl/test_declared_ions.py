"""Ion variables declared in PARAMETER (Destexhe's cad.mod, ModelDB 266900 cad2.mod: ``cai (mM)`` in
PARAMETER, written from the SOLVE'd block): nocmodl makes a variable named in USEION the ion's
wherever the file declares it, and ignores its PARAMETER default ("Default 0.001 of PARAMETER cai
will be ignored and set by NEURON", nocmodl 9.0.2). Side by side with NEURON running the same file,
tests/reference/mod/nm_cadparam.mod (a pool writing a PARAMETER cai, reading a PARAMETER cao whose
default 3 mM NEURON replaces by the ion's 2 mM), beside nm_caparamchan.mod (a Ca current writing a
PARAMETER ica, ModelDB 267599 ican.mod's form, and reading a PARAMETER eca whose 50 mV NEURON
replaces by Nernst from the pool's cai), the wheel's cachan1.mod and a leak, under a voltage-clamp
step.

Tolerance: every trace within 1e-6 of its largest magnitude at every step (issue 18), as in
test_pools: both sides are float64 and evaluate the same expressions, so only the order of operations
differs (1e-12..1e-9 expected), while the pool run with the PARAMETER's cao (3 mM instead of 2) starts
50 % higher (ca = cainf cao / 2 at INITIAL), and a cai the pool's readers do not see moves eca, so the
current and V, by far more than 1e-6.
"""

from __future__ import annotations

import pytest

from excitable.io.nmodl.check import check_file
from tests.io.nmodl.neuron_side import OWN, class_loader, leaky_compartment, mod_file, neuron_run, neuron_with_mods
from tests.io.nmodl.test_neuron_side_by_side import worst
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
RTOL = 1e-6
POOL, CHANNEL = "nm_cadparam", "nm_caparamchan"
CLAMP = ((5.0, -80.0), (15.0, 0.0), (5.0, -80.0))
cls = class_loader()


def test_a_parameter_ion_variable_is_the_ions():
    """cai and cao are not parameters of the class: cai is the pool's written concentration, cao
    a field with the ion's default (2 mM), as NEURON gives it; mod check lists neither."""
    pool = cls(POOL)
    assert pool.conc_writes == {"cai": ("ca", "ci")}
    assert pool().cao == 2.0 and not hasattr(pool(), "cai")
    listed = "\n".join(check_file(mod_file(POOL))[0])
    assert "parameters: depth = 0.1 um, taur = 20 ms, cainf = 0.0001 mM" in listed, listed
    chan = cls(CHANNEL)
    assert chan.description.currents == ("ica",) and chan().eca == pytest.approx(132.458, abs=1e-3)
    assert [f for f in ("ica", "eca") if f in chan.description.parameters] == []


def test_pool_with_parameter_cai_matches_neuron():
    stems = ("cachan1", CHANNEL, POOL)
    _, sim = leaky_compartment([cls(s)() for s in stems], cls("passive"), celsius=16.0, v_init=-80.0, clamp=CLAMP)
    record = [("cai", "cai")]
    for s in stems:
        for st in cls(s).description.states:
            sim.record(f"{cls(s).__name__}.{st}")
            record.append((f"{cls(s).__name__}.{st}", (cls(s).__name__, st)))
    sim.record(f"{POOL}.cai")
    ours = sim.run(25.0)
    neuron_with_mods()
    neuron_loaded([OWN / f"{s}.mod" for s in (POOL, CHANNEL)], "nrnmech-declared-ions", "nm_cadparam.mod, nm_caparamchan.mod")
    theirs = neuron_run(list(stems), celsius=16.0, tstop=25.0, v_init=-80.0, clamp=CLAMP, record=record,
                        extra_pas=True)
    diffs = {"v": worst(ours["v"], theirs["v"]), "cai": worst(ours[f"{POOL}.cai"], theirs["cai"])}
    diffs.update({name: worst(ours[name], theirs[name]) for name, _ in record[1:]})
    assert theirs["cai"].max() > 2 * theirs["cai"][0], "the clamp's ica moves the pool"
    assert max(diffs.values()) < RTOL, diffs
