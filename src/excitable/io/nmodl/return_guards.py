"""The VERBATIM statements ``expressions.Compiler`` runs without C (``verbatim_forms`` finds them
in the file's lines first; anything else is refused there), and the early return they may make.

An early-return guard ``if (c) { VERBATIM return; ENDVERBATIM }`` at the top level of NET_RECEIVE
or a PROCEDURE leaves the C function where ``c`` holds. Here it sets a flag in its block's locals
(``RETURNED``: c, or'ed with an earlier guard's) and every later top-level statement of the block
runs as the body of ``if (!returned)``: on a copy of the scope, each variable then chosen per
instance (``merge``: the rule of ``expressions.Compiler.if_statement``, which NEURON's branch
gives). A block runs its statements one by one whoever runs it (``Compiler.block``, the event path's
own runner), so the flag needs nothing from the runner; a block without a guard has no flag and
runs its statements as they are.
"""

from __future__ import annotations

import re

import jax.numpy as jnp
import numpy as np

from excitable.io.nmodl.affine import materialize

#: Local of a block whose guard returned: True (or per instance) where the rest is skipped.
RETURNED = "__returned__"
_RETURN = re.compile(r"\s*return\s*(0\s*)?;\s*")
_COPY = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*_ion_\1\s*")


def _c_text(statement) -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", statement.statement.eval(), flags=re.S)


def is_empty_verbatim(statement) -> bool:
    """Whether a statement is a VERBATIM block of white space and C comments only: no C runs."""
    if not statement.is_verbatim():
        return False
    return not re.sub(r"/\*.*?\*/|//[^\n]*", " ", statement.statement.eval(), flags=re.S).strip()


def is_final_return(statement) -> bool:
    """Whether a statement is ``VERBATIM return 0; ENDVERBATIM`` (or ``return;``), which published files
    end a SOLVE'd PROCEDURE (Migliore's channels) or INITIAL (ModelDB 123815's ichan2.mod) with: as the
    last statement of such a body it does nothing (unsupported.py lets exactly this through)."""
    return bool(statement.is_verbatim() and re.fullmatch(r"\s*return\s*(0\s*)?;\s*", statement.statement.eval()))


def is_ion_copy(statement) -> bool:
    """A VERBATIM of ``name = _ion_name;`` statements only: a no-op where ``verbatim_forms.ion_copies``
    let it through (``name`` READ from the ion, never assigned)."""
    if not statement.is_verbatim():
        return False
    parts = _c_text(statement).split(";")
    return len(parts) > 1 and not parts[-1].strip() and all(_COPY.fullmatch(p) for p in parts[:-1])


def is_return_guard(statement) -> bool:
    """``if (c) { VERBATIM return; ENDVERBATIM }`` (``return 0;``, C comments): no else, nothing else
    in the block."""
    if not statement.is_if_statement() or statement.elses is not None or len(statement.elseifs):
        return False
    body = [s for s in statement.statement_block.statements if not (s.is_line_comment() or s.is_block_comment())]
    return len(body) == 1 and body[0].is_verbatim() and bool(_RETURN.fullmatch(_c_text(body[0])))


def guard(condition):
    """The guard as a step ``run(scope)``: ``RETURNED`` becomes true where ``condition`` holds."""
    def run(scope):
        c, before = materialize(condition(scope)), scope.local.get(RETURNED, False)
        scope.local[RETURNED] = _or(before, c)
    return run


def after_guard(step):
    """``step`` (a top-level statement) run only where no guard before it returned."""
    def run(scope):
        flag = scope.local.get(RETURNED)
        if flag is None or _static(flag) and not flag:
            return step(scope)
        if _static(flag):  # returned everywhere (a condition known when the file is read)
            return None
        kept = scope.copy()
        step(kept)
        merge(scope, flag, scope.copy(), kept)
    return run


def merge(scope, cond, yes, no) -> None:
    """``scope``'s variables after an if: ``yes``'s where ``cond`` holds, else ``no``'s (a variable one
    branch lacks reads 0, as NMODL's LOCALs and the event calls' hidden variables start)."""
    for target, a, b in ((scope.local, yes.local, no.local), (scope.glob, yes.glob, no.glob)):
        for name in set(a) | set(b):
            va, vb = a.get(name, 0.0), b.get(name, 0.0)
            if isinstance(va, dict) or isinstance(vb, dict):  # the shared exponentials: values, not branches
                target[name] = {**(vb if isinstance(vb, dict) else {}), **(va if isinstance(va, dict) else {})}
                continue
            target[name] = va if va is vb else jnp.where(cond, materialize(va), materialize(vb))


def _static(x) -> bool:
    return isinstance(x, (bool, np.bool_, int, float))


def _or(a, b):
    if _static(a) and _static(b):
        return bool(a) or bool(b)
    return jnp.logical_or(jnp.asarray(materialize(a)), jnp.asarray(materialize(b)))
