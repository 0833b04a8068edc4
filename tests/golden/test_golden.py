"""The golden traces: representative runs give the numbers stored before the code was restructured.

``golden.npz`` was written by ``python -m tests.golden.make`` from the commit stored in it (before
the engine's front door, the kernels and the experiments moved). Moving code changes no arithmetic,
so every trace must agree to 1e-12 (absolute, in the trace's unit: mV, gate fraction, mM, uA/cm2,
uS; and relative for the loss and its gradient, whose magnitudes are ~1e3): far below any physical
effect, and above the last-bit differences XLA may make when it fuses the same operations anew.
Spike times are step boundaries and must be identical.
"""

from pathlib import Path

import numpy as np
import pytest

from tests.golden.cases import CASES

STORED = np.load(Path(__file__).with_name("golden.npz"))


def ca1_path():
    from excitable.io.morphologies import path

    return path("ca1-pyramidal")


@pytest.mark.parametrize("name", list(CASES))
def test_the_run_gives_the_stored_numbers(name):
    result = CASES[name](ca1_path()) if name == "swc_tree" else CASES[name]()
    stored = {k.split("/", 1)[1]: STORED[k] for k in STORED.files if k.startswith(name + "/")}
    assert stored and set(result) == set(stored)
    for key, expected in stored.items():
        got = np.asarray(result[key], dtype=np.float64)
        assert got.shape == expected.shape, key
        if key.startswith("spikes"):
            np.testing.assert_array_equal(got, expected, err_msg=f"{name}/{key}")
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=f"{name}/{key}")
