COMMENT
excitable's test of per-NetCon state under a spike train with several spikes in one time step
(written for the purpose): a Tsodyks-Markram synapse in its three-state form (Tsodyks, Pawelzik &
Markram 1998), whose state belongs to each NetCon, the form published synapse files use. The
NET_RECEIVE arguments after the weight (NEURON's weight[1..4] of the NetCon) are the NetCon's
resources in use y, inactive z, utilization u and the time of its last event tsyn; the INITIAL
inside NET_RECEIVE starts them once per NetCon (u at u0, tsyn at finitialize's t). At an event,
over the time d since the NetCon's last one, y decays into z with tau_in and z recovers with
tau_rec (the two exponentials solved exactly), u decays towards 0 with tau_facil and then jumps by
U (1 - u); the free resources x = 1 - y - z open the conductance by weight u x and a fraction u of
them goes into use. ulast, tlast and xlast copy the delivering NetCon's u, tsyn and x (recordable).
ENDCOMMENT

NEURON {
    POINT_PROCESS ev_tmnc
    RANGE tau, e, i, g, U, u0, tau_in, tau_rec, tau_facil, ulast, tlast, xlast
    NONSPECIFIC_CURRENT i
}
UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}
PARAMETER {
    tau = 3 (ms)
    e = 0 (mV)
    U = 0.2
    u0 = 0.1
    tau_in = 3 (ms)
    tau_rec = 80 (ms)
    tau_facil = 30 (ms)
}
ASSIGNED {
    v (mV)
    i (nA)
    ulast
    tlast (ms)
    xlast
}
STATE { g (uS) }
INITIAL {
    g = 0
    ulast = 0
    tlast = -1
    xlast = 0
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state {
    g' = -g/tau
}
NET_RECEIVE(weight (uS), y, z, u, tsyn (ms)) {
    LOCAL d, ein, erec, x
    INITIAL {
        y = 0
        z = 0
        u = u0
        tsyn = t
    }
    d = t - tsyn
    ein = exp(-d/tau_in)
    erec = exp(-d/tau_rec)
    : z gains what leaves y (tau_in) and loses what recovers (tau_rec): dz/dt = y/tau_in - z/tau_rec
    z = z*erec + y*(ein - erec)*tau_rec/(tau_in - tau_rec)
    y = y*ein
    u = u*exp(-d/tau_facil)
    u = u + U*(1 - u)
    x = 1 - y - z
    g = g + weight*u*x
    y = y + u*x
    tsyn = t
    ulast = u
    tlast = tsyn
    xlast = x
}
