: an artificial cell: w[] set in INITIAL, read and rewritten by NET_RECEIVE
NEURON { ARTIFICIAL_CELL am_art RANGE n, w }
ASSIGNED { w[3] n }
INITIAL {
  n = 0
  FROM j = 0 TO 2 { w[j] = 1 + j }
}
NET_RECEIVE(weight) {
  n = n + w[1]
  w[2] = w[2] + 1
  if (n > 3) {
    net_event(t)
    n = w[2] - w[0]
  }
}
