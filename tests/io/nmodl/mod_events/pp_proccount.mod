COMMENT
Test point process (issue 18): a threshold counter in a SOLVE'd PROCEDURE reading t, the form of
ModelDB 114355's spike.mod (`SOLVE check`: spike_count, spike_time, an ISI frequency) and 113997's
APCounter2.mod. NEURON's nrn_state calls it once per step at the step's end (t + dt), after V is
known: count, last and isi are ASSIGNED variables it reads before it sets them, kept from step to
step. No current.
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_proccount
    RANGE thresh, count, last, isi, above
}

PARAMETER { thresh = -20 (mV) }

ASSIGNED { v (mV) count last (ms) isi (ms) above }

INITIAL {
    count = 0
    last = -1
    isi = 0
    above = 0
    if (v > thresh) { above = 1 }
}

BREAKPOINT { SOLVE check }

PROCEDURE check() {
    if (above && v < thresh) {
        above = 0
    }
    if (!above && v > thresh) {
        above = 1
        count = count + 1
        if (last >= 0) { isi = t - last }
        last = t
    }
}
