COMMENT
Na+/K+ pump of excitable.physics.pumps.NaKPump (Kager, Wadman & Somjen 2000 form), for the side-by-side
test tests/reference/test_neuron_pump.py:
    ipump = imax / (1 + km_k/ko)^2 / (1 + km_na/nai)^3      (3 Na+ out, 2 K+ in per cycle)
and the accumulation of nai and ki over the whole cross-section of the section (volume / area = diam/4):
    d nai/dt = -ina * 4 / (diam F)   (excitable.engine.ions.advance_pools, explicit in the currents)
ENDCOMMENT

NEURON {
    SUFFIX nakpump_ex
    USEION na READ nai WRITE ina
    USEION k READ ko WRITE ik
    RANGE imax, km_na, km_k, ipump
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
}

PARAMETER {
    imax = 0.013 (mA/cm2)
    km_na = 10 (mM)
    km_k = 2 (mM)
}

ASSIGNED {
    nai (mM)
    ko (mM)
    ina (mA/cm2)
    ik (mA/cm2)
    ipump (mA/cm2)
}

BREAKPOINT {
    ipump = imax / ((1 + km_k / ko) * (1 + km_k / ko) * (1 + km_na / nai) * (1 + km_na / nai) * (1 + km_na / nai))
    ina = 3 * ipump
    ik = -2 * ipump
}
