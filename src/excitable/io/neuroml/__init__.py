"""NeuroML 2 (through libNeuroML): import cells and ion channels, export our cells and channels.

Import::

    from excitable.io import neuroml
    cell = neuroml.load_cell("hh_cell.nml")                # an excitable Cell, mechanisms inserted
    model = neuroml.read("hh_cell.nml")                    # everything: cells, channels, v_init
    sim = ex.Simulation(cell, v_init=model.cells["hh_cell"].v_init_mV)
    Na = neuroml.load_channels("na.channel.nml")["naChan"]  # a channel class: cell.insert(Na(gbar=120, erev=50))

An imported ion channel is a class named by its id, with two parameters, ``gbar`` (mS/cm2) and
``erev`` (mV), one state per gate (``sim.record("naChan.m")``) and its current named by its ion
("ina", "ik", "ica", "icl", or "i" when non-specific). What is imported: ``ionChannelHH`` with the
standard rate forms (``rates``), passive channels, ``<cell>`` with segments, segment groups and
``channelDensity`` per group (``cells``, ``morphology``), ``channelDensityNernst``/``GHK``/``GHK2``
with the cell's Ca2+ species (``densities``), densities that vary with the path length
(``channelDensityNonUniform``/``Nernst``/``GHK``: ``nonuniform``) and their calcium pools (``pools``; defined in LEMS:
``lems_pools``), gate rates
defined as LEMS ComponentTypes of V and [Ca2+]i (``lems``), kinetic schemes (``kinetic``); includes
are followed to any readable file, cycles and deep chains refused (``files``); what libNeuroML's
parser drops (an unknown element of a cell) is refused, not dropped (``kept``). Everything else is
refused with one line naming file:line, the element and its id.

Export::

    neuroml.save(cell, "cell.nml")      # cell, morphology, densities and channels; validated

writes the cell with one ion channel per conductance of each mechanism (HH: Na+, K+, leak) in the
standard forms (``builtin``), the ComponentTypes that imported gates, kinetic schemes and pools
defined in LEMS use, and the instances of LEMS concentration models in a sibling file the cell's
file includes (``writer_lems``: "cell.lems.nml" beside "cell.nml"), then checks the file with libNeuroML's validator
(``neuroml.utils.validate_neuroml2``: the schema's rules, offline).

libNeuroML is an optional extra (``pip install 'excitable[neuroml]'``), imported only when used.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from excitable.errors import ModelError

__all__ = ["NeuroMLModel", "load_cell", "load_channels", "read", "save", "to_document", "validate"]


@dataclass
class NeuroMLModel:
    """What a NeuroML file (and its includes) holds that excitable runs.

    Attributes:
        cells: cell id -> ``ImportedCell`` (``.cell``, ``.v_init_mV``, ``.spike_threshold_mV``, ``.groups``).
        channels: ion channel id -> channel class.
        not_imported: the abstract cells of the files (izhikevichCell, iafCell ...: point models
            of their own equations), then the instances of LEMS ComponentTypes at a file's top
            other than concentration models and gate forms (a cell defined in LEMS, as OSB's
            PinskyRinzel), which are not imported: ("<tag> 'id'", "file:line") each, the latter
            as "<tag> 'id' (a LEMS ComponentType)".
    """

    cells: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)
    not_imported: list = field(default_factory=list)


def read(path, *, concentrations: str | None = None, **policy) -> NeuroMLModel:
    """Every ion channel and cell of the NeuroML file ``path`` and the files it includes.

    ``policy``: nseg / dx_um / d_lambda for the cells (default: each section's
    numberInternalDivisions, else 1), as for ``Cell``. ``concentrations``: None imports the
    species' concentration models as calcium pools (the standard ones: ``pools``; ComponentTypes
    extending concentrationModel: ``lems_pools``); "fixed" holds the species' initial
    concentrations instead (``densities``).
    """
    from excitable.io.neuroml.cells import abstract_cells, build_cell
    from excitable.io.neuroml.channels import ion_channels, make_channel
    from excitable.io.neuroml.densities import POLICIES, concentration_models
    from excitable.io.neuroml.files import line_of, read_documents
    from excitable.io.neuroml.kept import lems_instances
    from excitable.io.neuroml.lems import component_types

    if concentrations not in POLICIES:
        raise ModelError(f"NeuroML: concentrations must be None or 'fixed', got {concentrations!r}")
    docs = read_documents(path)
    policy.update(concentrations=concentrations, concentration_models=concentration_models(docs))
    types = component_types(docs)
    model = NeuroMLModel()
    for p, doc in docs:
        for cid, element in ion_channels(doc, p.name).items():
            if cid in model.channels:
                raise ModelError(f"NeuroML: {p.name}:{line_of(element)}: ionChannel {cid!r} is defined twice")
            model.channels[cid] = make_channel(element, p.name, types)
    morphologies = {m.id: m for _, d in docs for m in d.morphology or []}
    biophysics = {b.id: b for _, d in docs for b in d.biophysical_properties or []}
    for p, doc in docs:
        for c in getattr(doc, "cell2_ca_poolses", None) or []:  # libNeuroML keeps it; nothing here reads it
            raise ModelError(f"NeuroML: {p.name}:{line_of(c)}: cell2CaPools {c.id!r} (two Ca2+ pools) is not "
                             f"supported; only <cell> is imported")
        for c in doc.cells or []:
            if c.id in model.cells:
                raise ModelError(f"NeuroML: {p.name}:{line_of(c)}: cell {c.id!r} is defined twice")
            model.cells[c.id] = build_cell(c, model.channels, p.name, morphologies, biophysics, **policy)
    model.not_imported = abstract_cells(docs) + lems_instances(docs, _read_elsewhere(types))
    if model.not_imported:
        listed, kinds = _listed(model.not_imported), _kinds(model.not_imported)
        if not (model.cells or model.channels):  # nothing else: an empty model would run nothing, silently
            raise ModelError(f"NeuroML: {model.not_imported[0][1]}: {_listed(model.not_imported, at=False)}: "
                             f"{kinds} are not imported (only <cell>, morphology + biophysics, and ion "
                             f"channels are), and {Path(path).name} has nothing else to import")
        warnings.warn(f"NeuroML: {Path(path).name}: {kinds} are not imported: {listed}", stacklevel=2)
    return model


def _read_elsewhere(types: dict) -> set:
    """The ComponentTypes whose top-level instances are not "not imported": concentration models
    (``lems_pools`` reads those a species names) and a gate's forms and types, which LEMS runs only
    inside a gate (a top-level instance of one does nothing there either)."""
    from excitable.io.neuroml.lems import BASES
    from excitable.io.neuroml.rates import GATE_KINDS

    return {name for name, (ct, _) in types.items()
            if ct.extends == "concentrationModel" or ct.extends in BASES or ct.extends in (*GATE_KINDS, "baseGate")}


def _kinds(items: list) -> str:
    """What ``items`` (``NeuroMLModel.not_imported``) are, in words, for one line."""
    lems = sum("LEMS ComponentType" in what for what, _ in items)  # as ``kept.lems_instances`` names them
    return ("abstract cells" if not lems else "instances of LEMS ComponentTypes" if lems == len(items)
            else "abstract cells and instances of LEMS ComponentTypes")


def _listed(items: list, shown: int = 3, at: bool = True) -> str:
    """The first ``shown`` of ``items`` ((what, 'file:line')) and how many more, for one line."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(f"{what} ({where})" if at else what for what, where in items[:shown]) + more


