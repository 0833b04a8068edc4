"""Random numbers in a .mod file: NEURON's scoplib calls that published files use (Destexhe et
al.'s Gfluct2.mod: an Ornstein-Uhlenbeck conductance stepped by ``normrand(0, 1)`` in a SOLVE'd
PROCEDURE; channel noise ``m' = ... + normrand(0, sd)``) and NEURON 9's RANDOM variables (the wheel's
netstim.mod: ``random_negexp(ranvar)``):

- ``normrand(mean, sd)``: normal; ``exprand(mean)``: exponential of that mean; ``scop_random()``:
  uniform on [0, 1); ``poisrand(mean)``: Poisson (an integer, as a double);
- ``random_uniform(r[, low, high])``, ``random_normal(r[, mean, sd])``, ``random_negexp(r[, mean])``;
  ``random_setseq`` and ``random_setids`` do nothing, nor does ``set_seed`` in INITIAL: the stream is
  the run's seed's, and every run from INITIAL starts it again.

Each call, each time it runs, draws one number per site, from the keys the engine gives the step
(``engine.noise``: the run's ``seed``, the step, the placement, the site) and the call's rank in its
block's trace (BREAKPOINT, the SOLVE'd blocks, INITIAL and NET_RECEIVE count from different bases;
each delivery round of a step folds its own keys: events.deliver). So BREAKPOINT's draws are the
same for the current and its slope within a step, where NEURON's nrn_cur calls the C function again
for each evaluation (twice a step, the slope mixing two draws). NEURON's numbers themselves (its
mcell_ran4 or Random123 streams) are not reproduced, only their distributions.

Refused with their line: other functions of a RANDOM variable (``problems``: random_ipick ...), and
``set_seed`` where a block other than INITIAL runs it (unsupported.CALLS: NEURON would repeat one
draw). A PROCEDURE or FUNCTION nothing in the file calls (one for hoc to set a seed, with C code) is
never run, so what it holds is not refused (``uncalled``).
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import jax.scipy.special

from excitable.engine.noise import RNG, draw_bits
from excitable.errors import ModelError
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.block_bodies import matching, top_level

#: name -> its number of arguments.
CALLS = {"normrand": 2, "exprand": 1, "scop_random": 0, "poisrand": 1}
#: NEURON 9's functions of a RANDOM variable (its first argument): name -> (the numbers of further
#: arguments it takes, the scoplib draw with those arguments' meaning). random_setseq and
#: random_setids choose the variable's Random123 stream: here the stream is the run's seed's, so
#: they do nothing (a run from INITIAL always starts it again, as netstim.mod's seed(0) asks).
RANDOM_CALLS = {"random_uniform": ((0, 2), "scop_random"), "random_normal": ((0, 2), "normrand"),
                "random_negexp": ((0, 1), "exprand"), "random_setseq": ((1,), None), "random_setids": ((3,), None)}
#: The scope's draw counter (a one-element list: mutated as the trace goes), and the bases each
#: block's count starts from.
COUNT = "__rng_count__"
BREAKPOINT, SOLVE, INITIAL, NET_RECEIVE = 0, 1 << 20, 2 << 20, 3 << 20
_FALLBACK_SEED = 0


_ANY = re.compile(rf"\b({'|'.join([*CALLS, *RANDOM_CALLS])})\s*\(")


def uses(lines: list[str]) -> bool:
    """Whether a file's code lines (comments blanked) draw (``CALLS``, ``RANDOM_CALLS``) outside the
    PROCEDUREs and FUNCTIONs nothing calls (``uncalled``: never run, so no keys for them)."""
    return any(_ANY.search(line) for line in _live(lines))


def _live(lines: list[str]) -> list[str]:
    """``lines`` without those of ``uncalled`` blocks."""
    dead = uncalled(lines).values()
    return [line for n, line in enumerate(lines, 1) if not any(a <= n <= b for a, b in dead)]


def start(glob: dict, base: int) -> None:
    """Start a block's count of draws at ``base`` (``BREAKPOINT``, ``SOLVE``, ``INITIAL``)."""
    glob[COUNT] = [base]


