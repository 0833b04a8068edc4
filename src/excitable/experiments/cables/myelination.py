"""How does myelin speed conduction? A myelinated fibre (nodes + internodes) against a bare axon.

Myelin wraps the axon between the nodes of Ranvier in a hundred or more layers of membrane in series,
which cuts the internode's capacitance and leak a hundredfold, so the local current from a firing node
is no longer spent charging the membrane on its way and reaches the next node, about 100 fibre
diameters away, within microseconds. Only the nodes, packed with Na+ channels, regenerate the spike,
so it seems to jump from node to node (saltatory conduction) and travels several times faster than
along a bare axon of the same diameter. Everything that sets the speed scales with the fibre diameter D
(internode length, myelin thickness, node area), so velocity grows in proportion to D (about 6 m/s per
µm in mammals, Hursh 1939), while a bare axon's grows only as the square root of its diameter.

Model (PHENOMENA-SPEC row 19): fibre diameter D, axon diameter d = g-ratio x D, nodes 1 µm long with
HH-type channels, internodes 100 x D long. The node membrane is HH's with every conductance x 29.2,
the Q10-3 rate factor from 6.3 to 37 °C: at 37 °C it behaves exactly as HH's membrane at 6.3 °C,
29.2 times faster (gNa 3.5 S/cm², near the 3 S/cm² of McIntyre, Richardson & Grill 2002). The
internode wall is the axolemma plus two membranes per myelin lamella (period 16 nm), all in series:
cm and leak are 1 µF/cm² and 1 mS/cm² divided by 2 x lamellae + 1. Axoplasm 70 Ω cm (MRG). The
unmyelinated axon has the node membrane all along, diameter d; both are stimulated at one end.
Velocity: least-squares fit of the arrival times (upward -20 mV crossing) at the nodes (bare axon: at
every compartment) between 25 % and 75 % of the length. ``sweep`` repeats both at D = 2, 4, 8, 16 µm
in one batch (one compiled program: every length scales with D, so the structure is the same).

Demyelination (row 20): thinner myelin (``lamellae``) slows conduction (40 lamellae instead of 125:
22 m/s instead of 52) until the nodes can no longer charge the next one to threshold (20 lamellae:
the spike dies within a few nodes); ``myelin=false`` strips the myelin off entirely.
"""

from __future__ import annotations

import numpy as np

from excitable.experiments.base import Values
from excitable.experiments.cables.declarations import MYELINATION as EXPERIMENT
from excitable.experiments.cables.myelination_figure import plot_myelination
from excitable.model.cell import Cell
from excitable.model.morphology import Morphology
from excitable.model.simulation import Simulation
from excitable.model.stimuli import IClamp, Location
from excitable.physics.channels.hh import HH, Leak
from excitable.results import Result


#: Q10-3 rate factor from HH's 6.3 degC to 37 degC (29.2).
PHI_37 = 3.0 ** ((37.0 - 6.3) / 10.0)
#: Node channel densities, mS/cm2: HH's x PHI_37 (gNa 3.5 S/cm2).
NODE_HH = {"gNa": 120.0 * PHI_37, "gK": 36.0 * PHI_37, "gL": 0.3 * PHI_37}
LAMELLA_UM = 0.016      # myelin period: two unit membranes per lamella
MEMBRANE_CM = 1.0       # uF/cm2 of one unit membrane
MEMBRANE_G = 1.0        # mS/cm2 of one passive unit membrane (MRG's 0.001 S/cm2 per lamella membrane)
E_REST = -65.0          # mV: leak reversal of the internodes, the nodes' resting potential
INTERNODE_NSEG = 9
SWEEP_DIAMETERS_UM = (2.0, 4.0, 8.0, 16.0)
#: The bare axon: length 3 mm x sqrt(d / 6 um) (about 20 length constants) in 600 compartments, so
#: that it is the same axon in units of its length constant at every diameter.
BARE_LENGTH_UM, BARE_REF_D_UM, BARE_NCOMP = 3000.0, 6.0, 600
#: Stimulus: 0.05 ms at 0.25 nA per um of fibre diameter (myelinated; about 3x threshold) and
#: 1 nA x (d / 1 um)^1.5 (bare axon; its input conductance grows as d^1.5); below 37 degC the pulse
#: lengthens as the rates slow (x 3^((37 - T)/10)).
PULSE_MS, DELAY_MS = 0.05, 0.05
STIM_FIBRE_NA_PER_UM, STIM_BARE_NA = 0.25, 1.0
SPIKE_LEVEL_MV = -20.0  # node peaks fall below 0 mV when the myelin is thin
HURSH_M_S_PER_UM = 6.0


def lamellae_for(p: Values, D: float) -> int:
    if p.lamellae is not None:
        return p.lamellae
    return int(round(D * (1.0 - p.g_ratio) / 2.0 / LAMELLA_UM))