def load_cell(path, cell_id: str | None = None, **policy):
    """The excitable ``Cell`` of a NeuroML file (its only ``<cell>``, or the one with ``cell_id``)."""
    model = read(path, **policy)
    if not model.cells:
        abstract = (f"; its {_kinds(model.not_imported)} are not imported: {_listed(model.not_imported)}"
                    if model.not_imported else "")
        raise ModelError(f"NeuroML: {Path(path).name} has no <cell> (morphology + biophysics) to import{abstract}")
    if cell_id is None:
        if len(model.cells) > 1:
            raise ModelError(f"NeuroML: {Path(path).name} has {len(model.cells)} cells; name one with cell_id: "
                             f"{', '.join(model.cells)}")
        return next(iter(model.cells.values())).cell
    if cell_id not in model.cells:
        raise ModelError(f"NeuroML: {Path(path).name} has no cell {cell_id!r}; it has {', '.join(model.cells)}")
    return model.cells[cell_id].cell


def load_channels(path) -> dict:
    """The ion channels of a NeuroML file: id -> channel class (``gbar`` mS/cm2, ``erev`` mV)."""
    from excitable.io.neuroml.channels import ion_channels, make_channel
    from excitable.io.neuroml.files import read_documents
    from excitable.io.neuroml.lems import component_types

    docs = read_documents(path)
    types = component_types(docs)
    return {cid: make_channel(el, p.name, types) for p, doc in docs for cid, el in ion_channels(doc, p.name).items()}


