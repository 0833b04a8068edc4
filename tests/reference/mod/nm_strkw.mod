: A leak whose INITIAL prints text holding the words BEFORE, AFTER and FOR_NETCONS (netpyne's
: RL_arm stdp.mod prints "(BEFORE)" and "(AFTER)"): words of a string, no blocks.
NEURON {
    SUFFIX nm_strkw
    NONSPECIFIC_CURRENT i
    RANGE g, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
INITIAL {
    printf("nm_strkw (BEFORE) v=%g {\n", v)
    printf("nm_strkw (AFTER) FOR_NETCONS WHILE v=%g\n", v)
}
BREAKPOINT {
    i = g*(v - e)
}
