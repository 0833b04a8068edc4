"""Cell: a morphology, its discretization, the mechanisms inserted where, and parameter overrides.

Density mechanisms are *inserted* on regions (``where``); parameters are *set* by value or by a
function of the path distance from the soma (um). Everything is validated when given.

Example:
    >>> cell = Cell.cylinder(length=20, diameter=20)
    >>> cell.insert(HH())
    >>> cell.set("HH.gNa", 100.0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np

from excitable.errors import ModelError, check_number
from excitable.model.discretize import Compartments, discretize
from excitable.model.mechanism_checks import check_mechanism, check_physical, check_same_kind, geometry_error
from excitable.model.morphology import Morphology
from excitable.model.stimuli import Location
from excitable.physics.catalogue import get_channel
from excitable.physics.channel import AbstractChannel

Where = str | Sequence[str] | Callable[[np.ndarray], np.ndarray] | Location

def _name(f) -> str:
    """A function as a message names it: ``the function f``, without its address."""
    return f"the function {getattr(f, '__qualname__', type(f).__name__)}"


def with_geometry(mech, nodes, arrays):
    """``mech`` with NEURON's segment geometry of ``nodes`` as its fields, where its class reads it
    (an imported mechanism's ``geometry_fields``: diam, µm; area, µm²); ``arrays(name)``: the
    compartments' array of that name (``model.discretize.Compartments``) the nodes index."""
    fields = {k: np.asarray(arrays(source), dtype=float)[nodes]
              for k, source in getattr(type(mech), "geometry_fields", {}).items()}
    return dataclasses.replace(mech, **fields) if fields else mech


#: The area NEURON gives a node without membrane (a section's x = 0 or 1 end), µm²: what a point
#: process placed there reads as its ``area`` (measured: NEURON 9, any section).
END_AREA_UM2 = 100.0


def at_section_ends(mech, locations):
    """A point process placed at x = 0 or 1 reads NEURON's values there: ``area`` 100 µm² (an end
    node's), while ``diam`` is refused, as NEURON refuses it ("morphology can't be inserted in this
    node"). ``locations``: each instance's Location."""
    fields = getattr(type(mech), "geometry_fields", {})
    ends = np.array([at.x in (0.0, 1.0) for at in locations], dtype=bool)
    if not fields or not ends.any():
        return mech
    if "diam" in fields:
        at = locations[int(np.argmax(ends))]
        raise ModelError(f"{mech.name} at {at} reads diam, which NEURON gives no point process at a section's "
                         "end (x = 0 or 1); place it at 0 < x < 1")
    return dataclasses.replace(mech, area=np.where(ends, END_AREA_UM2, np.asarray(mech.area, dtype=float)))


def with_run_dt(mech, dt: float):
    """An imported mechanism whose BREAKPOINT or INITIAL reads t or dt with the run's dt as its field
    (io/nmodl/mechanism.py: NEURON gives those blocks dt, the engine does not); others unchanged."""
    names = getattr(type(mech), "time_fields", ())
    if not names:
        return mech
    return dataclasses.replace(mech, **{k: np.full(np.shape(getattr(mech, k)), float(dt)) for k in names})


class Cell:
    """A neuron built from a Morphology.

    Args:
        morphology: the geometry.
        nseg / dx_um / d_lambda: discretization policy (see ``excitable.model.discretize``).
        ra: axial resistivity, ohm*cm. cm: membrane capacitance, uF/cm2.
    """

    def __init__(self, morphology: Morphology, *, nseg=None, dx_um=None, d_lambda=None,
                 ra: float = 35.4, cm: float = 1.0, name: str = "cell"):
        self.morphology = morphology
        self.name = name
        self._policy = {"nseg": nseg, "dx_um": dx_um, "d_lambda": d_lambda}
        self._ra = check_number("ra", ra, positive=True)
        self._cm0 = check_number("cm", cm, positive=True)
        self._ra_per_section: np.ndarray | None = None
        self._mechanisms: dict[str, AbstractChannel] = {}
        self._present: dict[str, np.ndarray] = {}
        self._values: dict[str, dict[str, np.ndarray]] = {}
        self._cm: np.ndarray | None = None
        self._points: list[tuple[AbstractChannel, Location]] = []
        self.ion_pools: dict[str, dict] = {}

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def cylinder(cls, length: float = 20.0, diameter: float = 20.0, **kw) -> Cell:
        """A single cylindrical compartment (NEURON: one section, nseg = 1, area pi d L)."""
        kw.setdefault("nseg", 1)
        return cls(Morphology.cylinder(length=length, diameter=diameter), **kw)

    @classmethod
    def from_swc(cls, path, **kw) -> Cell:
        """A cell from an SWC file (NEURON Import3d conventions, see ``excitable.io.import3d``).

        ``path``: the name of a shipped reconstruction ("ca1-pyramidal", "purkinje", "allen-scnn1a",
        "simple": ``excitable.io.morphologies.names()``) or a path (str or os.PathLike) to an SWC
        file; anything else is a ModelError naming ``path``. ``kw`` as for ``Cell`` (e.g. d_lambda).
        """
        return cls(Morphology.from_swc(path), **kw)

    # --- geometry -----------------------------------------------------------------------------
    @cached_property
    def compartments(self) -> Compartments:
        ra = self._ra if self._ra_per_section is None else self._ra_per_section
        pol = {k: v for k, v in self._policy.items() if v is not None}
        return discretize(self.morphology, ra_ohm_cm=ra, cm_uF_cm2=self._cm0, **pol)

    @property
    def n(self) -> int:
        """Number of nodes (compartments, including zero-area junction nodes)."""
        return self.compartments.n

    @property
    def soma(self) -> Location:
        """The middle of the first section (the soma of SWC cells)."""
        return Location(0, 0.5)

    def node(self, at: Location) -> int:
        """Index of the node that holds ``at``."""
        if not isinstance(at, Location):
            raise ModelError(f"expected a Location (section, x) on this cell, got {at!r}")
        try:
            return self.compartments.index(at.section, at.x)
        except (KeyError, IndexError, ValueError) as e:
            raise ModelError(f"no section {at.section!r} on this cell ({e})") from None

    def area_um2(self, at: Location) -> float:
        return float(self.compartments.area_um2[self.node(at)])

    def density_to_nA(self, density_uA_cm2: float, at: Location) -> float:
        """Current (nA) that makes ``density_uA_cm2`` over the membrane of the node at ``at``."""
        return density_uA_cm2 * self.area_um2(at) * 1e-5  # uA/cm2 * um2 * 1e-8 cm2/um2 * 1e3 nA/uA

    def nodes(self, where: Where = "all") -> np.ndarray:
        """Boolean mask (N,) of the nodes that ``where`` selects, membrane nodes only."""
        comp = self.compartments
        membrane = comp.area_um2 > 0
        if isinstance(where, Location):
            mask = np.zeros(comp.n, bool)
            mask[self.node(where)] = True
        elif callable(where):
            mask = np.asarray(where(comp.distance_um), dtype=bool)
            if mask.shape != (comp.n,):
                raise ModelError("where: a predicate must map distances (N,) to booleans (N,)")
        elif isinstance(where, str):
            mask = self._region_mask(where)
        elif not isinstance(where, (list, tuple, set, frozenset)) or \
                not all(isinstance(w, str) for w in where):
            raise ModelError(f"where must be a region name, a list of them, a Location or a function of "
                             f"the distance (um), got {where!r}")
        else:
            mask = np.zeros(comp.n, bool)
            for w in where:
                mask |= self._region_mask(w)
        return mask & membrane

    def _region_mask(self, name: str) -> np.ndarray:
        comp = self.compartments
        if name == "all":
            return np.ones(comp.n, bool)
        if name in comp.section_names:
            return comp.section == comp.section_names.index(name)
        if name not in set(comp.region):
            known = sorted(set(comp.region)) + ["all"]
            raise ModelError(f"where: unknown region {name!r}; this cell has {', '.join(known)}")
        return comp.region == name

    # --- mechanisms and parameters ------------------------------------------------------------
    def insert(self, mechanism: AbstractChannel | str, where: Where = "all") -> Cell:
        """Insert a density mechanism (instance, or catalogue name) on the nodes ``where`` selects."""
        if isinstance(mechanism, str):
            mechanism = get_channel(mechanism)()
        if not isinstance(mechanism, AbstractChannel):
            raise ModelError(f"insert: expected a channel, got {mechanism!r}")
        check_mechanism(mechanism)
        name = mechanism.name
        mask = self.nodes(where)
        check_same_kind(self._mechanisms.get(name), mechanism)  # a .mod file of SUFFIX Leak beside ours
        if name not in self._mechanisms:
            self._mechanisms[name] = mechanism
            self._present[name] = np.zeros(self.n, bool)
            self._values[name] = {k: np.full(self.n, float(v)) for k, v in mechanism.parameters().items()}
        else:
            for k, v in mechanism.parameters().items():
                self._values[name][k][mask] = float(v)
        self._present[name] |= mask
        return self

    def uninsert(self, name: str, where: Where = "all") -> Cell:
        """Remove a mechanism from the nodes ``where`` selects."""
        self._require(name)
        self._present[name] &= ~self.nodes(where)
        return self

    def set(self, path: str, value, where: Where = "all") -> Cell:
        """Set "cm" (uF/cm2), "ra" (ohm*cm) or "Channel.param" to a number or f(distance_um).

        Example:
            >>> cell.set("HH.gNa", lambda d: 120.0 * (d < 50), where="axon")
        """
        if not isinstance(path, str):
            raise ModelError(f"set: the parameter must be named by a string such as 'HH.gNa', got {path!r}")
        if path not in ("cm", "ra"):  # an unknown name is named before a function is evaluated
            mech, _, param = path.partition(".")
            self._require(mech)
            if param not in self._values[mech]:
                raise ModelError(f"{mech} has no parameter {param!r}; it has "
                                 f"{', '.join(self._values[mech])}")
            if param in (*getattr(type(self._mechanisms[mech]), "geometry_fields", {}),
                         *getattr(type(self._mechanisms[mech]), "time_fields", ())):
                geometry_error(path)
        mask = self.nodes(where)
        vals = self._evaluate(path, value, mask)
        if path == "cm":
            if np.any(vals[mask] <= 0):
                raise ModelError(f"cm must be > 0 uF/cm2, got {float(vals[mask][~(vals[mask] > 0)][0]):g}"
                                 + (f" (from {_name(value)})" if callable(value) else ""))
            self._cm = self.cm.copy()
            self._cm[mask] = vals[mask]
        elif path == "ra":
            if callable(value) or np.any(vals[mask] <= 0):
                raise ModelError(f"ra must be a number > 0 (one value per section), got {value!r}")
            ra = np.full(len(self.compartments.section_names), self._ra) \
                if self._ra_per_section is None else self._ra_per_section.copy()
            ra[np.unique(self.compartments.section[mask])] = vals[mask][0]
            self._ra_per_section = ra
            self.__dict__.pop("compartments", None)  # axial conductances change
        else:
            check_physical(self._mechanisms[mech], param, vals[mask], _name(value) if callable(value) else None)
            self._values[mech][param][mask] = vals[mask]
        return self

    def _evaluate(self, path, value, mask) -> np.ndarray:
        if callable(value):
            try:
                vals = np.asarray(value(self.compartments.distance_um), dtype=float)
                vals = np.broadcast_to(vals, (self.n,)).copy()
            except (TypeError, ValueError):
                raise ModelError(f"{path}: {_name(value)} must map the distances (um, an array "
                                 f"of {self.n}) to numbers of the same shape") from None
        else:
            vals = np.full(self.n, check_number(path, value))
        if not np.all(np.isfinite(vals[mask])):
            bad = float(vals[mask][~np.isfinite(vals[mask])][0])
            raise ModelError(f"{path} must be finite, got {bad}" + (f" (from {_name(value)})" if callable(value) else ""))
        return vals

    def _require(self, name: str) -> None:
        if name not in self._mechanisms:
            have = ", ".join(self._mechanisms) or "none"
            raise ModelError(f"mechanism {name!r} is not inserted (inserted: {have})")

    def place(self, mechanism: AbstractChannel, at: Location) -> int:
        """Place a point mechanism (a synapse, kind "point") at ``at``; returns its instance number."""
        if not isinstance(mechanism, AbstractChannel) or type(mechanism).kind != "point":
            raise ModelError(f"place: expected a point mechanism (a synapse), got {mechanism!r}")
        check_mechanism(mechanism)
        if not isinstance(at, Location):
            raise ModelError(f"place: at must be a Location, got {at!r}")
        self.node(at)
        self._points.append((mechanism, at))
        return len(self._points) - 1

    @property
    def point_mechanisms(self) -> list[tuple[AbstractChannel, Location]]:
        return list(self._points)

    def structure(self) -> list[tuple[str, AbstractChannel, np.ndarray]]:
        """(name, mechanism, boolean mask of the compartments it is inserted in) of each density
        mechanism: what a compiled plan depends on (``model.structure``)."""
        return [(name, mech, self._present[name]) for name, mech in self._mechanisms.items()]

    def add_ions(self, ion: str, *, ci: float, co: float, shell_um: float | None = None,
                 outside_um3_per_um2: float | None = None, tau_out_ms: float | None = None) -> Cell:
        """Make the concentrations of ``ion`` ("na", "k", "cl", "ca") dynamic on every node.

        Args:
            ci, co: initial concentrations inside and outside, mM.
            shell_um: depth of the submembrane shell whose concentration changes (None: the whole
                cross-section, volume = area x d / 4 for a cylinder).
            outside_um3_per_um2: extracellular volume per membrane area (um); None keeps [X]o fixed.
            tau_out_ms: exchange of the extracellular space with the bath (None: no exchange).
        """
        from excitable.physics.ions import MAMMALIAN

        if ion not in MAMMALIAN:
            raise ModelError(f"add_ions: unknown ion {ion!r}; known: {', '.join(MAMMALIAN)}")
        spec = {"ci": check_number(f"{ion} ci", ci, positive=True),
                "co": check_number(f"{ion} co", co, positive=True),
                "z": MAMMALIAN[ion].z}
        if shell_um is not None:
            spec["shell_um"] = check_number("shell_um", shell_um, positive=True)
        if outside_um3_per_um2 is not None:
            spec["outside"] = check_number("outside_um3_per_um2", outside_um3_per_um2, positive=True)
        if tau_out_ms is not None:
            spec["tau_out"] = check_number("tau_out_ms", tau_out_ms, positive=True)
        self.ion_pools[ion] = spec
        return self

    def ion_volumes(self, ion: str) -> tuple[np.ndarray, np.ndarray]:
        """Inside and outside volumes (um3) per node for a dynamic ion (0 area -> tiny volume)."""
        spec = self.ion_pools[ion]
        comp = self.compartments
        area, d = comp.area_um2, comp.diam_um
        if "shell_um" in spec:
            sh = np.minimum(spec["shell_um"], d / 2)
            vol_in = area * (sh - sh**2 / d)  # annulus of depth sh in a cylinder of diameter d
        else:
            vol_in = area * d / 4.0  # the whole cylinder: pi d^2 L / 4 with area = pi d L
        vol_out = area * spec.get("outside", 1.0)
        return np.where(area > 0, vol_in, 1.0), np.where(area > 0, vol_out, 1.0)

    @property
    def cm(self) -> np.ndarray:
        """Membrane capacitance per node, uF/cm2."""
        return np.full(self.n, self._cm0) if self._cm is None else self._cm

    @property
    def mechanisms(self) -> dict[str, AbstractChannel]:
        return dict(self._mechanisms)

    def mechanism_sites(self, name: str) -> np.ndarray:
        """Node indices where ``name`` is inserted."""
        self._require(name)
        return np.nonzero(self._present[name])[0]

    def mechanism_at_sites(self, name: str) -> AbstractChannel:
        """The mechanism with each parameter an array over its sites."""
        sites = self.mechanism_sites(name)
        fields = {k: v[sites] for k, v in self._values[name].items()}
        # An imported mechanism reading NEURON's diam/area gets its compartments' (io/nmodl/mechanism.py).
        return with_geometry(dataclasses.replace(self._mechanisms[name], **fields), sites,
                             lambda source: getattr(self.compartments, source))

    def __repr__(self) -> str:
        mechs = ", ".join(f"{k}@{self._present[k].sum()}" for k in self._mechanisms) or "passive"
        return f"Cell({self.name!r}, {self.n} nodes, {mechs})"
