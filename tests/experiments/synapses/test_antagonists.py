"""Receptor antagonists, the teaching toggles of the synapse experiments: blocking all receptors
removes the response (conductance scaled by 1 - fraction blocked, so a full block is exactly zero)."""

from excitable import experiments


def test_full_antagonist_abolishes_the_epsp_and_the_spike():
    control = experiments.run("synaptic-transmission", gmax=0.02).summary
    blocked = experiments.run("synaptic-transmission", gmax=0.02, antagonist=1.0).summary
    assert control["postsynaptic_fired"] and control["epsp_amplitude_mV"] > 10.0
    assert not blocked["postsynaptic_fired"] and blocked["epsp_amplitude_mV"] == 0.0


def test_bicuculline_lifts_the_somatic_veto():
    control = experiments.run("excitation-inhibition").summary
    blocked = experiments.run("excitation-inhibition", bicuculline=1.0).summary
    assert control["n_spikes_with_soma_inhibition"] == 0
    assert blocked["n_spikes_with_soma_inhibition"] == blocked["n_spikes_excitation_alone"] >= 1
