"""Inside one LSTM cell at one step: every number of the textbook diagram, from a trace."""
