"""What several tests share: stand-in engines, the CLI runner, reference algorithms, paths."""
