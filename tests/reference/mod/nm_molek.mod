COMMENT
Test mechanism: named constants of compound units, read as NEURON's nocmodl reads them, and a
sodium current whose reversal is Nernst's from R and F.

- R = (mole k) (mV-coulomb/degC): ModelDB 112359's hh3.mod and cachan.mod (a space and '-'
  multiply, mV declared below, the k of (mole k) is Boltzmann's constant);
- R1 = (k-mole) (joule/degC), FK = (faraday) (kilocoulombs): the forms of many published files
  (a prefix and a plural 's' on coulomb);
- C = (c) (cm/sec): the speed of light, the example of NEURON's NMODL documentation;
- MM = (millimolar) (micro/liter): a unit this block declares, with a prefix on it;
- A2 = (cm2) (micron2): powers;
- E3 = (1e-3 coulomb) (1): the 'e' is the elementary charge for NEURON, no exponent
  (nrnunits.lib writes 1e-3 as 1-3: Q3 = (1-3 coulomb) (1) is 0.001).
Each is returned by a FUNCTION, read through h beside excitable's value.
ENDCOMMENT

NEURON {
    SUFFIX nm_molek
    USEION na READ nai WRITE ina
    RANGE gbar, enak
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (molar) = (1/liter)
    (mM) = (millimolar)
    F = (faraday) (coulomb)
    R = (mole k) (mV-coulomb/degC)
    R1 = (k-mole) (joule/degC)
    FK = (faraday) (kilocoulombs)
    C = (c) (cm/sec)
    MM = (millimolar) (micro/liter)
    A2 = (cm2) (micron2)
    E3 = (1e-3 coulomb) (1)
    Q3 = (1-3 coulomb) (1)
}

PARAMETER {
    gbar = 0.001 (S/cm2)
    nao = 145 (mM)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    nai (mM)
    ina (mA/cm2)
    enak (mV)
}

BREAKPOINT {
    enak = R*(celsius + 273.15)/F*log(nao/nai)
    ina = gbar*(v - enak)
}

FUNCTION getR() { getR = R }
FUNCTION getF() { getF = F }
FUNCTION getR1() { getR1 = R1 }
FUNCTION getFK() { getFK = FK }
FUNCTION getC() { getC = C }
FUNCTION getMM() { getMM = MM }
FUNCTION getA2() { getA2 = A2 }
FUNCTION getE3() { getE3 = E3 }
FUNCTION getQ3() { getQ3 = Q3 }
