"""Rich tables about a run and its prompt pack: presentation, kept out of storage."""
