"""Reading a .mod file with NEURON's own NMODL framework (``neuron.nmodl``, shipped in the wheel).

``parse(path)`` returns the file's AST after the transformations NEURON itself applies before it
generates code: KINETIC schemes become ODEs with their CONSERVE laws (``KineticBlockVisitor``).
Nothing in the file is ever executed: the AST is read as data (``describe``), and unsupported
constructs are refused with their line first (``unsupported``).

Known snag of the wheel: its NMODL framework looks for its Python wrapper library under
``$NMODLHOME/lib``, and the wheel's defaults point elsewhere; we set ``NMODLHOME`` to the wheel's
own data folder (found from the installed package, never a fixed path) before the first import.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import re
import sys
from pathlib import Path

from excitable.errors import ModelError
from excitable.io.nmodl.comments import strip_comments, without_comment_blocks  # noqa: F401  (many modules import strip_comments from here)
from excitable.io.nmodl.includes import inline

_DSL = None


def _silenced_stderr():
    """NEURON's start-up prints a DISPLAY warning on the C-level stderr (file descriptor 2): keep
    it off the command line's output while ``neuron`` loads; anything else still reaches stderr
    after the import."""
    @contextlib.contextmanager
    def quiet():
        try:
            saved = os.dup(2)
        except OSError:  # no file descriptor 2 (embedded interpreters): nothing to silence
            yield
            return
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 2)
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return quiet()


def dsl():
    """``neuron.nmodl.dsl``, imported once with NMODLHOME pointing at the wheel's data folder; a
    one-line error naming the extra when NEURON is not installed."""
    global _DSL
    if _DSL is None:
        spec = importlib.util.find_spec("neuron")
        if spec is None or not spec.submodule_search_locations:
            raise ModelError("reading .mod files needs NEURON's NMODL framework: "
                             "pip install 'excitable[nmodl]' (the neuron wheel)")
        data = Path(next(iter(spec.submodule_search_locations))) / ".data"
        if (data / "lib").is_dir():
            os.environ.setdefault("NMODLHOME", str(data))
        with _silenced_stderr() if "neuron" not in sys.modules else contextlib.nullcontext():
            from neuron.nmodl import dsl as module
        _DSL = module
    return _DSL


@dataclasses.dataclass
class ModFile:
    """A parsed .mod file: its path, its text and NEURON's AST of it (KINETIC blocks already
    rewritten into ODEs)."""

    path: Path
    text: str
    program: object
    linear: dict = dataclasses.field(default_factory=dict)  # KINETIC block -> linear in its states
    diffusion: list = dataclasses.field(default_factory=list)  # LONGITUDINAL_DIFFUSION species (longitudinal.py)
    diffusion_problems: list = dataclasses.field(default_factory=list)


def read_text(path) -> tuple[Path, str]:
    """The file's text with that of the files it INCLUDEs (includes.py), or a one-line ModelError
    naming the path."""
    p = Path(path)
    if p.suffix != ".mod":
        raise ModelError(f"mod file: expected a .mod file, got {str(p)!r}")
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ModelError(f"mod file {str(p)!r}: cannot read it ({exc.strerror or exc})") from None
    return p, inline(p, text)  # with the text of the files it INCLUDEs (includes.py)


def parse_text(path: Path, text: str, *, kinetic: bool = True) -> ModFile:
    """NEURON's AST of ``text``; a syntax error is a one-line ModelError with the file and line."""
    d = dsl()
    try:  # COMMENT blocks blanked first, as nocmodl reads them (comments.without_comment_blocks)
        program = d.NmodlDriver().parse_string(without_comment_blocks(text))
    except RuntimeError as exc:
        raise ModelError(f"{path}: {_syntax_message(str(exc))}") from None
    except Exception as exc:  # noqa: BLE001 -- the C++ parser's own failures (a ValueError of its strings)
        raise ModelError(f"{path}: NEURON's NMODL parser failed on it ({type(exc).__name__}: {exc})") from None
    _once_global(program)
    _one_block_each(program)
    d.symtab.SymtabVisitor().visit_program(program)
    linear = {b.get_node_name(): kinetic_is_linear(d.to_nmodl(b)) for b in program.blocks if b.is_kinetic_block()}
    from excitable.io.nmodl.longitudinal import collect

    diffusion, problems = collect(program, text, d.to_nmodl)  # before the visitor drops the COMPARTMENT statements
    _unindexed_scalar_compartments(program)
    if kinetic and linear:
        d.visitor.KineticBlockVisitor().visit_program(program)
    return ModFile(path, text, program, linear, diffusion, problems)