def compiled(name: str, args, arguments, compile_expr, path: str):
    """``scope -> value`` of a call of ``name`` (``CALLS`` with compiled ``args``, or ``RANDOM_CALLS``
    with the AST's ``arguments``): ``Compiler.call``'s. ``set_seed`` (let through in INITIAL only,
    ``seeded_lines``) does nothing: the run's seed is the stream's."""
    if name == "set_seed":
        return lambda scope: 0.0
    return call(name, args, path) if name in CALLS else random_call(name, arguments, compile_expr, path)


def seeded_lines(lines: list[str]) -> set[int]:
    """Lines of INITIAL that call ``set_seed`` (ModelDB 114643's PpInoise.mod: every run from the
    same seed): the run's seed stands for the file's (each run repeats, as in NEURON)."""
    return set(matching(lines, "INITIAL", r"\bset_seed\s*\("))  # its "{" may stand on a later line


def call(name: str, args, path: str):
    """``scope -> draws`` of one call of ``name`` with compiled ``args`` (``Compiler.call``)."""
    if len(args) != CALLS[name]:
        raise ModelError(f"{path}: {name}() takes {CALLS[name]} arguments, called with {len(args)}")

    def run(scope):
        values = [jnp.asarray(materialize(a(scope))) for a in args]
        return _draw(scope.glob, name, values)
    return run


def random_call(name: str, arguments, compile_expr, path: str):
    """``scope -> draws`` of a RANDOM variable's function (``RANDOM_CALLS``; ``arguments``: the
    call's AST arguments, the first the variable's name, which holds no value here)."""
    counts, drawn = RANDOM_CALLS[name]
    rest = list(arguments)[1:]
    if not arguments or not (arguments[0].is_var_name() or arguments[0].is_name()) or len(rest) not in counts:
        raise ModelError(f"{path}: {name}() takes a RANDOM variable and {' or '.join(map(str, counts))} more "
                         f"arguments, called with {len(arguments)}")
    if drawn is None:
        return lambda scope: 0.0
    args = [compile_expr(a) for a in rest]
    if drawn == "scop_random" and args:  # random_uniform(r, low, high)
        unit = call(drawn, [], path)
        return lambda scope: args[0](scope) + (args[1](scope) - args[0](scope)) * unit(scope)
    if drawn == "normrand" and not args:  # random_normal(r): N(0, 1)
        args = [lambda scope: 0.0, lambda scope: 1.0]
    if drawn == "exprand" and not args:  # random_negexp(r): mean 1
        args = [lambda scope: 1.0]
    return call(drawn, args, path)


def _draw(glob: dict, name: str, values):
    v = jnp.asarray(materialize(glob["v"]))  # the sites' shape
    dtype = jnp.result_type(v, float)
    keys = glob.get(RNG)
    if keys is None:  # no run's keys (a check at load, a rest-potential guess): fixed ones per site
        keys = jnp.stack([jnp.zeros(v.shape, jnp.uint32), jnp.full(v.shape, _FALLBACK_SEED, jnp.uint32),
                          jnp.arange(v.size, dtype=jnp.uint32).reshape(v.shape)], axis=-1)
    count = glob.setdefault(COUNT, [BREAKPOINT])
    rank = count[0]
    count[0] += 1
    hi, lo = draw_bits(keys, rank)
    if name == "poisrand":  # jax.random's Poisson, keyed per site by the draw's bits
        mean = jnp.broadcast_to(values[0], hi.shape).reshape(-1)
        site_keys = jnp.stack([hi.reshape(-1), lo.reshape(-1)], axis=-1)
        return jax.vmap(jax.random.poisson)(site_keys, mean).astype(dtype).reshape(hi.shape)
    if dtype == jnp.float64:  # 53 random bits: k / 2**53, k in [0, 2**53)
        k = (hi.astype(jnp.uint64) << 21) | (lo.astype(jnp.uint64) >> 11)
        unit, scale = k.astype(dtype), 2.0 ** -53
    else:
        unit, scale = (hi >> 8).astype(dtype), 2.0 ** -24
    if name == "scop_random":  # [0, 1), as NEURON's
        return unit * scale
    u = (unit + 0.5) * scale  # (0, 1): both logs and erfinv finite
    if name == "exprand":
        return values[0] * -jnp.log(u)
    return values[0] + values[1] * (jnp.sqrt(2.0) * jax.scipy.special.erfinv(2.0 * u - 1.0))  # normrand


