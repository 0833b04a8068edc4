COMMENT
excitable's test of WATCH (written for the purpose): a threshold detector. INITIAL sends itself an
event at t = 0 (flag 1), which arms WATCH (v > thresh); each rise of v above thresh then comes back
as an event of flag 2 at the start of the next step, which counts it, keeps its time and sends a
spike (net_event). The watch stays armed, so it fires at every rise. With thresh below the V at
arming, the condition is already true then and NEURON waits until it has been false again.
ENDCOMMENT

NEURON {
    POINT_PROCESS watch_detect
    RANGE thresh, count, tlast, tarm
}
PARAMETER { thresh = -20 (mV) }
ASSIGNED {
    v (mV)
    count
    tlast (ms)
    tarm (ms)
}
INITIAL {
    count = 0
    tlast = -1
    tarm = -1
    net_send(0, 1)
}
NET_RECEIVE (w) {
    if (flag == 1) {
        WATCH (v > thresh) 2
        tarm = t
    } else if (flag == 2) {
        count = count + 1
        tlast = t
        net_event(t)
    }
}
