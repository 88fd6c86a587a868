"""gra's runtime: engines and their supervisor, pool files, the coordinator, the run store, the dedup index, the CLI."""
