"""LONGITUDINAL_DIFFUSION in a KINETIC block (the NEURON Book's cadifus.mod, cdp.mod): a state that
diffuses along the cell, from each compartment to its neighbours, as NEURON runs it.

What NEURON does (read from nocmodl's generated C and src/nrnoc/ldifus.cpp, 9.0.2):
- ``LONGITUDINAL_DIFFUSION [i,] rate {species}`` registers, for each species (each element of an
  array species), a function giving its flux coefficient ``rate`` (D times a cross-section, µm⁴/ms
  for D in µm²/ms and a cross-section in µm²) and its volume per length, the expression of the
  species' COMPARTMENT statement (µm²); nocmodl refuses a species that no COMPARTMENT before it
  names ("must be declared in COMPARTMENT"), and drops the statement without a word from a block
  with no COMPARTMENT at all (no diffusion function is generated): both are refused here;
- after every mechanism's ``nrn_state`` (``nonvint``: ``long_difus_solve(0)``, the "stagger"), each
  such species takes one backward-Euler step of diffusion on the tree of the compartments holding
  the mechanism: (x_i - x_i,old)/dt = sum over neighbours j of g_ij (x_j - x_i) / (vol_i dx_i), with
  g_ij = (rate_i + rate_j) / (dx_i + dx_j) and dx a compartment's section length / nseg (NEURON's
  ``af``/``bf``, rallbranch 1), solved by a tree elimination (``engine.diffusion``);
- a compartment's neighbour toward the root is found as NEURON's ``longdifusalloc`` does
  (``model.diffusion_tree``);
- nothing happens at ``finitialize``; the ion's ``cai`` a file sets from ``ca[0]`` in the block keeps
  the value of before the diffusion until the next step, as NEURON's does.

The class gets ``longitudinal`` (the diffusing elements, as its state names "ca[0]" ...) and
``diffusion_terms(v, s, celsius)`` -> (dx, {element: (rate, volume)}) at its sites; ``DX_FIELD`` is
the field the cell fills with each compartment's dx (µm).
"""

from __future__ import annotations

import dataclasses
import re

import jax.numpy as jnp

from excitable.errors import ModelError
from excitable.io.nmodl.affine import materialize
from excitable.io.nmodl.comments import strip_comments

#: The field of each site's compartment length (section length / nseg, µm), filled from the cell.
DX_FIELD = "ldiff_dx_um"
#: The compartments' array it is filled from (``model.discretize.Compartments``).
DX_SOURCE = "segment_length_um"


@dataclasses.dataclass(frozen=True)
class Diffusion:
    """One species of a LONGITUDINAL_DIFFUSION statement: its name, the index variable (or None),
    the rate and its COMPARTMENT's volume as NMODL expressions (AST nodes), and the file's line."""

    species: str
    index: str | None
    rate: object
    volume_index: str | None
    volume: object
    line: int
    block: str
    text: str = ""  # the rate's and the volume's NMODL text


def collect(program, text: str, to_nmodl) -> tuple[list[Diffusion], list[tuple[int, str]]]:
    """The LONGITUDINAL_DIFFUSION species of the file's KINETIC blocks (read before NEURON's
    ``KineticBlockVisitor`` turns them into ODEs and drops the COMPARTMENT statements), and the
    problems: a species without a COMPARTMENT before it in its block. ``to_nmodl``: the NMODL
    framework's AST printer (parse.py)."""
    lines = _statement_lines(text)
    found, problems, k = [], [], 0
    for block in program.blocks:
        if not block.is_kinetic_block():
            continue
        volumes = {}
        for st in _statements(block.statement_block):
            if st.is_compartment():
                index = st.index_name.get_node_name() if st.index_name is not None else None
                volumes.update({s.get_node_name(): (index, st.volume) for s in st.species})
            elif st.is_lon_diffuse():
                line = lines[k] if k < len(lines) else 0
                k += 1
                index = st.index_name.get_node_name() if st.index_name is not None else None
                for s in st.species:
                    name = s.get_node_name()
                    if name not in volumes:
                        problems.append((line, f"LONGITUDINAL_DIFFUSION of {name} without a COMPARTMENT statement "
                                               f"before it (nocmodl refuses it, or drops it where the block has none)"))
                        continue
                    index_v, volume = volumes[name]
                    found.append(Diffusion(name, index, st.rate, index_v, volume, line, block.get_node_name(),
                                           to_nmodl(st.rate) + " " + to_nmodl(volume)))
    return found, problems


