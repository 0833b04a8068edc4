"""NMODL arithmetic at C's edges (tests/reference/mod/nm_zero_div.mod): division by 0, overflow,
logarithms of 0 and of negative numbers, exp beyond +-700, on numbers known when the file is read
(parameters are Python floats until the run traces them) and on traced arrays, against NEURON
evaluating the same FUNCTIONs (``h.fdiv_nm_zdiv(a, b)``), then the file run beside NEURON by
``excitable mod compare`` (ModelDB 84589 kc.mod's form: a rate divided by a parameter that is 0).

Tolerance: the same IEEE double operations on both sides, so finite results agree to a few ulps
(rtol 1e-12: the libm's exp/log/pow are correctly rounded to < 1 ulp on both); inf, -inf and nan
must be exactly the same class of value (a Python ZeroDivisionError, OverflowError or a complex
result, the bug, fails the test). Traced arrays follow jax.numpy, whose exp differs from NEURON's
hoc_Exp only beyond +-700 (docs/nmodl.md): those two arguments are checked on numbers only.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from excitable.io.nmodl.describe import describe
from excitable.io.nmodl.expressions import Compiler, Scope
from excitable.io.nmodl.parse import parse_text, read_text
from tests.io.nmodl.neuron_side import mod_file
from tests.reference.nrnmech import neuron_loaded

pytestmark = pytest.mark.neuron
INF, NAN = math.inf, math.nan
CASES = [("fdiv", 1.0, 0.0), ("fdiv", -1.0, 0.0), ("fdiv", 0.0, 0.0), ("fdiv", INF, INF), ("fdiv", 3.0, 7.0),
         ("fpow", 0.0, -1.0), ("fpow", -8.0, 0.5), ("fpow", 10.0, 400.0), ("fpow", -2.0, 3.0),
         ("fpowf", 0.0, -1.0), ("fpowf", -8.0, 0.5), ("fexp", -3.5), ("fexp", NAN), ("fexp", 800.0),
         ("fexp", -800.0), ("fexp", INF), ("flog", 0.0), ("flog", -1.0), ("flog", 2.5), ("flog10", 0.0),
         ("fsqrt", -1.0), ("ffmod", 1.0, 0.0), ("ffmod", -7.0, 3.0), ("fmul", 1e300, 1e300),
         ("fsub", INF, INF), ("fnested", 0.0)]
#: hoc_Exp's clamp (0 below -700, exp(700) above) holds for numbers; arrays take jnp.exp there.
NUMBERS_ONLY = {("fexp", 800.0), ("fexp", -800.0), ("fexp", INF)}
_FILE: dict = {}


def ours(name: str, *args, traced: bool = False) -> float:
    """Our evaluation of the file's FUNCTION ``name`` on numbers (or 0-d arrays: ``traced``)."""
    if not _FILE:
        desc = describe(parse_text(*read_text(mod_file("nm_zero_div"))))
        _FILE["compiler"] = Compiler(desc.path, desc.functions, desc.procedures, set())
    values = [jnp.asarray(a) if traced else a for a in args]
    call = _FILE["compiler"].user_call(name, [lambda scope, a=a: a for a in values], None)
    return call(Scope({}, {}))


def theirs(name: str, *args) -> float:
    h = neuron_loaded([mod_file("nm_zero_div")], "nm-zero-div", "nm_zero_div.mod")
    return getattr(h, f"{name}_nm_zdiv")(*args)


def same(a, b) -> bool:
    a, b = float(a), float(b)
    if math.isnan(b) or math.isinf(b):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}{c[1:]}")
def test_numbers_follow_neurons_c(case):
    got = ours(*case)
    assert isinstance(got, float) or np.ndim(got) == 0
    assert not isinstance(got, complex)
    assert same(got, theirs(*case)), (case, got, theirs(*case))


def test_traced_arrays_follow_neurons_c():
    for case in CASES:
        if case not in NUMBERS_ONLY:
            assert same(ours(*case, traced=True), theirs(*case)), case


def test_numbers_follow_ieee_as_numpy_gives_it():
    """An independent reference that needs no NEURON: numpy's float64 under errstate."""
    with np.errstate(all="ignore"):
        f = np.float64
        assert same(ours("fdiv", 2.0, 0.0), f(2.0) / f(0.0))
        assert same(ours("fdiv", -0.0, 0.0), f(-0.0) / f(0.0))
        assert same(ours("fpow", 0.5, -2000.0), np.power(f(0.5), f(-2000.0)))
        assert same(ours("fpow", -1.5, 2.5), np.power(f(-1.5), f(2.5)))
        assert same(ours("flog", -0.0), np.log(f(-0.0)))
        assert same(ours("ffmod", INF, 2.0), np.fmod(f(INF), f(2.0)))


def test_a_rate_divided_by_a_zero_parameter_runs_as_in_neuron(capsys):
    """kc.mod's form beside NEURON (``mod compare``: V and i within 1e-6 of their scale, the
    issue's bound); before, 1/tmax raised ZeroDivisionError out of the compare command."""
    from excitable.interfaces.cli.main import main

    neuron_loaded([mod_file("nm_zero_div")], "nm-zero-div", "nm_zero_div.mod")
    code = main(["mod", "compare", str(mod_file("nm_zero_div"))])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "same as NEURON" in out and "nm_zdiv.i" in out
