"""Synapses and networks: how a signal crosses to the next cell, and what many cells do together.

synaptic-transmission, excitation-inhibition, receptor-types (nicotinic and muscarinic),
transmitter-clearance (acetylcholinesterase), synapse-speed (a chain of neurons) and epilepsy (a network
with a depolarized rest). Declarations in ``declarations``; each experiment's figure in ``NAME_figure``.
"""
