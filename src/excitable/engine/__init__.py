"""Engine: a model compiled into immutable arrays, stepped by pure functions under jit/scan/vmap/grad."""
