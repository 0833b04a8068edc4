"""Export of what a NeuroML file defined in LEMS: the ComponentTypes that imported gates, kinetic
schemes and calcium pools use (``lems``, ``lems_pools``), and the instances of the concentration
models defined that way.

The ComponentTypes go into the document itself, as they were read (libNeuroML keeps them in its
object model, and NeuroML's schema takes them: the validator checks their structure). An instance
of a concentrationModel ComponentType, ``<concentrationModel id="caHay" type="hayCa" ion="ca"
gamma="0.05" .../>``, has no place in NeuroML 2.3.1's schema (NeuroML2 issue 153) nor in libNeuroML's
object model, so it is written into a sibling file, a NeuroML document of its own that the cell's
document includes (``<include href="cell.lems.nml"/>``): what jNeuroML and our import read, and what
libNeuroML's validator follows. Each parameter is written in its dimension's SI unit with ``repr``,
the unit the pool keeps it in (``lems_pools.SI_UNIT``), so reading it back gives the same float.
"""

from __future__ import annotations

from excitable.errors import ModelError
from excitable.io.neuroml.lems_pools import DIMENSIONS, LEMS_KIND

NS = "http://www.neuroml.org/schema/neuroml2"
#: The suffix of the sibling file holding the concentration models' instances: cell.nml -> cell.lems.nml.
SUFFIX = ".lems.nml"


def sibling_name(path) -> str:
    """The name of the sibling file of the document written at ``path`` (a ``pathlib.Path``)."""
    return f"{path.stem}{SUFFIX}"


def lems_pools(pools) -> list[str]:
    """The names of the pools (``(name, mechanism)``) that are concentration models defined in LEMS."""
    return [n for n, m in pools if getattr(type(m), "neuroml_pool", None) == LEMS_KIND]


def si_quantity(value: float, dimension: str) -> str:
    """``value`` (SI) as a NeuroML quantity in its dimension's SI unit, e.g. '0.08 s', '1e-07 m'."""
    unit = next(u for u, f in DIMENSIONS[dimension].items() if f == 1.0)
    return f"{float(value)!r} {unit}" if unit else repr(float(value))


def instance(model_id: str, cls, values: dict):
    """The ``<concentrationModel>`` instance (an lxml element) of the pool class ``cls`` (imported by
    ``lems_pools``) with its parameters ``values`` (name -> SI value)."""
    from lxml import etree

    ct = cls.neuroml_lems_element
    attrs = {"id": model_id, "type": ct.name, "ion": "ca"}
    for p in ct.Parameter or []:
        attrs[p.name] = si_quantity(values[p.name], p.dimension or "none")
    return etree.Element(f"{{{NS}}}concentrationModel", attrs)


def parameters(cls) -> tuple[str, ...]:
    """The Parameter names of a LEMS pool class (its fields holding them, in SI)."""
    return tuple(p.name for p in cls.neuroml_lems_element.Parameter or [])


def sibling_text(doc_id: str, elements: list) -> bytes:
    """The sibling file: a NeuroML document holding the instances ``elements``."""
    from lxml import etree

    root = etree.Element(f"{{{NS}}}neuroml", {"id": doc_id}, nsmap={None: NS})
    root.append(etree.Comment(" Concentration models defined in LEMS (ComponentTypes of the including document): "
                              "instances NeuroML 2.3.1's schema has no element for (NeuroML2 issue 153). "))
    root.extend(elements)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _forms(mech):
    """Every form of an imported mechanism's gates and kinetic-scheme transitions."""
    cls = type(mech)
    for g in getattr(cls, "neuroml_gates", None) or ():
        yield from (g.forward, g.reverse, g.steady, g.time)
    for g in getattr(cls, "neuroml_kinetic", None) or ():
        for t in g.transitions:
            yield from t[2:]


def component_types(doc, cell) -> None:
    """The LEMS ComponentTypes that the cell's imported gates, kinetic schemes and pools use, each
    once, as they were read. Two different definitions under one name (from two files) cannot both
    be written: one line."""
    from lxml import etree

    seen = {ct.name: ct for ct in doc.ComponentType}
    for name, mech in cell.mechanisms.items():
        elements = [getattr(f, "element", None) for f in _forms(mech)]
        elements.append(getattr(type(mech), "neuroml_lems_element", None))
        for element in elements:
            if element is None:
                continue
            if element.name not in seen:
                seen[element.name] = element
                doc.ComponentType.append(element)
            elif seen[element.name] is not element and _text(seen[element.name], etree) != _text(element, etree):
                raise ModelError(f"NeuroML export: {name} uses ComponentType {element.name!r}, and another "
                                 f"mechanism of the cell a different ComponentType of that name; not written")


def _text(element, etree) -> bytes:
    """A ComponentType's XML as libNeuroML writes it (to compare two definitions)."""
    import io

    out = io.StringIO()
    element.export(out, 0, name_="ComponentType", pretty_print=False)
    return etree.tostring(etree.fromstring(out.getvalue().encode(), etree.XMLParser(resolve_entities=False,
                                                                                    no_network=True)),
                          method="c14n")
