def plot_pump_failure(res):
    raise NotImplementedError