def problems(lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of random-number calls excitable does not run: a RANDOM variable's
    functions other than ``RANDOM_CALLS`` (random_ipick, random_dpick), and a scoplib draw given
    another number of arguments than it takes (BluePyOpt's ProbAMPANMDA_EMS.mod: ``scop_random(1)``,
    which NEURON 8 ignored and NEURON 9's nrnivmodl refuses: "too many arguments")."""
    rx = re.compile(r"\b(random_\w+)\s*\(")
    out = [(n, f"{m}() of a RANDOM variable") for n, line in enumerate(lines, 1)
           for m in rx.findall(line) if m not in RANDOM_CALLS]
    for n, line in enumerate(lines, 1):
        for m in re.finditer(rf"\b({'|'.join(CALLS)})\s*\(", line):
            given = _argument_count(line[m.end():])
            if given is not None and given != CALLS[m.group(1)]:
                name, takes = m.group(1), CALLS[m.group(1)]
                out.append((n, f"{name}() with {given} argument(s) ({name} takes {takes}: NEURON 9's nrnivmodl "
                               f"refuses the call too, NEURON 8 ignored the extra; write {name}("
                               f"{', '.join(['...'] * takes)}))"))
    return out


def _argument_count(rest: str) -> int | None:
    """The number of top-level arguments before the ``)`` closing a call whose ``(`` precedes
    ``rest`` (None where it does not close on the line)."""
    depth, count, seen = 0, 0, False
    for ch in rest:
        if ch == ")" and depth == 0:
            return count + seen
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            count, seen = count + 1, False
        elif not ch.isspace():
            seen = True
    return None


_DEFINITION = re.compile(r"^\s*(PROCEDURE|FUNCTION)\s+(\w+)")


def uncalled(lines: list[str]) -> dict[str, tuple[int, int]]:
    """{name: (first line, last line)} of the PROCEDUREs and FUNCTIONs nothing else in the file calls
    (nor SOLVEs, nor uses as a TABLE's DEPEND), also through other uncalled ones: NEURON lets hoc
    call them (Gfluct2.mod's ``new_seed``, which sets the seed in C); excitable never runs them."""
    spans = {m.group(2): (b.header, b.end) for b in top_level(lines, "PROCEDURE|FUNCTION")
             if (m := _DEFINITION.match(lines[b.header - 1]))}
    declarations = _neuron_block(lines)  # RANGE new_seed: a name for hoc, not a call
    dead: dict[str, tuple[int, int]] = {}
    while True:
        live_text = "\n".join(line for k, line in enumerate(lines, 1)
                              if k not in declarations and not any(a <= k <= b for a, b in dead.values()))
        more = {name: span for name, span in spans.items() if name not in dead
                and not _called(name, live_text, lines[span[0] - 1:span[1]])}
        if not more:
            return dead
        dead.update(more)


def _called(name: str, text: str, own: list[str]) -> bool:
    """Whether ``name`` appears in ``text`` other than in its own definition's lines (``own``:
    a recursive call alone does not make it called)."""
    pattern = rf"\b{re.escape(name)}\b"
    return len(re.findall(pattern, text)) > len(re.findall(pattern, "\n".join(own)))


def _neuron_block(lines: list[str]) -> set[int]:
    """The lines of the NEURON { ... } block."""
    return next((set(b.lines) for b in top_level(lines, "NEURON")), set())


def called(lines: list[str]) -> list[str]:
    """The random-number functions the file's live code calls (``exprand``, ``normrand`` ...), sorted."""
    return sorted({m for line in _live(lines) for m in _ANY.findall(line)})


def check_lines(lines: list[str]) -> list[str]:
    """What ``mod check`` says of a file's draws and of the blocks only hoc could call."""
    out = []
    dead = uncalled(lines)
    called_ = called(lines)
    if called_:
        out.append(f"  random numbers: {', '.join(c + '()' for c in called_)}, drawn from the run's seed "
                   "(Simulation(seed=...)): NEURON's distribution, not its stream")
    if seeded_lines(lines):
        out.append("  set_seed in INITIAL: the run's seed stands for the file's (each run repeats, as in NEURON)")
    if dead:
        out.append(f"  not run (nothing in the file calls them; NEURON's hoc could): {', '.join(sorted(dead))}")
    return out
