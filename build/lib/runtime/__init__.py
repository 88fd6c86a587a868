"""gra's runtime: the CLI, a whole run (``run``), and four rooms under it.

``pipeline/`` (rounds and samples) uses ``calls/`` (one model call), ``engines/`` (the
processes that serve models, and their weights) and ``storage/`` (the run database and
the files it exports); all of them read ``config`` (the run settings and the pool file).
``lint-imports`` holds the order (contracts in pyproject.toml).
"""

import signatures  # noqa: F401  (first: it sets LiteLLM's offline switch before DSPy loads)