def to_document(cell, *, cell_id: str | None = None, v_init_mV: float = -65.0):
    """``cell`` as a libNeuroML ``NeuroMLDocument`` (the cell and its ion channels)."""
    from excitable.io.neuroml.files import libneuroml
    from excitable.io.neuroml.writer import document

    libneuroml()
    return document(cell, doc_id=cell_id, v_init_mV=v_init_mV)


def save(cell, path, *, cell_id: str | None = None, v_init_mV: float = -65.0, check: bool = True) -> Path:
    """Write ``cell`` as a NeuroML 2 file (atomically) and, with ``check``, validate it with
    libNeuroML's validator first (a file it refuses is not written). Returns the path.

    A calcium pool defined in LEMS (``lems_pools``) is written as its ComponentType in the file and
    its instance in a sibling file the file includes, ``cell.lems.nml`` beside ``cell.nml``
    (``writer_lems``: NeuroML's schema has no element for the instance)."""
    from excitable.io.neuroml.files import libneuroml
    from excitable.io.neuroml.writer import document
    from excitable.io.neuroml.writer_lems import sibling_name, sibling_text

    libneuroml()  # first: it says if libNeuroML is missing
    from neuroml.writers import NeuroMLWriter

    path = Path(path)
    instances: list = []
    doc = document(cell, doc_id=cell_id, v_init_mV=v_init_mV, lems_file=sibling_name(path), instances=instances)
    # both files are written and checked in a folder of their own beside the target, then moved
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        NeuroMLWriter.write(doc, str(tmp / path.name))
        if instances:
            (tmp / sibling_name(path)).write_bytes(sibling_text(f"{doc.id}_lems", instances))
        if check:
            validate(tmp / path.name, shown=path.name)
        if instances:
            os.replace(tmp / sibling_name(path), path.with_name(sibling_name(path)))
        os.replace(tmp / path.name, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def validate(path, *, shown: str | None = None) -> None:
    """Check the file ``path`` with libNeuroML's validator (``validate_neuroml2``: the object model's
    rules) and against the NeuroML 2 XML schema that libNeuroML ships (lxml), both offline; a
    refusal is one line naming the file and the first problem."""
    from excitable.io.neuroml.files import libneuroml

    nml = libneuroml()
    from lxml import etree
    from neuroml.utils import validate_neuroml2

    name = shown or Path(path).name
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints "It's valid!"
            validate_neuroml2(str(path))
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        schema = etree.XMLSchema(etree.parse(str(Path(nml.__file__).parent / "nml" / SCHEMA), parser))
        document = etree.parse(str(path), parser)
    except Exception as e:  # noqa: BLE001 - it raises ValueError, or lxml's errors for a broken file
        raise ModelError(f"NeuroML: {name} is not valid NeuroML 2: {' '.join(str(e).split())[:240]}") from None
    if not schema.validate(document):
        err = schema.error_log.last_error
        raise ModelError(f"NeuroML: {name} is not valid NeuroML 2 ({SCHEMA}, line {err.line}): {err.message[:200]}")


#: The schema ``validate`` checks against (shipped inside libNeuroML: no network).
SCHEMA = "NeuroML_v2.3.1.xsd"