def build_fibre(p: Values, D: float) -> tuple[Cell, dict]:
    """Nodes and internodes alternating, starting and ending with a node; returns the cell and geometry."""
    d = p.g_ratio * D
    L_int = p.internode_per_diameter * D
    n = p.n_nodes
    b = Morphology.builder()
    for k in range(n):
        b.add(f"node[{k}]", length=p.node_length_um, diameter=d, region="node",
              parent=None if k == 0 else f"internode[{k - 1}]")
        if k < n - 1:
            b.add(f"internode[{k}]", length=L_int, diameter=d, region="internode", parent=f"node[{k}]")
    morph = b.build()
    cell = Cell(morph, nseg=[1 if s.region == "node" else INTERNODE_NSEG for s in morph.sections], ra=p.ra)
    lam = lamellae_for(p, D) if p.myelin else 0
    layers = 2 * lam + 1  # axolemma + two membranes per lamella, in series
    cell.insert(HH(**NODE_HH), where="node")
    cell.insert(Leak(g=MEMBRANE_G / layers, e=E_REST), where="internode")
    cell.set("cm", MEMBRANE_CM / layers, where="internode")
    geo = dict(fibre_diameter_um=D, axon_diameter_um=d, internode_length_um=L_int, lamellae=lam,
               internode_cm_uF_cm2=MEMBRANE_CM / layers, internode_g_mS_cm2=MEMBRANE_G / layers,
               node_spacing_um=L_int + p.node_length_um)
    return cell, geo


def build_bare(p: Values, d: float) -> tuple[Cell, float]:
    """An unmyelinated axon of diameter d with the node membrane everywhere; returns it and its length."""
    L = BARE_LENGTH_UM * np.sqrt(d / BARE_REF_D_UM)
    cell = Cell(Morphology.cylinder(length=L, diameter=d, region="axon"), nseg=[BARE_NCOMP], ra=p.ra)
    cell.insert(HH(**NODE_HH))
    return cell, float(L)


def _positions(cell: Cell) -> np.ndarray:
    """Distance of every node from the fibre's start, um."""
    x = cell.compartments.xyz_um[:, 0]
    return x - x.min()


def _velocity(x, ta, L) -> float | None:
    from excitable.analysis import conduction_velocity

    sel = (x >= 0.25 * L) & (x <= 0.75 * L) & np.isfinite(ta)
    if sel.sum() < 2 or not np.all(np.isfinite(ta[x >= 0.25 * L])):
        return None  # not conducted through the window (block)
    return float(conduction_velocity(x[sel], ta[sel]))


def pulse_ms(temperature: float) -> float:
    return PULSE_MS * max(1.0, 3.0 ** ((37.0 - temperature) / 10.0))


def _run_batch(p, diameters, build_one, stim_nA, stim_at):
    """Run one cell per diameter as a batch (same structure, one compiled program); V at every node."""
    import jax

    sims, infos = [], []
    for D in diameters:
        cell, info = build_one(D)
        sim = Simulation(cell, dt=p.dt, temperature=p.temperature, v_init="rest")
        sim.stimulate(IClamp(stim_at, amplitude=1.0, delay=DELAY_MS, duration=pulse_ms(p.temperature)))
        sim.record("v", "all")
        sims.append(sim)
        infos.append((cell, info))
    params = [s.parameters() for s in sims]
    batch = jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *params)
    batch["iclamp_amp"] = np.array([[stim_nA(D)] for D in diameters])
    return sims[0], infos, batch


def _tstop(p, length_bare_um: float, d: float) -> float:
    # The bare axon is the slow one: ~2.1 m/s x sqrt(d / um) at 37 degC, slower in the cold
    # (velocity ~ sqrt(rate), rates ~ 3^(dT/10)); 2x margin.
    v = 2.1 * np.sqrt(d) * 3.0 ** ((p.temperature - 37.0) / 20.0)
    return DELAY_MS + pulse_ms(p.temperature) + 2.0 * length_bare_um / (1000.0 * v) + 0.2


