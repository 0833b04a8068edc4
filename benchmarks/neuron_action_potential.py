"""The NEURON script that does what ``excitable run action-potential --json`` does (bench_cli.py times it).

One 20 x 20 um section with hh (exact rates), 6.3 degC, dt 0.025 ms, a 1 ms pulse of 14 uA/cm2 at
5 ms, 30 ms; peak and undershoot found with numpy; the summary printed as one JSON object.
"""

import json
import math

import numpy as np
from neuron import h

h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.L = soma.diam = 20.0
soma.insert("hh")
h.usetable_hh = 0
stim = h.IClamp(soma(0.5))
stim.delay, stim.dur, stim.amp = 5.0, 1.0, 14.0 * math.pi * 20.0 * 20.0 * 1e-5  # uA/cm2 -> nA
v_vec = h.Vector().record(soma(0.5)._ref_v)
t_vec = h.Vector().record(h._ref_t)
h.dt, h.secondorder, h.celsius = 0.025, 0, 6.3
h.finitialize(-65.0)
h.continuerun(30.0)

t, v = t_vec.as_numpy(), v_vec.as_numpy()
k_peak = int(np.argmax(v))
k_under = k_peak + int(np.argmin(v[k_peak:]))
print(json.dumps({"rest_mV": float(v[t < 5.0][-1]), "peak_mV": float(v[k_peak]),
                  "peak_time_ms": float(t[k_peak]),
                  "undershoot_mV": float(v[k_under]), "undershoot_time_ms": float(t[k_under]),
                  "n_spikes": int(np.sum((v[:-1] < 0) & (v[1:] >= 0)))}))
