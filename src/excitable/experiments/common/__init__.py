"""What the experiments share: parameter declarations (``params``), the single-compartment models and
pulse protocols (``models``), running many points as vmapped batches (``batching``) and the figures'
palette and helpers (``figures``).

Nothing here imports an experiment; experiments import from here, never from each other's private
names.
"""
