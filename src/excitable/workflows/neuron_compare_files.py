"""Which of ``excitable mod compare``'s files are compared (``neuron_compare.compare_mods``).

A folder downloaded from ModelDB often holds one to three files of ten that use something excitable
does not run (VERBATIM C), a POINTER (the V of another place, which the protocol's one compartment
cannot name) or random numbers (NEURON's stream is not ours: only distributions can agree). Each file is loaded on its own, so such a file becomes a note, its
reason in the words ``excitable mod check`` prints (``file:line: ... not supported``), and is
inserted on neither side (left out of NEURON's build too): the folder's other files are
compared without it. Where one of them reads an ion variable the left-out file writes (a K(Ca)
channel's ``cai`` from a refused pool), the note says so, read from the files' declarations.
A file NEURON's own nrnivmodl refuses where excitable runs it (NEURON 9's nocmodl: "r used as both
variable and function in file Golgi_hcn1.mod", ModelDB 112685; 116835's GRC_NA.mod) is left out
the same way by ``compiled``: the note is nocmodl's one line, and NEURON's library is built again
without it. Nothing comparable at all: one line (``ModelError``), as a single file's refusal always was.
The files are one library, as NEURON's: an ion one of them declares with VALENCE has that valence
in the others (io/nmodl/valences.py); a file taking it from a file left out is left out too.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from excitable.errors import ModelError


@dataclasses.dataclass
class Selected:
    """The files ``select`` keeps: ``files`` (NEURON compiles them), ``loaded`` (SUFFIX -> class,
    compared), ``every`` (SUFFIX -> class of every file excitable loads, POINTER files too: what a
    ``--set`` may name), ``refused`` (SUFFIX of each file excitable refuses: a ``--set`` of it is
    the user's, not checked), ``notes`` (one per file left out, "SUFFIX: not compared: why") and
    ``reasons`` (the same, without what the note adds)."""

    files: list[Path]
    loaded: dict
    every: dict
    refused: set[str]
    notes: list[str]
    #: "SUFFIX: not compared: why" of each file left out, short: the one line where nothing is left
    reasons: list[str] = dataclasses.field(default_factory=list)


def pointer_notes(loaded: dict) -> dict[str, str]:
    """{suffix: why not compared} for each file with a POINTER: it reads the V of another place, which
    only the user's model names (h.setpointer, Network.pointer); one compartment has no partner."""
    found = {s: p for s, c in loaded.items() for p in (getattr(c, "pointers", None) or ())[:1]}
    return {s: f"has POINTER {p}, the V of another place, which this protocol's one compartment cannot "
               f"name: compare that model by script (Network.pointer beside NEURON's h.setpointer; "
               f"docs/nmodl.md, POINTER)" for s, p in found.items()}


def random_notes(loaded: dict) -> dict[str, str]:
    """{suffix: why not compared} for each file that draws random numbers (io/nmodl/random_draws.py):
    NEURON's stream is not excitable's, so no two traces can agree step by step."""
    return {s: f"draws random numbers ({_draws(c)}): NEURON's stream is not excitable's, so the traces "
               "cannot agree step by step; compare their distributions by script (docs/nmodl.md, random "
               "numbers)" for s, c in loaded.items() if getattr(c, "random", False)}


def _draws(cls) -> str:
    """"exprand()" ...: the random-number functions the class's file calls (load_mod's ``random``)."""
    return ", ".join(f"{n}()" for n in getattr(cls, "random", ())) or "normrand ..."


def refuse_pointers(loaded: dict) -> None:
    """One line (``pointer_notes``, ``random_notes``) where a file has a POINTER or draws random
    numbers: the whole cell (``--cell``) cannot be compared with it, nor a folder of such files only."""
    found = {**pointer_notes(loaded), **random_notes(loaded)}
    if found:
        suffix, why = next(iter(found.items()))
        raise ModelError(f"mod compare: {suffix} {why}")


def select(files: list[Path], tables: dict | None, queue: int | None = None) -> Selected:
    """Load each of ``files`` (``tables``: SUFFIX -> its FUNCTION_TABLE values, ``queue``: self-event
    slots, as ``load_mod``'s)
    and leave out, with a note, each file excitable refuses, each with a POINTER and each drawing
    random numbers. Raises the one
    file's own ModelError where a single file is given and left out, and "nothing could be compared"
    naming every reason where all of several are; a bad ``tables`` entry, a SUFFIX defined twice or
    a file that cannot be read stays an error of the whole call (the user's input, not the file's)."""
    every, refused = _load_each(files, tables or {}, queue)
    pointers = {**pointer_notes(every), **random_notes(every)}  # loaded, not compared
    why = dict(refused)  # resolved path -> (name, reason)
    why.update({Path(every[s].description.path).resolve(): (s, m) for s, m in pointers.items()})
    left = [(f, *why[Path(f).resolve()]) for f in files if Path(f).resolve() in why]  # in the files' order
    if len(left) == len(files):
        if len(files) == 1 and not pointers:
            raise ModelError(left[0][2])  # the refusal as load_mod gives it, the file and line first
        if len(files) == 1:
            refuse_pointers(every)
        raise ModelError("mod compare: nothing could be compared: "
                         + " | ".join(f"{s}: not compared: {m}" for _, s, m in left))
    loaded = {s: c for s, c in every.items() if s not in pointers}
    notes = [_note(f, s, m, every, loaded) for f, s, m in left]
    kept = [f for f in files if Path(f).resolve() not in why]
    return Selected(kept, loaded, every, {s for s, _ in refused.values()}, notes,
                    [f"{s}: not compared: {m}" for _, s, m in left])


def _note(path, name: str, why: str, every: dict, loaded: dict) -> str:
    """The note of a file left out: why, that neither side has it, and who reads what it writes."""
    return (f"{name}: not compared: {why}; inserted on neither side (left out of NEURON's build too), so the "
            f"other files are compared without it" + _readers(path, name, every, loaded))


def compiled(chosen: Selected, asked: dict | None = None) -> Selected:
    """``chosen`` less each file NEURON's nrnivmodl refuses and names ("... in file X.mod": nocmodl's
    words, or a compiler's "X.cpp:LINE:"), each a note ("NEURON does not compile it: ..."), NEURON's
    library built again without it (``nrnivmodl.compile_mods``, the files ``neuron_side.Neuron``
    compiles: not those NEURON has already, so its build finds this one in the cache). Raises the
    build's one line where it names no file of ``chosen`` (a missing compiler: the whole call's) or
    where the only file given is refused; "nothing could be compared", every reason, where none is
    left, or where the file is one ``asked`` (``--with``) names. NEURON is needed (``pip install
    'excitable[nmodl]'``)."""
    from excitable.io.extras import require

    require("neuron", "nmodl", "mod compare")
    import neuron

    from excitable.workflows.neuron_side import known_mechanisms
    from excitable.workflows.nrnivmodl import compile_mods

    known = known_mechanisms(neuron.h)
    suffix = {Path(c.description.path).resolve(): s for s, c in chosen.loaded.items()}
    files, loaded, notes, reasons = list(chosen.files), dict(chosen.loaded), list(chosen.notes), list(chosen.reasons)
    while todo := [f for f in files if suffix.get(Path(f).resolve()) not in known]:
        folder, why = compile_mods(todo, "mod-compare")
        if folder is not None:
            break
        bad = named(why, todo)
        if bad is None or (len(files) == 1 and not reasons):  # no file's, or the one file given's: its own line
            raise ModelError(f"mod compare: {why}")
        name, reason = suffix[Path(bad).resolve()], f"NEURON does not compile it: {why.removeprefix('nrnivmodl failed: ')}"
        if name in (asked or {}):  # --with X beside a point process: without it the cell is another
            raise ModelError(f"mod compare: --with {name}: {reason}")
        files.remove(bad)
        loaded.pop(name)
        reasons.append(f"{name}: not compared: {reason}")
        notes.append(_note(bad, name, reason, chosen.every, loaded))
        if not files:
            raise ModelError("mod compare: nothing could be compared: " + " | ".join(reasons))
    return Selected(files, loaded, chosen.every, chosen.refused, notes, reasons)


def named(why: str, files: list[Path]) -> Path | None:
    """The one of ``files`` an nrnivmodl failure names: nocmodl's "in file X.mod" (NEURON 9: "r used as
    both variable and function [at line 6] in file X.mod"), or the compiler's "X.cpp:12:3: error" (the C++
    nocmodl wrote from X.mod); None where it names none of them."""
    found = re.search(r"\bin file (\S+?\.mod)\b", why) or re.search(r"([^\s/:]+)\.(?:cpp|c):\d+", why)
    if not found:
        return None
    stem = Path(found.group(1)).stem
    return next((f for f in files if Path(f).stem == stem), None)


def _load_each(files: list[Path], tables: dict, queue: int | None = None) -> tuple[dict, dict]:
    """({SUFFIX: class} of the files excitable loads, {resolved path: (name, refusal)} of those it
    refuses), each file read by load_mod's own ``load_file`` (the same classes, cached). A refusal
    is a ModelError naming the file (or a file it INCLUDEs) first, as ``mod check`` prints it; the
    name is the file's SUFFIX, or its stem where the text declares none."""
    from excitable.io.nmodl.function_tables import suffix_of
    from excitable.io.nmodl.includes import sources
    from excitable.io.nmodl.loader import load_file
    from excitable.io.nmodl.parse import read_text
    from excitable.io.nmodl.valences import together

    loaded: dict = {}
    refused: dict = {}
    with together(files):  # one NEURON library: an ion's VALENCE one file declares holds for all
        for f in files:
            p, text = read_text(f)  # a file that cannot be read at all: the whole call's one line
            name = suffix_of(text) or Path(f).stem
            try:
                cls = load_file(f, tables.get(suffix_of(text)), queue)
            except ModelError as exc:
                if not str(exc).startswith(tuple(f"{s}:" for s in sources(p)) + (f"{p}:",)):
                    raise  # not the file's construct: a table's value, say (``tables: ...``)
                refused[Path(f).resolve()] = (name, str(exc))
                continue
            if cls.__name__ in loaded:
                raise ModelError(f"load_mod: SUFFIX {cls.__name__!r} is defined twice "
                                 f"({loaded[cls.__name__].source} and {f})")
            loaded[cls.__name__] = cls
    _borrowers_of_refused(loaded, refused)
    names = set(loaded) | {n for n, _ in refused.values()}
    unknown = sorted(set(tables) - names)
    if unknown:
        raise ModelError(f"load_mod: tables for {unknown[0]!r}, which is not loaded; loaded: {', '.join(sorted(loaded))}")
    return loaded, refused


def _borrowers_of_refused(loaded: dict, refused: dict) -> None:
    """Move to ``refused`` each loaded file that runs with an ion's valence from a file left out
    (valences.py: ``Ion.valence_from``): NEURON's library, built without that file, would refuse the
    ion ("USEION CHARGE (or VALENCE) must be defined in at least one model using this ion")."""
    for name, cls in list(loaded.items()):
        for ion in cls.description.ions:
            giver = Path(ion.valence_from.rpartition(":")[0]).resolve() if ion.valence_from else None
            if giver in refused:
                refused[Path(cls.description.path).resolve()] = (name, (
                    f"{cls.description.path}: USEION {ion.name} takes its VALENCE from {ion.valence_from}, which "
                    f"is left out ({refused[giver][0]}); NEURON needs one file declaring it"))
                del loaded[name]
                break


def _readers(path, name: str, every: dict, loaded: dict) -> str:
    """" (X reads cai, which this file writes: ...)" where a compared file reads an ion variable that
    the left-out file ``path`` writes (a concentration, a current, a reversal potential), read from
    the declarations (USEION ... READ/WRITE) only; "" where none does, or the text cannot be parsed
    (its refusal then says why)."""
    from excitable.io.nmodl.describe import describe
    from excitable.io.nmodl.parse import parse_text, read_text

    if name in every:
        desc = every[name].description
    else:
        try:
            desc = describe(parse_text(*read_text(path)))
        except ModelError:  # a syntax error: its note names the line; nothing more to say cheaply
            return ""
    writes = {w for ion in desc.ions for w in ion.write}
    found = [f"{s} reads {', '.join(sorted(r))}" for s, c in loaded.items()
             if (r := writes & {x for ion in c.description.ions for x in ion.read})]
    if not found:
        return ""
    return (f" ({'; '.join(found)}, which this file writes: compared with the ion as the other files "
            "alone leave it, not as in the folder's cell)")
