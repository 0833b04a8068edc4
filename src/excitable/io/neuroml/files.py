"""Reading NeuroML 2 files safely: bounded size, no DTD or entities, includes bounded in number and
depth, no cycle; NeuroML 2's ``<neuroml>`` root only.

libNeuroML parses the XML into its object model; before it does, the bytes are read here (at most
``MAX_BYTES``), refused if they declare a DTD (an entity can expand a few bytes into gigabytes, or
read another file). ``<include href=...>`` is followed to any file the user can read (reading is
not executing: OpenSourceBrain's layout has ``cells/X/X.cell.nml`` include ``../../channels/...``),
never to a URL, at most ``MAX_FILES`` files and ``MAX_DEPTH`` levels; a caller serving files it did
not choose (an upload) passes ``within=`` to keep every include inside one folder. What libNeuroML
does not keep of a file is refused, not dropped (``kept``). Nothing in a file is ever executed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from excitable import limits
from excitable.errors import ModelError
from excitable.io.extras import require

#: The largest NeuroML file read, bytes (a detailed cell with its channels is a few MB).
MAX_BYTES = 64 * 2**20
#: The most files one read follows through includes.
MAX_FILES = 200
#: The deepest chain of includes followed (OSB models nest 2 or 3: cell -> channels -> types).
MAX_DEPTH = 16
#: NeuroML 2's namespace; a root in NeuroML 1's (MorphML/ChannelML/NetworkML) is named as such.
NS2 = "http://www.neuroml.org/schema/neuroml2"
_NS1 = "http://morphml.org/"


def libneuroml():
    """The ``neuroml`` package (libNeuroML), or one line naming the extra to install."""
    return require("neuroml", "neuroml", "NeuroML files")


def read_documents(path, *, within=None) -> list[tuple[Path, object]]:
    """The document at ``path`` and every document it includes (depth first, each once), as
    (path, libNeuroML ``NeuroMLDocument``). ``within``: a folder every include must stay in (for
    files the caller did not choose); None follows includes anywhere readable. An include cycle, a
    chain deeper than ``MAX_DEPTH`` or more than ``MAX_FILES`` files is refused in one line."""
    from excitable.io.neuroml.kept import check_kept

    libneuroml()
    root = Path(path)
    if not root.is_file():
        raise ModelError(f"NeuroML: no file {str(root)!r}")
    fence = None if within is None else Path(within).resolve()
    out: list = []
    seen: set = set()

    def visit(p: Path, chain: tuple, included_at: str | None = None) -> None:
        if p in seen:
            return  # included twice (two cells sharing a channel file): read once
        seen.add(p)
        if len(seen) > MAX_FILES:
            raise ModelError(f"NeuroML: {str(root)!r} includes more than {MAX_FILES} files")
        doc = parse(p, included_at)
        out.append((p, doc))
        for inc in getattr(doc, "includes", []) or []:
            at = f"{p.name}:{line_of(inc)}"
            target = _included(at, inc.href, p, fence)
            if target in chain or target == p:
                raise ModelError(f"NeuroML: {at}: include {inc.href!r} is a cycle "
                                 f"({' -> '.join(q.name for q in (*chain, p, target))})")
            if len(chain) + 1 >= MAX_DEPTH:
                raise ModelError(f"NeuroML: {at}: include {inc.href!r} nests deeper than {MAX_DEPTH} files")
            visit(target, (*chain, p), at)

    visit(root.resolve(), ())
    check_kept(out)
    return out


def line_of(element) -> str:
    return str(getattr(getattr(element, "gds_elementtree_node_", None), "sourceline", "?"))


@dataclass(frozen=True)
class Where:
    """Where a cell's elements are, for one-line errors: ``str()`` gives "file:line: cell 'id'"
    (the cell's line), ``at(element)`` the same with that element's line."""

    file: str
    cell: str
    line: str = "?"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: cell {self.cell!r}"

    def at(self, element) -> str:
        line = line_of(element)
        return f"{self.file}:{line if line != '?' else self.line}: cell {self.cell!r}"


def _included(at: str, href: str, p: Path, fence: Path | None) -> Path:
    if "://" in (href or "") or not href:
        raise ModelError(f"NeuroML: {at}: include {href!r}: only files are read, not URLs")
    target = (p.parent / href).resolve()
    if fence is not None and fence not in target.parents:
        raise ModelError(f"NeuroML: {at}: include {href!r} is outside the folder {fence.name!r} files are read from")
    if not target.is_file():
        raise ModelError(f"NeuroML: {at}: included file {href!r} does not exist")
    return target


def parse(p: Path, included_at: str | None = None):
    """One file as a libNeuroML document; one-line ModelErrors for what is not NeuroML 2.
    ``included_at``: "file:line" of the include that led here (None: the file read)."""
    from neuroml.nml.nml import parseString

    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ModelError(f"NeuroML: {p.name} is {size / 2**20:.3g} MB, over the {MAX_BYTES // 2**20} MB read")
    limits.check("memory", 50.0 * size, f"NeuroML file {p.name}")  # the object model: ~50 bytes per byte
    data = p.read_bytes()
    if (found := data.lower().find(b"<!doctype")) >= 0:
        line = data[:found].count(b"\n") + 1
        raise ModelError(f"NeuroML: {p.name}:{line}: a DTD or entity declaration is not read "
                         f"(NeuroML has none)")
    try:
        doc = parseString(data, silence=True, print_warnings=False)
    except Exception as e:  # noqa: BLE001 - lxml and generateDS raise many kinds for a broken file
        message = " ".join(str(e).split())[:200]
        at = f"{p.name}:{e.lineno}" if isinstance(getattr(e, "lineno", None), int) else p.name  # lxml's syntax errors
        raise ModelError(f"NeuroML: {at}: could not be parsed ({type(e).__name__}: {message})") from None
    _check_root(p, doc, included_at)
    _passive_channels(p, doc)
    return doc


def _passive_channels(p: Path, doc) -> None:
    """Read each top-level ``<ionChannelPassive>`` (NeuroML's core LEMS type, which jNeuroML runs and
    OSB's PINGnets PassiveCell.cell.nml writes as an element) as the ``<ionChannel
    type="ionChannelPassive">`` that NeuroML 2's schema has for it and libNeuroML drops it for; its
    attributes are then those of an ionChannel (``kept``), and it holds nothing but notes."""
    from lxml import etree
    from neuroml import IonChannel

    root = getattr(doc, "gds_elementtree_node_", None)
    for node in (root if root is not None else ()):
        if not isinstance(node.tag, str) or etree.QName(node).localname != "ionChannelPassive":
            continue
        for child in node:
            if isinstance(child.tag, str) and etree.QName(child).localname not in ("notes", "annotation"):
                raise ModelError(f"NeuroML: {p.name}:{child.sourceline}: ionChannelPassive {node.get('id')!r}: "
                                 f"element <{etree.QName(child).localname}> is not read (a passive channel has "
                                 f"no gates)")
        if node.get("type") not in (None, "ionChannelPassive"):
            raise ModelError(f"NeuroML: {p.name}:{node.sourceline}: ionChannelPassive {node.get('id')!r}: type "
                             f"{node.get('type')!r} is not its own")
        channel = IonChannel(id=node.get("id"), type="ionChannelPassive", conductance=node.get("conductance"),
                             species=node.get("species"), neuro_lex_id=node.get("neuroLexId"),
                             metaid=node.get("metaid"))
        channel.gds_elementtree_node_ = node  # its line in messages; ``kept`` checks its attributes
        doc.ion_channel.append(channel)


def _check_root(p: Path, doc, included_at: str | None = None) -> None:
    """Refuse, naming the root's XML tag and namespace, a document that is not NeuroML 2's
    ``<neuroml>`` (libNeuroML reads a NeuroML 1 file as an empty document, a LEMS file as some
    other class)."""
    from lxml import etree
    from neuroml import NeuroMLDocument

    node = getattr(doc, "gds_elementtree_node_", None)
    if node is None or not isinstance(node.tag, str):
        if isinstance(doc, NeuroMLDocument):
            return
        raise ModelError(f"NeuroML: {p.name} is not a NeuroML 2 document (its root is not <neuroml>)")
    name = etree.QName(node)
    at = f"{p.name}:{node.sourceline}"
    if name.localname == "neuroml" and name.namespace in (NS2, None) and isinstance(doc, NeuroMLDocument):
        return
    if (name.namespace or "").startswith(_NS1):
        raise ModelError(f"NeuroML: {at}: NeuroML version 1 (namespace {name.namespace}) is not read; convert it "
                         f"to NeuroML 2 (e.g. with pyNeuroML/jNeuroML)")
    if name.localname == "Lems" and included_at is not None:
        held = _lems_components(p, node)
        raise ModelError(f"NeuroML: {included_at}: include {p.name!r} is a LEMS file (its root is <Lems>), not a "
                         f"NeuroML 2 document; the LEMS components it holds ({held}) are not imported (only <cell>, "
                         f"morphology + biophysics, and ion channels are)")
    if name.localname == "Lems":
        files = [n.get("file") for n in node if isinstance(n.tag, str) and etree.QName(n).localname == "Include"
                 and (n.get("file") or "").endswith(".nml")]
        advice = (f"read the NeuroML files it includes ({', '.join(files)})" if files
                  else "read the model's NeuroML 2 (.nml) files instead")
        raise ModelError(f"NeuroML: {at}: a LEMS file (its root is <Lems>), not a NeuroML 2 document (<neuroml>); "
                         f"{advice}")
    ns = f" (namespace {name.namespace})" if name.namespace else ""
    raise ModelError(f"NeuroML: {at}: {p.name} is not a NeuroML 2 document (its root is <{name.localname}>{ns}, "
                     f"not <neuroml>)")


#: A LEMS file's own elements (definitions, not components).
_LEMS_DEFINITIONS = {"ComponentType", "Include", "Dimension", "Unit", "Constant", "Target", "Simulation"}


def _lems_components(p: Path, node, shown: int = 3) -> str:
    """The components a LEMS file's root ``node`` holds, for a message: "myCell 'PV' (cell.xml:7)"."""
    found = [f"{child.get('type') if child.tag == 'Component' else child.tag} {child.get('id')!r} "
             f"({p.name}:{child.sourceline})" for child in node
             if isinstance(child.tag, str) and child.tag not in _LEMS_DEFINITIONS and child.get("id") is not None]
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return ", ".join(found[:shown]) + more if found else "no component"

