"""Workflows built on the engine and the experiments: what a user runs many simulations for.

- ``fitting``: fit chosen parameters of a simulation to a recording or to its features, by gradient
  descent through the whole run (``ex.fit``, ``ex.loss_function``, ``ex.FitResult``);
- ``features``: the features of a trace a fit can match (spike times, rate, rest) and their loss
  (``ex.Features``);
- ``sweeping``: run an experiment over a grid of parameter values, locally or on a Dask cluster,
  into one table and figure (``ex.sweep``, ``ex.parse_axis``);
- ``journal``: a sweep's journal (the rows as they arrive, to resume from) and the lock that gives a
  folder to one sweep at a time.

The modules are named for the activity (``fitting``, ``sweeping``) so that the public functions
``ex.fit`` and ``ex.sweep`` never share a name with a module. Nothing is imported here: each module
loads JAX (or Dask) only when it is used.
"""