# long because it is the protocol read top to bottom: the fibres and the bare axons (each with the
# optional diameter sweep) as two batches, then the summary that compares them.
def run(**given) -> Result:
    """Run the experiment; keyword arguments as in ``EXPERIMENT.params``."""
    p = EXPERIMENT.resolve(given)
    D = p.diameter_um
    d = p.g_ratio * D
    diameters = [D] + ([x for x in SWEEP_DIAMETERS_UM if x != D] if p.sweep else [])
    tstop = _tstop(p, BARE_LENGTH_UM * np.sqrt(d / BARE_REF_D_UM), d)

    stim = STIM_FIBRE_NA_PER_UM * D if p.stimulus_nA is None else p.stimulus_nA
    sim_f, fibres, batch_f = _run_batch(p, diameters, lambda x: build_fibre(p, x),
                                        lambda x: stim * x / D, Location("node[0]", 0.5))
    res_f = sim_f.run_batch(tstop, batch_f)
    sim_b, bares, batch_b = _run_batch(p, [p.g_ratio * x for x in diameters], lambda x: build_bare(p, x),
                                       lambda x: STIM_BARE_NA * x**1.5, Location(0, 0.0))
    res_b = sim_b.run_batch(tstop, batch_b)
    t = res_f.t

    from excitable.analysis import arrival_times

    membrane = lambda cell: np.nonzero(cell.compartments.area_um2 > 0)[0]  # noqa: E731
    v_fibre, v_bare, per = [], [], []
    for i, ((cf, geo), (cb, Lb)) in enumerate(zip(fibres, bares)):
        mf, mb = membrane(cf), membrane(cb)
        xf, xb = _positions(cf)[mf], _positions(cb)[mb]
        ta_f = arrival_times(t, res_f["v_all"][i][:, mf], SPIKE_LEVEL_MV)
        ta_b = arrival_times(t, res_b["v_all"][i][:, mb], SPIKE_LEVEL_MV)
        nodes = cf.compartments.region[mf] == "node"
        Lf = float(xf.max())
        v_fibre.append(_velocity(xf[nodes], ta_f[nodes], Lf))
        v_bare.append(_velocity(xb, ta_b, Lb))
        per.append((xf, ta_f, nodes, xb, ta_b))
    # A fibre that does not conduct (thin or no myelin, heat block) is a result, not an error:
    # its velocity is None and ``conducted`` false.
    cf, geo = fibres[0]
    xf, ta_f, nodes, xb, ta_b = per[0]
    mf = membrane(cf)
    V_f = res_f["v_all"][0][:, mf]
    v = v_fibre[0]
    summary = {
        "velocity_myelinated_m_s" if p.myelin else "velocity_demyelinated_m_s": v,
        "velocity_unmyelinated_m_s": v_bare[0],
        "velocity_ratio": None if v is None or v_bare[0] is None else v / v_bare[0],
        "velocity_per_fibre_diameter_m_s_per_um": None if v is None else v / D,
        "hursh_rule_m_s_per_um": HURSH_M_S_PER_UM,
        "conducted": bool(np.isfinite(ta_f[nodes][-1])),
        "nodes_reached": int(np.isfinite(ta_f[nodes]).sum()),
        "n_nodes": int(nodes.sum()),
        "internode_delay_us": None if v is None else geo["node_spacing_um"] / v,  # 1 m/s = 1 um/us
        "unmyelinated_conducted": v_bare[0] is not None,
        "node_peak_mV": float(np.max(V_f[:, nodes][:, len(np.nonzero(nodes)[0]) // 2])),
        "fibre_diameter_um": D,
        "axon_diameter_um": d,
        "g_ratio": p.g_ratio,
        "internode_length_um": geo["internode_length_um"],
        "node_length_um": p.node_length_um,
        "lamellae": geo["lamellae"],
        "internode_cm_uF_cm2": geo["internode_cm_uF_cm2"],
        "node_gNa_mS_cm2": NODE_HH["gNa"],
        "myelin": p.myelin,
        "stimulus_nA": stim,
        "temperature_degC": p.temperature,
        "fibre_length_um": float(xf.max()),
        "unmyelinated_length_um": float(xb.max()),
    }
    if p.sweep:
        order = np.argsort(diameters)
        Ds = np.asarray(diameters)[order]
        vf = [v_fibre[i] for i in order]
        vb = [v_bare[i] for i in order]
        summary.update(sweep_fibre_diameters_um=Ds.tolist(), sweep_velocity_myelinated_m_s=vf,
                       sweep_velocity_unmyelinated_m_s=vb)
        # Log-log slopes: v ~ D^exponent (left out when some fibre did not conduct).
        if p.myelin and all(x is not None for x in vf):
            summary["exponent_myelinated"] = float(np.polyfit(np.log(Ds), np.log(vf), 1)[0])
        if all(x is not None for x in vb):
            summary["exponent_unmyelinated"] = float(np.polyfit(np.log(Ds), np.log(vb), 1)[0])

    traces = {}
    node_idx = np.nonzero(nodes)[0]
    for k, j in enumerate(node_idx):
        traces[f"v node[{k}] at {xf[j]:.0f} um (mV)"] = V_f[:, j]
    meta = dict(p, x_fibre_um=xf, arrival_fibre_ms=ta_f, is_node=nodes, V_fibre=V_f,
                x_bare_um=xb, arrival_bare_ms=ta_b, node_spacing_um=geo["node_spacing_um"])
    return Result(t=t, traces=traces, summary=summary, name=EXPERIMENT.name, meta=meta,
                  plotter=plot_myelination)
