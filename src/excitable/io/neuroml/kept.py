"""Nothing a NeuroML file says is dropped silently: what libNeuroML's parser does not keep is refused.

libNeuroML (generateDS) skips an element its schema does not know, with no word: a Solinas Golgi
cell's ``<cell type="cellTwoCaPools">`` with ``<biophysicalProperties_twoCa>`` (OSB
SolinasEtAl-GolgiCell, TestSoma.cell.nml) comes out as a bare membrane. Each element libNeuroML
keeps carries its XML node (``gds_elementtree_node_``); the raw tree (already parsed by lxml, never
executed) is compared with those nodes: in a ``<cell>``, every element but ``notes``/``annotation``
(text and metadata, which change no number) must have been kept; at a document's top, an element
libNeuroML drops must be an instance of a ComponentType of the files read (LEMS: ``lems_pools`` reads
the concentration models among them; ``lems_instances`` names the others, which ``read`` lists as not
imported). libNeuroML drops an attribute its class does not declare just as silently (a channelDensity's
``segmentgroup=`` typo: the density lands on the whole cell), so every element it keeps may carry only
the attributes its class reads (asked of the class itself, ``_read_attributes``), its ``type`` where we
read that (a gate's kind, ``gate_types``), and any where that type is a ComponentType of the files read
(Parameters set by attribute, which ``lems`` and ``lems_pools`` check).
Inside ``ComponentType`` and channels the LEMS and channel readers refuse what they do not read.
"""

from __future__ import annotations

import difflib
import functools
import io
import re
from pathlib import Path

from excitable.errors import ModelError

_FREE = {"notes", "annotation"}  # text and metadata, read by no model
#: Attributes libNeuroML drops that an older NeuroML wrote: (element, attribute) -> what to write instead.
_OLD_NAMES = {("fixedFactorConcentrationModel", "phi"): lambda node: (
    ("" if node.get("rho") is None else "beside rho: ") + "phi is NeuroML v2beta's name (PyloricNetwork's CaPool_STG.nml "
    "wrote it), NeuroML 2 reads rho" + (", which is missing: give rho in mol_per_m_per_A_per_s" if node.get("rho") is None
                                        else "; remove phi"))}


def check_kept(docs: list[tuple[Path, object]]) -> None:
    """Refuse, in one line naming file:line and the element, what libNeuroML dropped from ``docs``
    ((path, document) as ``files.read_documents`` reads them)."""
    types = {ct.name for _, doc in docs for ct in getattr(doc, "ComponentType", None) or []}
    for p, doc in docs:
        root = getattr(doc, "gds_elementtree_node_", None)
        if root is None:
            continue
        kept: dict = {}
        _kept_nodes(doc, kept, set())
        for node in root:
            if not isinstance(node.tag, str):
                continue  # a comment or processing instruction
            tag = _local(node)
            if node in kept:
                if tag == "cell":
                    _check_cell(p, node, kept)
            elif tag not in _FREE and tag not in types and node.get("type") not in types:
                raise ModelError(f"NeuroML: {p.name}:{node.sourceline}: element <{tag}> is not read (neither NeuroML "
                                 f"2 nor an instance of a ComponentType of the files read); it is not supported")
        unread = {n for node, obj in kept.items() if _abstract(obj) for n in node.iter()}  # listed, never run
        for node, obj in sorted(kept.items(), key=lambda item: item[0].sourceline or 0):
            if node not in unread:
                _check_attributes(p, node, obj, types)


