: GLOBAL PARAMETERs used as scratch, as org.neuroml.export's generated concentration models do
: (OpenSourceBrain Thalamocortical cad__*.mod: initialConcentration = cai then concentration =
: initialConcentration in INITIAL; surfaceArea = area then iCa = ... * surfaceArea in rates(), which
: INITIAL and the DERIVATIVE call). Every read follows the same instance's assignment in the same
: block run, so NEURON's one value is each instance's own when read. x0 and sa come from values of
: each instance (v, area): a compartment reading another's would start and relax elsewhere.
NEURON {
    SUFFIX nm_gscratch
    NONSPECIFIC_CURRENT i
    RANGE g
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER {
    g = 0.0005 (S/cm2)
    x0 (mV)
    sa (um2)
}
ASSIGNED { v (mV) i (mA/cm2) area (um2) rate (mV/ms) }
STATE { s (mV) }
INITIAL {
    x0 = v + 0.01*area/(1 (um2/mV))
    rates()
    s = x0
}
BREAKPOINT {
    SOLVE st METHOD cnexp
    i = g*(v - s)
}
DERIVATIVE st {
    rates()
    s' = rate
}
PROCEDURE rates() {
    sa = area
    rate = (v - s)/(1 (ms) + sa/(100 (um2/ms)))
}
