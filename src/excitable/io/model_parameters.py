"""The parameter files of public model databases: which mechanism, with which density, in which part
of the cell, so that a downloaded model (a morphology, a folder of .mod files and this file) runs
with one command (``excitable run model``).

Two spellings of the same content are read:

- the Allen Cell Types database's perisomatic models (``fit.json``): a JSON object with
  ``"genome"``, a list of ``{"section", "name", "value", "mechanism"}`` where ``name`` is NEURON's
  range variable ``PARAM_SUFFIX`` (``"gbar_NaV"``, ``"g_pas"``; values may be strings),
  ``"passive"`` (``[{"ra", "cm": [{"section", "cm"}], "e_pas"}]``) and ``"conditions"``
  (``[{"celsius", "v_init", "erev": [{"section", "ena", "ek", ...}]}]``), and ``"axon_morph"``,
  Allen's stub axon (``excitable.io.allen_axon``: matched, never run). The values are set in the
  order of the Allen SDK's and bmtk's loaders: passive, then genome, then the reversal potentials.
  An all-active fit (the genome sets cm and Ra per section) gets the axon and the pas the Allen SDK's
  all-active loader gives it, and an Allen model Allen's nseg (``excitable.io.allen_allactive``);
- a JSON list of such entries, also in BluePyOpt's spelling (``"sectionlist"``: somatic, axonal,
  basal, apical, all; ``"param_name"``, ``"mech"``; ``"type": "global"`` for ``celsius`` and
  ``v_init``). A suffix with an underscore (``gbar_NaTa_t``) needs its ``mechanism`` (or ``mech``).

Section types: soma, axon, dend (basal), apic (apical), all, as NEURON's SWC import names them;
excitable's regions are soma, axon, basal, apical. Values are in NEURON's units (densities S/cm²,
potentials mV, cm µF/cm², Ra Ω·cm, celsius °C). The file is only read as JSON (nothing in it is
executed), its size is bounded (``MAX_BYTES``, ``MAX_ENTRIES``), and every mistake is one line
naming the file, the entry and the field.

``apply(params, cell, mechanisms)`` inserts each mechanism where the file names it (a class from
``excitable.load_mod``, or NEURON's built-in ``hh`` and ``pas``, mapped onto excitable's HH and
Leak with their units converted) and sets its values there.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from excitable.errors import ModelError
from excitable.io import allen_allactive, allen_axon

#: A parameter file of a published model is a few kB; 10 MB is far beyond any, and bounds the work.
MAX_BYTES = 10 * 2**20
MAX_ENTRIES = 100_000
#: Section types as NEURON's SWC import and the databases name them -> excitable's region ("all": every one).
SECTIONS = {"soma": "soma", "axon": "axon", "dend": "basal", "apic": "apical", "all": "all",
            "somatic": "soma", "axonal": "axon", "basal": "basal", "apical": "apical"}
#: The parts of an Allen fit file that are read ("fitting" and "manifest" describe the fit and are
#: not used; "axon_morph" is the stub axon of ``excitable.io.allen_axon``).
PARTS = ("genome", "passive", "conditions", "axon_morph", "fitting", "manifest")
#: NEURON's ion reversal potentials a file may set per section.
REVERSALS = ("ena", "ek", "eca", "ecl", "eh")
#: NEURON's built-in mechanisms without a .mod file in a model's folder -> (excitable class name,
#: {NEURON parameter: (excitable field, factor)}): S/cm² x 1000 = mS/cm², mV unchanged.
BUILTINS = {
    "pas": ("Leak", {"g": ("g", 1000.0), "e": ("e", 1.0)}),
    "hh": ("HH", {"gnabar": ("gNa", 1000.0), "gkbar": ("gK", 1000.0), "gl": ("gL", 1000.0), "el": ("eL", 1.0)}),
}
#: Ion reversal potentials of the built-in HH (NEURON reads them from the ions).
BUILTIN_IONS = {"HH": {"ena": "eNa", "ek": "eK"}}


@dataclass(frozen=True)
class Entry:
    """One value: ``mechanism`` ("" for cm, Ra and reversal potentials), its ``parameter`` (NEURON's
    name without the suffix), the ``section`` type, the value (NEURON's units) and ``where`` it came
    from in the file (for messages: ``genome[3]``)."""

    section: str
    mechanism: str
    parameter: str
    value: float
    where: str
    #: NEURON's name as the file gives it, where the file names no mechanism: the split at the last
    #: "_" is a guess that ``apply`` corrects with the mechanisms it knows ("gbar_Ca_HVA").
    guessed: str = ""


@dataclass(frozen=True)
class ModelParameters:
    """A model's parameters: mechanism values, passive values (cm, Ra, e_pas), reversal potentials,
    and the run's conditions (``celsius`` °C, ``v_init`` mV; None where the file gives none)."""

    source: str
    entries: tuple[Entry, ...] = ()
    celsius: float | None = None
    v_init: float | None = None
    mechanisms: tuple[str, ...] = field(default=())
    #: Allen's stub axon (the file's "axon_morph"), put in place of the reconstruction's axon by ``apply``.
    axon_stub: allen_axon.Stub | None = None
    #: "perisomatic" or "all-active" for an Allen model (``allen_allactive.kind``: its axon and its nseg
    #: rule, applied by ``apply``), "" for any other file.
    allen: str = ""

    def __post_init__(self):
        # The genome's order (insertion order, which sets excitable's order of currents); a mechanism
        # named only by the "passive" part (pas, through e_pas), which is set first, comes last.
        named = sorted(self.entries, key=lambda e: e.where.startswith("passive"))
        names = dict.fromkeys(e.mechanism for e in named if e.mechanism)
        object.__setattr__(self, "mechanisms", tuple(names))


def read(path) -> ModelParameters:
    """A parameter file (JSON) of a published model, checked entry by entry (one-line ModelErrors)."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"parameters: no such file {str(p)!r}")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ModelError(f"parameters: {p} is {size} bytes, more than {MAX_BYTES} (a model's parameter "
                         f"file is a few kB)")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ModelError(f"parameters: {p} is not a text (JSON) file") from None
    except json.JSONDecodeError as e:
        raise ModelError(f"parameters: {p}:{e.lineno}: not valid JSON ({e.msg})") from None
    return parse(data, str(p))


def parse(data, source: str = "parameters") -> ModelParameters:
    """``read`` for JSON already loaded: an Allen ``fit.json`` object or a list of entries."""
    if isinstance(data, list):
        return _from_list(data, source, "")
    if not isinstance(data, dict):
        raise ModelError(f"{source}: expected a JSON object (with 'genome') or a list of entries, "
                         f"got {type(data).__name__}")
    unknown = sorted(set(data) - set(PARTS))
    if unknown:
        raise ModelError(f"{source}: unknown part {unknown[0]!r}; known: {', '.join(PARTS)}")
    genome = data.get("genome", [])
    if not isinstance(genome, list):
        raise ModelError(f"{source}: genome must be a list of entries, got {type(genome).__name__}")
    base = _from_list(genome, source, "genome")
    celsius, v_init = base.celsius, base.v_init
    passive = _first(data, "passive", source)
    # The order the Allen SDK's and bmtk's loaders set values in (the last value set wins): the
    # "passive" part on every section first, then the genome's per-section values, then the reversal
    # potentials. An all-active fit gives Ra and cm in both parts; the genome's must win.
    first = _passive(passive, source) if passive else []
    last = []
    conditions = _first(data, "conditions", source)
    if conditions:
        celsius = _number(conditions, "celsius", source, "conditions[0]", celsius)
        v_init = _number(conditions, "v_init", source, "conditions[0]", v_init)
        last = _reversals(conditions.get("erev", []), source)
    allen = allen_allactive.kind(data, source)
    if allen == "all-active":  # the Allen SDK's loader inserts pas everywhere before passive's ra
        where = "all-active (pas on every section, NEURON's defaults, as the Allen SDK inserts it)"
        first[:0] = [Entry("all", "pas", k, v, where) for k, v in allen_allactive.PAS_DEFAULTS.items()]
    entries = tuple(first) + base.entries + tuple(last)
    _bounded(len(entries), source)
    stub = allen_axon.read(data["axon_morph"], source) if "axon_morph" in data else None
    return ModelParameters(source, entries, celsius, v_init, axon_stub=stub, allen=allen)


def _bounded(n: int, source: str) -> None:
    if n > MAX_ENTRIES:
        raise ModelError(f"{source}: {n} entries, more than {MAX_ENTRIES} (a published model has hundreds)")


def _first(data: dict, part: str, source: str) -> dict | None:
    """The first object of a part given as a list of one object (the Allen files' layout) or an object."""
    value = data.get(part)
    if value is None:
        return None
    if isinstance(value, list):
        if not value:
            return None
        value = value[0]
    if not isinstance(value, dict):
        raise ModelError(f"{source}: {part} must be an object or a list of one, got {type(value).__name__}")
    return value


def _number(d: dict, key: str, source: str, where: str, default=None):
    if key not in d:
        return default
    raw = d[key]
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ModelError(f"{source}: {where}: {key} must be a number, got {raw!r}")
    return value


def _section(raw, source: str, where: str) -> str:
    if raw not in SECTIONS:
        raise ModelError(f"{source}: {where}: unknown section type {raw!r}; known: {', '.join(SECTIONS)}")
    return raw


def _from_list(items: list, source: str, part: str) -> ModelParameters:
    _bounded(len(items), source)
    entries, celsius, v_init = [], None, None
    for i, item in enumerate(items):
        where = f"{part}[{i}]" if part else f"entry {i}"
        if not isinstance(item, dict):
            raise ModelError(f"{source}: {where}: expected an object, got {item!r:.60}")
        name = item.get("name", item.get("param_name"))
        if not isinstance(name, str) or not name:
            raise ModelError(f"{source}: {where}: no parameter name ('name' or 'param_name')")
        where = f"{where} ({name})"
        if item.get("type") == "global" or name in ("celsius", "v_init"):
            value = _number(item, "value", source, where)
            if name not in ("celsius", "v_init"):
                raise ModelError(f"{source}: {where}: unknown global parameter {name!r}; known: celsius, v_init")
            celsius, v_init = (value, v_init) if name == "celsius" else (celsius, value)
            continue
        if item.get("dist_type", "uniform") != "uniform":
            raise ModelError(f"{source}: {where}: dist_type {item['dist_type']!r} not supported (uniform only)")
        section = _section(item.get("section", item.get("sectionlist")), source, where)
        if "value" not in item:
            raise ModelError(f"{source}: {where}: no value")
        value = _number(item, "value", source, where)
        given = item.get("mechanism", item.get("mech", ""))
        mech, param = _split(name, given, source, where)
        entries.append(Entry(section, mech, param, value, where, "" if given or not mech else name))
    return ModelParameters(source, tuple(entries), celsius, v_init)


def _split(name: str, mechanism, source: str, where: str) -> tuple[str, str]:
    """(mechanism, parameter) of NEURON's range variable ``PARAM_SUFFIX``: "gbar_NaV" -> ("NaV",
    "gbar"); cm, Ra and ion reversal potentials belong to no mechanism."""
    if not isinstance(mechanism, str):
        raise ModelError(f"{source}: {where}: mechanism must be a name, got {mechanism!r}")
    if name in ("cm", "Ra", "ra") or name in REVERSALS:
        return "", "ra" if name in ("Ra", "ra") else name
    if mechanism:
        if not name.endswith("_" + mechanism):
            raise ModelError(f"{source}: {where}: name {name!r} does not end with _{mechanism} "
                             f"(NEURON's PARAMETER_SUFFIX)")
        return mechanism, name[: -len(mechanism) - 1]
    param, sep, mech = name.rpartition("_")
    if not sep or not param:
        raise ModelError(f"{source}: {where}: name {name!r} names no mechanism (PARAMETER_SUFFIX, or "
                         f"give 'mechanism')")
    return mech, param


def _passive(passive: dict, source: str) -> list[Entry]:
    out = []
    ra = _number(passive, "ra", source, "passive[0]")
    if ra is not None:
        out.append(Entry("all", "", "ra", ra, "passive[0] (ra)"))
    e_pas = _number(passive, "e_pas", source, "passive[0]")
    if e_pas is not None:
        out.append(Entry("all", "pas", "e", e_pas, "passive[0] (e_pas)"))
    for i, item in enumerate(passive.get("cm", [])):
        where = f"passive[0].cm[{i}]"
        if not isinstance(item, dict):
            raise ModelError(f"{source}: {where}: expected {{'section', 'cm'}}, got {item!r:.60}")
        out.append(Entry(_section(item.get("section"), source, where), "", "cm",
                         _number(item, "cm", source, where, math.nan), where))
    return out


def _reversals(erev, source: str) -> list[Entry]:
    if not isinstance(erev, list):
        raise ModelError(f"{source}: conditions[0].erev must be a list, got {type(erev).__name__}")
    out = []
    for i, item in enumerate(erev):
        where = f"conditions[0].erev[{i}]"
        if not isinstance(item, dict):
            raise ModelError(f"{source}: {where}: expected an object, got {item!r:.60}")
        section = _section(item.get("section", "all"), source, where)
        for key in item:
            if key == "section":
                continue
            if key not in REVERSALS:
                raise ModelError(f"{source}: {where}: unknown reversal potential {key!r}; known: "
                                 f"{', '.join(REVERSALS)}")
            out.append(Entry(section, "", key, _number(item, key, source, where), f"{where} ({key})"))
    return out


def apply(params: ModelParameters, cell, mechanisms=None, *, allen_nseg: bool | None = None):
    """Insert and set everything ``params`` names on ``cell`` (an ``excitable.Cell``; returned).

    ``mechanisms``: SUFFIX -> class (``excitable.load_mod(folder)``); NEURON's ``hh`` and ``pas`` are
    built in when the folder has no file for them. A mechanism is inserted in the section types its
    entries name (as NEURON's ``sec.insert`` for each entry); section types the cell lacks (a cell
    without an apical dendrite) are skipped, as NEURON's empty section lists are. ``e_pas`` of the
    "passive" part and the reversal potentials set values where mechanisms are, inserting nothing.
    Values are set in the file's order as the Allen loaders apply it (``parse``: passive, genome,
    reversal potentials; the last one set wins). An Allen model returns a new cell, so use the result:
    the given one with its axon replaced as the Allen loaders replace it (``"axon_morph"``'s stub,
    ``excitable.io.allen_axon``; an all-active fit's truncated axon, ``excitable.io.allen_allactive``)
    and, unless ``allen_nseg`` is False, Allen's nseg per section (True: for any file).
    """
    classes = dict(mechanisms or {})
    params = bind(params, classes)
    # the fit was made on Allen's axon and segments: the cell gets them before its mechanisms
    cell = allen_allactive.prepare(cell, params, allen_nseg)
    have = set(cell.compartments.region)
    inserted = {}
    for mech in params.mechanisms:
        entries = [e for e in params.entries if e.mechanism == mech]
        cls, rename = _resolve(mech, classes, params.source, entries[0].where)
        regions = _regions({e.section for e in entries if not e.where.startswith("passive")}, have)
        if regions:
            instance = cls()
            cell.insert(instance, where=regions)
            inserted[mech] = (cls, rename, instance.name)
    for e in params.entries:
        regions = _regions({e.section}, have)
        if not regions:
            continue
        try:
            _set(cell, e, regions, inserted)
        except ModelError as err:
            raise ModelError(f"{params.source}: {e.where}: {err}") from None
    return cell


def bind(params: ModelParameters, mechanisms=None) -> ModelParameters:
    """``params`` with each guessed split of ``PARAM_SUFFIX`` (no mechanism in the file) moved to the
    longest suffix among the mechanisms ``mechanisms`` (SUFFIX -> class) and the built-ins."""
    known = set(mechanisms or {}) | set(BUILTINS)
    out = []
    for e in params.entries:
        if e.guessed and e.mechanism not in known:
            fits = [k for k in known if e.guessed.endswith("_" + k) and len(e.guessed) > len(k) + 1]
            if fits:
                k = max(fits, key=len)
                e = dataclasses.replace(e, mechanism=k, parameter=e.guessed[: -len(k) - 1])
        out.append(e)
    return dataclasses.replace(params, entries=tuple(out))


def _regions(sections: set[str], have: set[str]) -> list[str]:
    """excitable's region names for NEURON section types, those the cell has ("all": every one)."""
    if "all" in sections:
        return sorted(have)
    return sorted(SECTIONS[s] for s in sections if SECTIONS[s] in have)


def _resolve(mech: str, classes: dict, source: str, where: str):
    """(class, rename) of a mechanism: loaded from .mod files (rename None: NEURON's own names and
    units), or NEURON's built-in hh / pas as excitable's HH / Leak (rename: parameter -> field, factor)."""
    if mech in classes:
        return classes[mech], None
    if mech in BUILTINS:
        from excitable.physics.channels import hh

        name, rename = BUILTINS[mech]
        return getattr(hh, name), rename
    known = ", ".join(sorted(set(classes) | set(BUILTINS)))
    raise ModelError(f"{source}: {where}: unknown mechanism {mech!r} (no .mod file defines it); known: {known}")


def _set(cell, e: Entry, regions: list[str], inserted: dict) -> None:
    """One entry's value on the nodes of ``regions`` (NEURON's units converted for built-ins)."""
    if e.parameter in ("cm", "ra") and not e.mechanism:
        cell.set(e.parameter, e.value, where=regions)
        return
    if not e.mechanism:  # a reversal potential: every mechanism that reads it
        for cls, rename, name in inserted.values():
            fname = BUILTIN_IONS.get(name, {}).get(e.parameter) if rename else e.parameter
            if fname and fname in cls.__dataclass_fields__:
                cell.set(f"{name}.{fname}", e.value, where=regions)
        return
    if e.mechanism not in inserted:
        return  # e_pas with no pas inserted anywhere on this cell
    cls, rename, name = inserted[e.mechanism]
    if rename is not None:
        if e.parameter not in rename:
            raise ModelError(f"NEURON's {e.mechanism} has no parameter {e.parameter!r} here; known: "
                             f"{', '.join(rename)}")
        fname, factor = rename[e.parameter]
        cell.set(f"{name}.{fname}", e.value * factor, where=regions)
        return
    if e.parameter not in cls.__dataclass_fields__:
        raise ModelError(f"mechanism {e.mechanism!r} has no parameter {e.parameter!r}; it has "
                         f"{', '.join(cls.__dataclass_fields__)}")
    cell.set(f"{name}.{e.parameter}", e.value, where=regions)
