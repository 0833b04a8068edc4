"""Reading NeuroML 2 files safely: bounded size, no DTD or entities, includes only beside the file.

libNeuroML parses the XML into its object model; before it does, the bytes are read here (at most
``MAX_BYTES``), refused if they declare a DTD (an entity can expand a few bytes into gigabytes, or
read another file), and ``<include href=...>`` is followed only to files in the same folder tree,
never to a URL, at most ``MAX_FILES`` files in all. Nothing in a file is ever executed.
"""

from __future__ import annotations

from pathlib import Path

from excitable import limits
from excitable.errors import ModelError
from excitable.io.extras import require

#: The largest NeuroML file read, bytes (a detailed cell with its channels is a few MB).
MAX_BYTES = 64 * 2**20
#: The most files one read follows through includes.
MAX_FILES = 200


def libneuroml():
    """The ``neuroml`` package (libNeuroML), or one line naming the extra to install."""
    return require("neuroml", "neuroml", "NeuroML files")


def read_documents(path) -> list[tuple[Path, object]]:
    """The document at ``path`` and every document it includes (depth first, each once), as
    (path, libNeuroML ``NeuroMLDocument``)."""
    libneuroml()
    root = Path(path)
    if not root.is_file():
        raise ModelError(f"NeuroML: no file {str(root)!r}")
    folder = root.resolve().parent
    out, seen, todo = [], set(), [root.resolve()]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        if len(seen) > MAX_FILES:
            raise ModelError(f"NeuroML: {str(root)!r} includes more than {MAX_FILES} files")
        doc = parse(p)
        out.append((p, doc))
        for inc in reversed(getattr(doc, "includes", []) or []):
            todo.append(_included(p, inc.href, folder))
    return out


def _included(p: Path, href: str, folder: Path) -> Path:
    if "://" in (href or "") or not href:
        raise ModelError(f"NeuroML: {p.name}: include {href!r}: only files beside it are read, not URLs")
    target = (p.parent / href).resolve()
    if folder not in target.parents and target.parent != folder:
        raise ModelError(f"NeuroML: {p.name}: include {href!r} is outside the folder of the file read")
    if not target.is_file():
        raise ModelError(f"NeuroML: {p.name}: included file {href!r} does not exist")
    return target


def parse(p: Path):
    """One file as a libNeuroML document; one-line ModelErrors for what is not NeuroML 2."""
    from neuroml import NeuroMLDocument
    from neuroml.nml.nml import parseString

    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ModelError(f"NeuroML: {p.name} is {size / 2**20:.3g} MB, over the {MAX_BYTES // 2**20} MB read")
    limits.check("memory", 50.0 * size, f"NeuroML file {p.name}")  # the object model: ~50 bytes per byte
    data = p.read_bytes()
    if b"<!doctype" in data.lower():
        raise ModelError(f"NeuroML: {p.name}: a DTD or entity declaration is not read (NeuroML has none)")
    try:
        doc = parseString(data, silence=True, print_warnings=False)
    except Exception as e:  # noqa: BLE001 - lxml and generateDS raise many kinds for a broken file
        message = " ".join(str(e).split())[:200]
        raise ModelError(f"NeuroML: {p.name} could not be parsed ({type(e).__name__}: {message})") from None
    if not isinstance(doc, NeuroMLDocument):
        raise ModelError(f"NeuroML: {p.name} is not a NeuroML 2 document (its root is <{type(doc).__name__}>, "
                         f"not <neuroml>)")
    return doc
