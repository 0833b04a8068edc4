"""NMODL import: NEURON's .mod files as excitable mechanisms, parsed with NEURON's own NMODL
framework (``neuron.nmodl``) and evaluated by JAX (no C compiler, no NEURON at run time).

- ``load_mod(path | folder | list)``: the mechanism classes (``loader``);
- ``check_report(path)``: what ``excitable mod check`` prints (``check``).

Modules: ``parse`` (the parser and NMODLHOME), ``describe`` (the declarations as data),
``unsupported`` (what is refused, with its line), ``expressions`` (AST -> JAX closures),
``solvers`` (cnexp, derivimplicit, euler, sparse, steady state), ``mechanism`` (the generated
channel class), ``units`` (named unit factors). Imported lazily: ``import excitable`` loads no
NEURON.
"""

from __future__ import annotations

import importlib

__all__ = ["check_report", "load_mod"]
_EXPORTS = {"load_mod": "excitable.io.nmodl.loader", "check_report": "excitable.io.nmodl.check"}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'excitable.io.nmodl' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
