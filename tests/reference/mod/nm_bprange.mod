COMMENT
excitable's test of RANGE PARAMETERs a BREAKPOINT with currents assigns on some paths and reads
before assigning on others (written for the purpose). NEURON keeps a PARAMETER in the instance's
data as it keeps an ASSIGNED, and its nrn_cur runs BREAKPOINT twice a step (at v + 0.001 mV, then
at v), each run from what the previous one left:
- mode 2 (Izhikevich 2007's izhi2007b.mod form, its b for the thalamocortical cell): w is set on
  both paths of a branch that mode, a PARAMETER nothing assigns, chooses; mode 1 reads w's own value;
- mode 1: w grows by 0.00002 in each run where v > -55 mV, so by 0.00004 a step, and keeps its value
  below (an accumulator of the PARAMETER).
ENDCOMMENT

NEURON {
    SUFFIX nm_bprange
    NONSPECIFIC_CURRENT i
    RANGE g, e, mode, w
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
PARAMETER {
    g = 0.002 (S/cm2)
    e = -70 (mV)
    mode = 1
    w = 1
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
}
BREAKPOINT {
    if (mode > 1) {
        if (v > -55) {
            w = 2
        } else {
            w = 0.5
        }
    } else {
        if (v > -55) {
            w = w + 0.00002
        }
    }
    i = g*w*(v - e)
}
