"""Membrane and ions: why the inside is negative and what moves it.

resting-potential (Nernst and GHK), hyper-depolarization (opening K+, Cl- or Na+ channels),
permeability (scaling Na+ and K+ permeabilities together), pump-failure (the Na+/K+ pump blocked).
Declarations in ``declarations``; each experiment's figure in ``NAME_figure``.
"""
