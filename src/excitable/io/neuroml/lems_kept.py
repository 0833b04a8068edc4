"""What a LEMS ``ComponentType`` says that its reader does not read is refused, never dropped.

libNeuroML keeps of a ComponentType only what NeuroML's schema gives it and skips the rest with no
word: a ``<Text>``, a ``<Child>``, an attribute it does not know (LEMS's older ``valueCondition``
on a DerivedVariable), or a ``<DerivedVariable>`` written inside an ``<OnCondition>`` (Bahl et al.
2012's cad.nml on OpenSourceBrain clips its Ca2+ drive so). The reader of a kind of ComponentType
(``lems_pools`` for concentration models, ``lems`` for a gate's rate, variable or time course:
``FORMS``, ``gate_types`` for a gate's own type: ``GATE_TYPES``) reads a subset; ``check`` walks the raw XML of the type
(lxml's tree that libNeuroML parsed, never executed) and refuses, at its file:line, every element
and attribute outside that subset's grammar (``Grammar``: the children and attributes allowed under
each tag). The reader's own one-line refusals (a Regime, an OnEvent ...) come first, so they keep
their words; this check catches what the object model never showed them.
"""

from __future__ import annotations

from dataclasses import dataclass

from excitable.errors import ModelError

_FREE = {"notes", "annotation"}  # text and metadata, read by no model (as ``kept`` has it for cells)
_NAMED = ("name", "dimension", "description")


@dataclass(frozen=True)
class Grammar:
    """``children``: tag -> the child tags read under it; ``attributes``: tag -> the attributes read
    (or that change nothing: descriptions); ``what``: the reader's name for its subset, in messages."""

    children: dict
    attributes: dict
    what: str


def check(ct, source: str, grammar: Grammar) -> None:
    """Refuse, in one line naming ``source``:line, ComponentType ``ct``'s first element or attribute
    (in document order) that ``grammar`` does not read; ``ct`` is the libNeuroML element (its XML
    node: ``gds_elementtree_node_``). A type built in memory (no node) has nothing dropped."""
    node = getattr(ct, "gds_elementtree_node_", None)
    if node is not None:
        _walk(node, f"ComponentType {ct.name!r}", source, grammar)


def _local(node) -> str:
    return node.tag.rsplit("}", 1)[-1]


def _walk(node, name: str, source: str, grammar: Grammar) -> None:
    tag = _local(node)
    at = f"NeuroML: {source}:{node.sourceline}: {name}"
    for key, value in node.attrib.items():
        if isinstance(key, str) and "}" not in key and key not in grammar.attributes.get(tag, ()):
            raise ModelError(f"{at}: attribute {key}={value!r} of <{tag}> is not read in {grammar.what} (<{tag}> "
                             f"takes {', '.join(sorted(grammar.attributes.get(tag, ()))) or 'none'})")
    for child in node:
        if not isinstance(child.tag, str) or _local(child) in _FREE:
            continue  # a comment, a processing instruction, notes
        kind = _local(child)
        here = f"NeuroML: {source}:{child.sourceline}: {name}"
        if kind == "DerivedVariable" and tag == "OnCondition":
            # LEMS's OnCondition holds StateAssignment, EventOut and Transition only: jLEMS (so jNeuroML
            # and its NEURON export) drops this with a warning and the condition assigns nothing there
            raise ModelError(f"{here}: <DerivedVariable variable={child.get('variable')!r}> inside <OnCondition "
                             f"test={node.get('test')!r}> is not LEMS (an OnCondition holds StateAssignment, "
                             f"EventOut, Transition; jLEMS and jNeuroML's NEURON export drop it, so nothing is "
                             f"clipped there); to clip a derived value, write it as a ConditionalDerivedVariable "
                             f"with <Case>s")
        if kind not in grammar.children.get(tag, ()):
            allowed = ", ".join(sorted(grammar.children.get(tag, ()))) or "no elements"
            raise ModelError(f"{here}: element <{kind}> in <{tag}> is not read in {grammar.what} (<{tag}> holds "
                             f"{allowed} there)")
        _walk(child, name, source, grammar)


#: What ``lems._compile_type`` reads of a gate's rate, variable or time course: Parameters (set by
#: the using element's attributes), Constants, Requirements, Exposures (the base's ``r``/``x``/``t``,
#: repeated) and Dynamics of DerivedVariables with a value and ConditionalDerivedVariables. The rest
#: (a <Child>, <Text>, <KineticScheme>, LEMS's older valueCondition on a DerivedVariable, ``reduce=``,
#: ``required=`` ...), which libNeuroML drops, is refused.
FORMS = Grammar(
    children={"ComponentType": {"Parameter", "Constant", "Requirement", "Exposure", "Dynamics"},
              "Dynamics": {"DerivedVariable", "ConditionalDerivedVariable"}, "ConditionalDerivedVariable": {"Case"}},
    attributes={"ComponentType": ("name", "extends", "description"), "Parameter": _NAMED, "Requirement": _NAMED,
                "Exposure": _NAMED, "Constant": (*_NAMED, "value", "symbol"),
                "DerivedVariable": (*_NAMED, "exposure", "value"), "ConditionalDerivedVariable": (*_NAMED, "exposure"),
                "Case": ("condition", "value")},
    what="a gate's rate, variable or time course")
#: What ``gate_types`` reads of a gate's own ComponentType (an instantaneous gate): the <Child>ren
#: its DerivedVariables select from (forwardRate, reverseRate), Constants, Exposures, and
#: DerivedVariables with a value or a select (without ``reduce=``, which libNeuroML drops).
GATE_TYPES = Grammar(
    children={"ComponentType": {"Child", "Constant", "Exposure", "Dynamics"}, "Dynamics": {"DerivedVariable"}},
    attributes={"ComponentType": ("name", "extends", "description"), "Child": ("name", "type", "description"),
                "Exposure": _NAMED, "Constant": (*_NAMED, "value", "symbol"),
                "DerivedVariable": (*_NAMED, "exposure", "value", "select")},
    what="a gate's type")


def check_use(element, ct, where: str) -> None:
    """Refuse, at ``where`` (the using element, file:line), an attribute of ``element`` (the element
    naming ComponentType ``ct`` as its ``type``: a gate's forwardRate, steadyState ...) that sets
    nothing: neither ``type`` nor one of ``ct``'s Parameters. A standard form's ``rate``/``midpoint``/
    ``scale`` left on an element whose type is a ComponentType declaring none would otherwise vanish
    without a word (libNeuroML drops them too)."""
    node = getattr(element, "gds_elementtree_node_", element)
    declared = {p.name for p in getattr(ct, "Parameter", None) or []}
    for key, value in (getattr(node, "attrib", None) or {}).items():
        if isinstance(key, str) and "}" not in key and key != "type" and key not in declared:
            said = f"declares Parameters {', '.join(sorted(declared))}" if declared else "declares no Parameter"
            raise ModelError(f"{where}: attribute {key}={value!r} sets nothing: its type {ct.name!r} {said}")
