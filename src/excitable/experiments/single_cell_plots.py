"""Figures for the single-cell experiments (refractoriness, gates, currents, clamps, cell types)."""

from __future__ import annotations

import numpy as np

from excitable.experiments.style import COLORS, OKABE_ITO, new_figure


def plot_refractory_period(res):
    raise NotImplementedError
