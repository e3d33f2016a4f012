"""A guided lesson: steps as data (a config, a view, a note whose numbers come from that step's live model)."""
