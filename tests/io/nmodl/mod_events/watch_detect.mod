COMMENT
excitable's test of WATCH (written for the purpose): a threshold detector. INITIAL sends itself an
event at t = 0 (flag 1), which arms WATCH (v > thresh); each rise of v above thresh then comes back
as an event of flag 2 at the start of the next step, which counts it, keeps its time and sends a
spike (net_event). The watch stays armed, so it fires at every rise. With thresh below the V at
arming, the condition is already true then and NEURON waits until it has been false again. With
toggle = 1, each spike runs WATCH (v < lo) 3, which removes the first watch (a WATCH run in
NET_RECEIVE replaces all the instance's watches), and the event of flag 3 arms v > thresh again:
a detector with hysteresis. An input event (flag 0, a NetCon's) counts in nin and re-arms
v > thresh. With resend > 0, the event of flag 1 also sends itself an event of flag 5 resend ms
later, which does the same. At the step where v rises past thresh, NEURON delivers such an event
before it tests the watches if its time is at most the step's t (the re-armed watch then finds the
condition already true: that rise gives no spike), after them if it is later.
ENDCOMMENT

NEURON {
    POINT_PROCESS watch_detect
    RANGE thresh, lo, toggle, resend, count, tlast, tarm, nlow, nin
}
PARAMETER {
    thresh = -20 (mV)
    lo = -70 (mV)
    toggle = 0
    resend = 0 (ms)
}
ASSIGNED {
    v (mV)
    count
    tlast (ms)
    tarm (ms)
    nlow
    nin
}
INITIAL {
    count = 0
    tlast = -1
    tarm = -1
    nlow = 0
    nin = 0
    net_send(0, 1)
}
NET_RECEIVE (w) {
    if (flag == 1) {
        WATCH (v > thresh) 2
        tarm = t
        if (resend > 0) {
            net_send(resend, 5)
        }
    } else if (flag == 2) {
        count = count + 1
        tlast = t
        net_event(t)
        if (toggle == 1) {
            WATCH (v < lo) 3
        }
    } else if (flag == 3) {
        nlow = nlow + 1
        WATCH (v > thresh) 2
    } else if (flag == 0 || flag == 5) {
        nin = nin + 1
        WATCH (v > thresh) 2
    }
}
