"""Excitability: how one patch of membrane fires an action potential, and what shapes it.

action-potential (its phases), all-or-none (threshold), gates-overlap (m^3 h and n^4), membrane-currents
(the falling phase), undershoot, refractory-period, voltage-clamp (the currents behind it) and
neuron-types (firing patterns of cell types). Declarations in ``declarations``; each experiment's figure
in ``NAME_figure``.
"""