def _statements(block):
    """The statements of a block and of the blocks nested in it, in order."""
    for st in block.statements:
        yield st
        inner = getattr(st, "statement_block", None)
        if inner is not None and not st.is_lon_diffuse():
            yield from _statements(inner)


def _statement_lines(text: str) -> list[int]:
    """The line of each LONGITUDINAL_DIFFUSION statement, in order (the AST keeps no line)."""
    return [n for n, line in enumerate(strip_comments(text), 1) if "LONGITUDINAL_DIFFUSION" in line]


def problems(mod, desc) -> list[tuple[int, str]]:
    """(line, construct) of what is not run: a species that is no STATE, a point process's, a
    KINETIC block that BREAKPOINT does not SOLVE (NEURON diffuses its species at every step all the
    same, whatever advances them)."""
    out = list(getattr(mod, "diffusion_problems", ()))
    solved = {b for b, _ in desc.solves}
    for d in getattr(mod, "diffusion", ()):
        if desc.point:
            out.append((d.line, "LONGITUDINAL_DIFFUSION in a point process"))
        elif not elements(d, desc.states):
            out.append((d.line, f"LONGITUDINAL_DIFFUSION of {d.species}, which is no STATE"))
        elif d.block not in solved:
            out.append((d.line, f"LONGITUDINAL_DIFFUSION in KINETIC {d.block}, which BREAKPOINT does not SOLVE"))
        elif ions := sorted(_names(d) & set(desc.ion_reads())):
            out.append((d.line, f"LONGITUDINAL_DIFFUSION whose rate or COMPARTMENT volume reads {ions[0]} (an ion "
                                f"variable: only fields, states and diam are given there)"))
    return list(dict.fromkeys(out))


def _names(d: Diffusion) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", d.text))


def elements(d: Diffusion, states: tuple[str, ...]) -> list[tuple[str, int | None]]:
    """(state name, index value) of each element of the species: "ca[0]" with i = 0 ..., or the
    scalar "cai" with no index."""
    if d.species in states:
        return [(d.species, None)]
    out = []
    for s in states:
        base, _, rest = s.partition("[")
        if base == d.species and rest.endswith("]"):
            out.append((s, int(rest[:-1])))
    return out


def terms(gen, diffusion: list[Diffusion], states: tuple[str, ...]):
    """``run(chan, v, s, celsius) -> (dx, {element: (rate, volume)})``: each site's compartment
    length (um) and each diffusing element's flux coefficient and volume per length at the
    mechanism's sites, from its fields and states (the expressions of the file, with the index
    variable bound to the element's index)."""
    compiled = []
    for d in diffusion:
        rate, volume = gen.compiler.expr(d.rate), gen.compiler.expr(d.volume)
        for name, index in elements(d, states):
            compiled.append((name, d.index, d.volume_index, index, rate, volume))

    def run(chan, v, s, celsius):
        scope, zero, out = gen.scope(chan, v, s, celsius), jnp.zeros_like(jnp.asarray(v)), {}
        for name, index_name, volume_index, index, rate, volume in compiled:
            # a scalar species under an index (LONGITUDINAL_DIFFUSION i, D*A {cao}): nocmodl's loop runs once, i = 0
            scope.local.update({n: float(index or 0) for n in (index_name, volume_index) if n})
            out[name] = (materialize(rate(scope)) + zero, materialize(volume(scope)) + zero)
        return getattr(chan, DX_FIELD), out
    return run


def check_field_name(desc, spec: dict) -> None:
    """The dx field must not take a name of the file."""
    if DX_FIELD in spec or DX_FIELD in desc.states:
        raise ModelError(f"{desc.path}: {DX_FIELD!r} names a variable of the file and excitable's diffusion "
                         f"length; rename it")
