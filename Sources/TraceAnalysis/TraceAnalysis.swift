// Analysis over the trace model.