def _kept_nodes(obj, out: dict, seen: set) -> None:
    """The XML nodes of ``obj`` and of every libNeuroML object under it: node -> its object."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    node = getattr(obj, "gds_elementtree_node_", None)
    if node is not None:
        out[node] = obj
    for value in vars(obj).values():
        for x in value if isinstance(value, list) else (value,):
            if hasattr(x, "gds_elementtree_node_"):
                _kept_nodes(x, out, seen)


def _local(node) -> str:
    return node.tag.rsplit("}", 1)[-1]


def _check_cell(p: Path, cell, kept: dict) -> None:
    cid = cell.get("id")
    kind = cell.get("type")
    hint = f" (cell type {kind!r}: a ComponentType, run by LEMS only)" if kind else ""

    def walk(node) -> None:
        for child in node:
            if not isinstance(child.tag, str) or _local(child) in _FREE:
                continue
            if child not in kept:
                raise ModelError(f"NeuroML: {p.name}:{child.sourceline}: cell {cid!r}: element <{_local(child)}> in "
                                 f"<{_local(node)}> is not supported (libNeuroML, which reads the file, does not know it){hint}")
            walk(child)

    walk(cell)
    _check_attributes(p, cell, kept[cell], set(), hint)


def _abstract(obj) -> bool:
    """An abstract cell (izhikevichCell, iafCell ...): not imported, only named (``cells.abstract_cells``)."""
    from neuroml.nml import nml

    return isinstance(obj, nml.BaseCell) and not isinstance(obj, nml.Cell)


@functools.lru_cache(maxsize=None)
def _declared(cls) -> frozenset[str]:
    """The XML attributes libNeuroML's class ``cls`` reads and writes, as the class itself names them:
    a fresh instance with every attribute member set (7: no member's default) is exported by its own
    ``_exportAttributes``, which writes each under its XML name (``ion_channel`` as ionChannel)."""
    obj = cls()
    for k in cls.__mro__:
        for m in vars(k).get("member_data_items_", None) or []:
            if "use" in (m.child_attrs or {}):  # generateDS marks an attribute (not a child) by its "use"
                setattr(obj, m.get_name(), 7)
    out = io.StringIO()
    obj._exportAttributes(out, 0, set(), "", cls.__name__)
    return frozenset(re.findall(r' ([A-Za-z_][\w.-]*)=', out.getvalue()))


def _check_attributes(p: Path, node, obj, types: set, hint: str = "") -> None:
    """Refuse an attribute of ``node`` that libNeuroML's object ``obj`` (read from it) drops."""
    if node.get("type") in types:
        return  # a ComponentType's instance: its Parameters by attribute, read and checked by ``lems``
    if any(_local(up) == "ComponentType" for up in node.iterancestors() if isinstance(up.tag, str)):
        return  # a LEMS definition's content: ``lems_kept`` refuses what libNeuroML drops there, by name
    known = set(_declared(type(obj)))
    if type(obj).__name__.startswith("Gate"):
        known.add("type")  # a gate's kind, as LEMS reads it (``gate_types``)
    extra = [k for k in node.attrib if isinstance(k, str) and "}" not in k and k not in known]  # not xsi:...
    if not extra:
        return
    tag, name = _local(node), extra[0]
    ident = f"{tag} {node.get('id')!r}" if node.get("id") is not None else f"<{tag}>"
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.7)
    old = _OLD_NAMES.get((tag, name))
    why = old(node) if old else ((f"did you mean {close[0]}? " if close else "") +
                                          f"<{tag}> has {', '.join(sorted(known))}")
    raise ModelError(f"NeuroML: {p.name}:{node.sourceline}: {ident}: attribute {name}={node.get(name)!r} is "
                     f"not NeuroML 2's and libNeuroML, which reads the file, drops it: {why}{hint}")


def lems_instances(docs: list[tuple[Path, object]], read_elsewhere: set) -> list[tuple[str, str]]:
    """("T 'id' (a LEMS ComponentType)" or "Component 'id' (LEMS ComponentType 'T')", "file:line")
    of every element at a document's top that is an instance of a ComponentType T of the files read
    (``<T id=...>`` or ``<Component type="T">``: OSB's PinskyRinzel cell is one) other than those in
    ``read_elsewhere`` (the types
    whose top-level instances something reads or that do nothing there: concentration models, a
    gate's forms and types). Nothing imports them: ``read`` names them, never drops them silently."""
    types = {ct.name for _, doc in docs for ct in getattr(doc, "ComponentType", None) or []}
    found = []
    for p, doc in docs:
        root = getattr(doc, "gds_elementtree_node_", None)
        kept: dict = {}
        _kept_nodes(doc, kept, set())  # an element libNeuroML keeps (<ionChannel type=T>) is read as such
        for node in (root if root is not None else ()):
            if not isinstance(node.tag, str) or node in kept:
                continue
            tag = _local(node)
            kind = tag if tag in types else node.get("type") if node.get("type") in types else None
            if kind is None or kind in read_elsewhere or tag in _FREE:
                continue
            ident = repr(node.get("id")) if node.get("id") is not None else "(no id)"
            of = "a LEMS ComponentType" if kind == tag else f"LEMS ComponentType {kind!r}"
            found.append((f"{tag} {ident} ({of})", f"{p.name}:{node.sourceline}"))
    return found