def _unindexed_scalar_compartments(program) -> None:
    """Drop the index of ``COMPARTMENT i, A_peri {cao}``: an indexed COMPARTMENT whose species are all
    scalar STATEs. nocmodl applies its volume to them (``_RHS1(0) *= A_peri``, read from its C), the
    framework's KineticBlockVisitor leaves it out (cao' was the flux, not the flux / A_peri: ModelDB's
    caextscale_node.mod, a sweep beside NEURON); without the index both give the volume."""
    arrays = {d.get_node_name() for b in program.blocks if b.is_state_block()
              for d in b.definitions if d.is_assigned_definition() and d.length is not None}
    for block in program.blocks:
        if not block.is_kinetic_block():
            continue
        for st in block.statement_block.statements:
            if st.is_compartment() and st.index_name is not None and not any(
                    s.get_node_name() in arrays for s in st.species):
                st.index_name = None


def _once_global(program) -> None:
    """Drop a name's repeats from the NEURON block's GLOBAL statements. nrnivmodl accepts a name
    declared GLOBAL twice (ModelDB 267140's cal4.mod: ``GLOBAL vrat, TBufs, KDs, TBufs, ...``), the
    framework's symbol table refuses it ("Re-declaration of ..."): the repeat adds nothing."""
    seen: set[str] = set()
    for block in program.blocks:
        if not block.is_neuron_block():
            continue
        kept = []
        for st in block.statement_block.statements:
            if st.is_global():
                names = []
                for var in st.variables:
                    if var.get_node_name() not in seen:
                        seen.add(var.get_node_name())
                        names.append(var)
                if not names:
                    continue  # every name of it declared before
                if len(names) < len(st.variables):
                    st.variables = names
            kept.append(st)
        if len(kept) < len(block.statement_block.statements):
            block.statement_block.statements = kept


def _one_block_each(program) -> None:
    """Join a second BREAKPOINT or INITIAL block onto the first, in the file's order: nocmodl runs
    them one after the other (checked with nrnivmodl 9.0.2; ModelDB 168874's NMDA.mod has one from
    an INCLUDEd file and one of its own), the framework's symbol table refuses two ("re-insert")."""
    first: dict[str, object] = {}
    kept = []
    for block in program.blocks:
        kind = "BREAKPOINT" if block.is_breakpoint_block() else "INITIAL" if block.is_initial_block() else None
        if kind in first:
            head = first[kind].statement_block
            head.statements = list(head.statements) + list(block.statement_block.statements)
            continue
        if kind:
            first[kind] = block
        kept.append(block)
    if len(kept) < len(program.blocks):
        program.blocks = kept


def kinetic_is_linear(block_text: str) -> bool:
    """Whether a KINETIC scheme is linear in its states, as NEURON's translator decides it (its
    sparse solver then takes one Newton step per time step, and its steady state one step of
    dt = 1e9 ms): every reaction has at most one state, with coefficient 1, on each side."""
    for line in block_text.splitlines():
        line = line.strip()
        if not line.startswith("~"):
            continue
        sides = re.split(r"<->|<<|->", line[1:].split("(")[0])
        for side in sides:
            side = side.strip()
            if "+" in side or re.match(r"^\d", side):
                return False
    return True


def _syntax_message(message: str) -> str:
    """NMODL's parser error as one line with the line number first: 'line 12: syntax error ...'."""
    first = message.strip().splitlines()[0] if message.strip() else "syntax error"
    first = first.replace("NMODL Parser Error : ", "")
    if "[Location : " in first:
        head, _, loc = first.partition("[Location : ")
        line = loc.split(".")[0].split(":")[0].strip("] ")
        return f"line {line}: {head.strip()}"
    return first
