"""The phenomena in the order of the tour: a copy of the table in docs/phenomena.md.

Each entry is (experiment name, the question it answers, the protocol, the observables and expected
result), verbatim from that table (its last row, the tour itself, left out).
tests/interfaces/tour/test_tour.py checks that this copy still matches the table: edit both together.
"""

from __future__ import annotations

PHENOMENA: tuple[tuple[str, str, str, str], ...] = (
    (
        'resting-potential',
        'Why is the inside negative, by 60-70 mV?',
        'Ion concentrations (mammalian: K 140/5, Na 12/145, Cl 10/110 mM in/out) and permeabilities '
        '(PK:PNa:PCl = 1:0.04:0.45, 37 degC)',
        'Nernst potentials (EK about -90, ENa about +60, ECl about -65 mV, exact to 0.01 mV against the '
        'formula); GHK resting potential near -70 mV; raising [K]o depolarizes (slope approaching RT/F ln'
        ' 10 = 61.5 mV/decade at 37 degC, 58 at 20 degC, at high [K]o)',
    ),
    (
        'hyper-depolarization',
        'What makes the membrane more or less negative?',
        'Open a K+ conductance, a Cl- conductance, a Na+ conductance (ligand-like, at a fixed time)',
        'K+ or Cl- opening moves V toward EK / ECl (hyperpolarization, or no change if V = ECl: '
        'shunting); Na+ opening depolarizes toward ENa; the steady V equals the conductance-weighted mean'
        ' of reversal potentials',
    ),
    (
        'graded-potential',
        'Why are graded potentials proportional to the stimulus and why do they fade?',
        'Passive dendrite/cable; subthreshold current pulses of increasing size; record along the cable',
        'Peak response linear in stimulus (R^2 > 0.99) while subthreshold; steady-state decay along a '
        'long cable is exponential with length constant lambda = sqrt(Rm d / (4 Ri)) within 2%',
    ),
    (
        'all-or-none',
        'Why is the action potential all-or-none?',
        'Single compartment, 1 ms pulses with amplitudes swept through threshold',
        'Below threshold: small graded responses; above: peak voltage nearly constant (within a few mV '
        'across a 2x range of suprathreshold stimuli); the threshold found by bisection (HH, 1 ms pulse, '
        '6.3 degC: about 6.9 uA/cm2); the voltage threshold near -55 mV for textbook; for HH it depends '
        'on the definition (dV/dt criterion, or the step size from rest), so state which one is used',
    ),
    (
        'action-potential',
        'What happens in each phase?',
        'One suprathreshold stimulus; record V, m, h, n, conductances',
        'Rest, rising phase (Na+ activation), peak (about +40 mV), Na+ inactivation (h falls), K+ '
        'activation (n rises), undershoot below rest (about -75 mV in HH), recovery; each phase labelled '
        'on the figure',
    ),
    (
        'gates-overlap',
        'Are Na+ and K+ gates ever open at the same time?',
        'Same as action-potential',
        'Time course of Na open probability m^3 h and K open probability n^4: both well above rest levels'
        ' during the repolarizing phase (overlap interval reported in ms)',
    ),
    (
        'membrane-currents',
        'Why is total current outward in the falling phase although INa is inward?',
        'Same, record currents',
        'INa inward (negative) during the falling phase while IK outward exceeds it: net ionic current '
        'outward, capacitive current = -ionic current (Kirchhoff), shown on one plot',
    ),
    (
        'undershoot',
        'What is the undershoot for?',
        'Repetitive firing under a long step; control vs slowed/faster K+ deactivation',
        'Undershoot depth and duration; firing rate limited by it; changing K+ kinetics changes '
        'undershoot and rate',
    ),
    (
        'undershoot-recovery',
        'What is the undershoot for (Na+ channel recovery)?',
        'One spike, then a 1-ms test pulse at 4-30 ms; record h; compare with the undershoot '
        'removed (V clamped at rest from the moment it falls back to rest until the test pulse); '
        'HH squid axon (deep undershoot), textbook one click away',
        "h recovers during the undershoot faster and further than at rest (tau_h and h_inf from "
        "the model's closed form at rest and at the trough; the clamped h follows h_inf - (h_inf -"
        " h0) exp(-t/tau_h) within 1e-4); the test spike returns sooner with the undershoot (HH: "
        "from 17 ms vs 22.5 ms); in the textbook cell h recovers faster too but the open K+ "
        "channels make the test pulse fail (the effects compete)",
    ),
    (
        'refractory-period',
        "Why can't a patch fire again at once?",
        'Paired pulses at increasing intervals',
        'Absolute refractory period (no second spike at any tested strength) and relative refractory '
        'period (threshold elevated, decays back); both reported in ms and explained by h (Na+ '
        'inactivation) and n (K+ still open)',
    ),
    (
        'propagation',
        'How does the action potential travel?',
        'Unmyelinated axon from a soma/hillock; HH squid axon (radius 238 um, Ra 35.4 ohm*cm, 18.5 degC)',
        "Conduction velocity near HH's computed 18.8 m/s (measured 21.2 m/s); space-time plot; velocity "
        'grows about as sqrt(diameter)',
    ),
    (
        'one-way',
        'Why does it travel one way only?',
        'Stimulate the middle of an axon; stimulate both ends',
        'From the middle: two spikes travel outward and none turns back; from both ends: the two spikes '
        'collide and annihilate (refractory membrane behind each)',
    ),
    (
        'myelination',
        'How does myelin speed conduction?',
        'Myelinated axon (nodes of Ranvier + internodes) vs unmyelinated of the same diameter',
        'Saltatory conduction, velocity several times faster; velocity roughly proportional to diameter '
        '(about 6 m/s per um of fibre diameter in mammals)',
    ),
    (
        'synaptic-transmission',
        'How does the signal cross to the next cell?',
        'Presynaptic neuron fires; AP reaches terminal; Ca2+-triggered release; transmitter in the cleft '
        'with clearance; ionotropic receptors on the postsynaptic cell',
        'Postsynaptic EPSP, and an AP when strong enough; synaptic delay (presynaptic peak to EPSP onset)'
        ' about 0.5-1 ms; transmitter concentration trace shown',
    ),
    (
        'calcium-release',
        'Why does release need Ca2+?',
        'Presynaptic terminals (textbook channels, 37 degC) with a GHK high-voltage-activated Ca2+ '
        'channel, [Ca2+]o 0.25-4 mM, a Ca2+ sensor of cooperativity 4 on 20 release sites; Ca2+ channel block '
        '(Cd2+); the EPSP on a textbook cell',
        '[Ca2+]i under the membrane rises within about a ms of the spike (to about 15 uM at 2 mM);'
        ' Ca2+ entry proportional to [Ca2+]o (GHK, within 2% at low Ca2+); release and EPSP grow '
        'about as [Ca2+]o^4 at low [Ca2+]o (log-log slope 3.6-4, Dodge & Rahamimoff 1967: 3.8); '
        'block abolishes the EPSP',
    ),
    (
        'electrical-synapse',
        'How do electrical (gap junction) and chemical synapses differ?',
        'Textbook cells in pairs (37 degC): a gap junction (3 nS) beside an AMPA and a GABA_A '
        'synapse; a spike, then a hyperpolarizing step, in cell 1; then the step into cell 2; '
        'carbenoxolone blocks the junction',
        "Electrical: no synaptic delay beyond RC filtering (cell 2 moves before cell 1's spike "
        "crosses 0 mV), works both ways, passes hyperpolarization, a small slow spikelet "
        "(low-pass), coupling coefficient V2/V1 = g_c / (g_c + G2) within 1% (typically 0.05-0.3);"
        " chemical: 0.5-1 ms delay, one way, only a spike releases, sign set by the receptor (EPSP"
        " or IPSP from the same spike)",
    ),
    (
        'excitation-inhibition',
        'Can one cell get both kinds of input?',
        'Excitatory (AMPA/nicotinic-like) and inhibitory (GABA_A) synapses on one cell, at various '
        'timings and places',
        'EPSPs and IPSPs sum in time and space; inhibition near the soma vetoes firing; shunting '
        'inhibition with E_Cl near rest',
    ),
    (
        'postsynaptic-spike',
        'When does the next cell fire?',
        'k = 1-16 unitary AMPA EPSPs (about 1.2 mV each) onto the textbook cell (37 degC): all at '
        'once, spread over 20 ms, or at once with one GABA_A input; a current-clamp copy measures '
        'where the spike takes off',
        'One EPSP does not fire the cell; it fires once enough EPSPs sum (number needed reported);'
        ' the number matches the distance from rest to the point of no return for a brief input '
        '(the instantaneous I-V threshold, -62.0 mV, a closed form) over one EPSP within one '
        'input; spread-out inputs need more; inhibition raises the number',
    ),
    (
        'receptor-types',
        'Nicotinic vs muscarinic receptors?',
        'Same transmitter on an ionotropic (nicotinic: cation channel) and two metabotropic receptors '
        '(muscarinic M2: G protein opens a K+ channel; M1: G protein closes the M-type K+ channels)',
        'Nicotinic: fast depolarization (ms); M2: delayed, slow hyperpolarization (tens to hundreds of '
        'ms); M1: slow depolarization and more spikes for the same step (Brown & Adams 1980)',
    ),
    (
        'transmitter-clearance',
        'What if transmitter stays in the cleft?',
        'Normal clearance vs blocked enzyme/reuptake (e.g. acetylcholinesterase inhibition)',
        'Prolonged depolarization; receptor desensitization; depolarization block (Na+ inactivation keeps'
        ' the cell from firing)',
    ),
    (
        'pump-failure',
        'What if the Na+/K+ pump stops?',
        'Ion concentration dynamics with an electrogenic 3Na:2K pump; firing at a steady rate; pump '
        'switched off',
        'A single AP changes [Na]i by a tiny fraction (report it; order 1e-5 of the content for a typical'
        ' soma, more in thin axons); with the pump off, gradients run down over seconds to minutes, rest '
        'depolarizes, spikes shrink and finally fail',
    ),
    (
        'permeability',
        'What if Na+ and K+ permeability both increase?',
        'GHK with PNa and PK scaled together and separately',
        'Resting potential moves toward the permeability-weighted mean; spike amplitude falls, shunted',
    ),
    (
        'epilepsy',
        'Why does a depolarized rest lead to seizures?',
        'Network of recurrently connected excitatory and inhibitory cells; rest shifted from -70 to -60 '
        'mV in the excitatory cells',
        'Baseline: sparse, asynchronous firing; depolarized: much higher rates and synchronous population'
        ' bursts (synchrony index reported)',
    ),
    (
        'synapse-speed',
        'How do synapses affect how fast a signal travels?',
        'Chain of neurons connected by synapses vs one long axon of the same length',
        'Time spent in synaptic delays vs in conduction, reported',
    ),
    (
        'neuron-types',
        'What kinds of neurons are there?',
        'Sensory neuron (receptor potential coded as firing rate), interneuron (fast spiking), motor '
        'neuron / regular spiking, bursting',
        'Distinct firing patterns under the same step; f-I curves',
    ),
    (
        'neuron-shapes',
        'What shapes and roles do neurons have?',
        "Unipolar, bipolar, pseudo-unipolar (sensory) and multipolar (motor neuron) cells built "
        "from sections with the same channels (the textbook cell's Na+, K+ and leak as first tuned, "
        "36 degC: the 37-degC cell cannot hold a motor neuron's steady tone; dendrites a tenth as "
        "excitable); a 50-ms step where each one's input arrives; passive copies for the input "
        "resistance; the same shapes wired as the knee-jerk reflex arc (sensory -> interneuron -> "
        "motor): a stretch at the sensory ending, an AMPA synapse onto the extensor's motor neuron "
        "and onto an inhibitory interneuron, which inhibits the flexor's (strychnine blocks it)",
        "Each type drawn with where input arrives and where its axon goes, with its role (sensory,"
        " motor, interneuron; firing patterns in neuron-types); the sensory neuron's spike starts "
        "at its ending and runs past the soma to the central end; input resistance at the soma "
        "equal to the cable closed form (Rall) within 0.5%, lowest for the multipolar cell's large"
        " tree; in the reflex arc the sensory spike reaches the cord, the extensor's motor neuron "
        "fires one synaptic delay (0.5-1 ms) later and the flexor's is inhibited after it (two "
        "synapses) and fires less than without the interneuron; every latency is the sum of its "
        "stages, each measured alone",
    ),
)

#: Experiment names in the order of the questions.
ORDER: tuple[str, ...] = tuple(row[0] for row in PHENOMENA)
