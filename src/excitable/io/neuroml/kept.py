"""Nothing a NeuroML file says is dropped silently: what libNeuroML's parser does not keep is refused.

libNeuroML (generateDS) skips an element its schema does not know, with no word: a Solinas Golgi
cell's ``<cell type="cellTwoCaPools">`` with ``<biophysicalProperties_twoCa>`` (OSB
SolinasEtAl-GolgiCell, TestSoma.cell.nml) comes out as a bare membrane. Each element libNeuroML
keeps carries its XML node (``gds_elementtree_node_``); the raw tree (already parsed by lxml, never
executed) is compared with those nodes: in a ``<cell>``, every element but ``notes``/``annotation``
(text and metadata, which change no number) must have been kept, and the cell carry only the
schema's attributes; at a document's top, an element libNeuroML drops must be an instance of a
ComponentType of the files read (LEMS: ``lems_pools`` reads the concentration models among them;
``lems_instances`` names the others, which ``read`` lists as not imported).
Inside ``ComponentType`` and channels the LEMS and channel readers refuse what they do not read.
"""

from __future__ import annotations

from pathlib import Path

from excitable.errors import ModelError

_FREE = {"notes", "annotation"}  # text and metadata, read by no model
#: The attributes NeuroML 2's schema gives ``<cell>``.
CELL_ATTRIBUTES = {"id", "metaid", "neuroLexId", "morphology", "biophysicalProperties"}


def check_kept(docs: list[tuple[Path, object]]) -> None:
    """Refuse, in one line naming file:line and the element, what libNeuroML dropped from ``docs``
    ((path, document) as ``files.read_documents`` reads them)."""
    types = {ct.name for _, doc in docs for ct in getattr(doc, "ComponentType", None) or []}
    for p, doc in docs:
        root = getattr(doc, "gds_elementtree_node_", None)
        if root is None:
            continue
        kept: set = set()
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


def _kept_nodes(obj, out: set, seen: set) -> None:
    """The XML nodes of ``obj`` and of every libNeuroML object under it."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    node = getattr(obj, "gds_elementtree_node_", None)
    if node is not None:
        out.add(node)
    for value in vars(obj).values():
        for x in value if isinstance(value, list) else (value,):
            if hasattr(x, "gds_elementtree_node_"):
                _kept_nodes(x, out, seen)


def _local(node) -> str:
    return node.tag.rsplit("}", 1)[-1]


def _check_cell(p: Path, cell, kept: set) -> None:
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
    extra = sorted(k for k in cell.attrib if isinstance(k, str) and "}" not in k and k not in CELL_ATTRIBUTES)
    if extra:
        raise ModelError(f"NeuroML: {p.name}:{cell.sourceline}: cell {cid!r}: attribute {extra[0]}="
                         f"{cell.get(extra[0])!r} is not one of NeuroML 2's <cell> and is not supported{hint}")


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
        kept: set = set()
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
