"""Cables and axons: how signals spread along axons, dendrites and whole cells.

graded-potential (passive decay, length constant), propagation (conduction velocity), one-way (why a
spike does not turn back), myelination (saltatory conduction) and morphology (a reconstructed cell).
Declarations in ``declarations``; each experiment's figure in ``NAME_figure``.
"""
