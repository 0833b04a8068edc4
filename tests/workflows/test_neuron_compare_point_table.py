"""``excitable mod compare`` of a point process whose FUNCTION has a TABLE statement
(tests/io/nmodl/mod_events/pp_table.mod, the form of ModelDB 244416 nmdanet.mod's mgblock()): NEURON's
table must be turned off for the point process itself (usetable_pp_table = 0), as the comparison does
for density mechanisms, since excitable computes the FUNCTION exactly. With NEURON's 31-point table
left on, V and i differ by 1e-1 of their scale; exact on both sides, they agree within the issue's
1e-6 of each trace's scale (measured: 7e-13, round-off of the same double-precision formulas).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from excitable.interfaces.cli.main import main

pytestmark = pytest.mark.neuron
FILE = Path(__file__).parents[1] / "io" / "nmodl" / "mod_events" / "pp_table.mod"


def test_a_tabled_point_process_is_compared_exactly(capsys):
    pytest.importorskip("neuron")
    code = main(["mod", "compare", str(FILE), "--weight", "0.01"])
    out, err = capsys.readouterr()
    if code == 2 and "nrnivmodl" in err:
        pytest.skip(err)  # NEURON's compiler (or a C compiler) is missing here
    assert code == 0, out + err
    assert "same as NEURON" in out and "pp_table.i" in out
    spikes = [ln for ln in out.splitlines() if ln.startswith("spikes")][0]
    assert "excitable 1 [" in spikes  # the synapse is strong enough that the block matters (V spikes)
