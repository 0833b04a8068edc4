COMMENT
A point process that only reads its node's area (excitable's test of NEURON's value at a section's
ends: a node without membrane has 100 um2 there; a point process reading diam cannot go there).
ENDCOMMENT

NEURON {
    POINT_PROCESS pp_area
    RANGE a
}
ASSIGNED {
    area (um2)
    a (um2)
}
INITIAL {
    a = area
}
