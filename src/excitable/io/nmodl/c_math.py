"""NMODL arithmetic on numbers with the semantics of NEURON's compiled C (IEEE doubles, and
NEURON's own exp, hoc_Exp), for ``expressions.py``: a parameter is a Python float until the run
traces it, and Python's float arithmetic raises where C does not. Traced arrays follow jax.numpy,
which is IEEE already. Checked beside NEURON in tests/io/nmodl/test_c_arithmetic.py."""

from __future__ import annotations

import math

import numpy as np


def c_float(op):
    """``op`` with C's IEEE double semantics on numbers known when the file is read, as NEURON's
    compiled C gives them (and as jax.numpy gives them on arrays): Python's float raises where C
    does not (1/0.0: ZeroDivisionError, 10.0**400: OverflowError) or turns complex ((-8)**0.5).
    ModelDB 84589 kc.mod divides by parameters that default to 0: 1/0 = inf in NEURON."""
    def run(a, b):
        if is_number(a) and is_number(b):
            with np.errstate(all="ignore"):
                return float(op(np.float64(a), np.float64(b)))
        return op(a, b)
    return run


def hoc_exp(x: float) -> float:
    """NEURON's exp in a .mod file (hoc_Exp, nrn/src/oc/math.cpp) of a number: 0 below -700, exp(700)
    above 700 (NEURON warns "exp(x) out of range, returning exp(700)"), nan for nan. Traced arrays
    take jax.numpy's exp (inf beyond 709.8, subnormals below -700: docs/nmodl.md)."""
    return 0.0 if x < -700.0 else math.exp(min(float(x), 700.0))


def is_number(x) -> bool:
    """A number known when the file is read (not a bool, an array or a traced value)."""
    return isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, (bool, np.bool_))
