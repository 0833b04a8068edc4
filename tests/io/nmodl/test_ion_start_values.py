"""An ion's concentration that is a STATE starts at the ion's value, whatever x0 the file declares.

NEURON starts a STATE x at the PARAMETER x0 where the file has one (capmpr.mod's pump0), but not
an ion's concentration: its nrn_init copies the ion's cai into the state, and a cai0 beside it is
only a parameter (checked with NEURON 9.0.2: setting cai0 to 0.002 leaves cai at 5e-5 mM, READ and
WRITE or WRITE only). Beining et al. 2017's Cabuffer2.mod (ModelDB 231862) declares cai0 and sets it
from cai in INITIAL; excitable started cai at cai0 (0), 1.0 of cai's range off.

Reference: NEURON compiling the same files, side by side through ``compare_mods`` (voltage-clamp
family and a current step; every trace within 1e-6 of its scale, issue 18; the two sides differ by
round-off only once they start alike).
"""

from __future__ import annotations

import numpy as np
import pytest

from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN

FILES = {"nm_ionstate0": OWN / "nm_ionstate0.mod", "nm_ionstate0w": OWN / "nm_ionstate0w.mod"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_concentration_starts_at_the_ions_value(name):
    mech = load_mod(FILES[name])()
    start = mech.steady_state(-65.0, 6.3)
    assert float(start["cai"]) == 5e-5  # NEURON's cai0_ca_ion, mM, not the file's cai0 (2e-3, 1e-3)
    if name == "nm_ionstate0":
        np.testing.assert_allclose(float(start["cai0"]), 5e-5 + 1e-3, rtol=1e-15)  # INITIAL's cai0 = cai + 0.001


@pytest.mark.neuron
@pytest.mark.parametrize("name", sorted(FILES))
def test_the_pool_matches_neuron(name):
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([FILES[name]])
    assert result.agrees, result.report()
    assert f"{name}.cai" in {r.trace for r in result.rows}
