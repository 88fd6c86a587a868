"""Rounds and samples: the GRA loop itself.

``coordinator`` runs the rounds, ``sample`` takes one candidate through its stages,
``judges`` runs the committee on it (``check_order`` and ``score_order``: who is asked
first for the checks and for the score sheets), ``team`` holds the members and makes each
recorded role call within its engine's limit, ``annotation`` annotates the seeds,
``run_index``/``dedup``/``recovery`` keep the dedup index, ``copies`` catches a generator's
copy of its demos, ``embedding`` forwards texts to the embedding engine.

May import: gra_agents, runtime.calls, runtime.engines, runtime.storage, runtime.config,
runtime.files. Never imported by those.
"""

from runtime.pipeline.coordinator import Coordinator, NothingToGenerateFrom
from runtime.pipeline.team import Members, MembersDown, RoleFailed, Roles, Team

__all__ = ["Coordinator", "Members", "MembersDown", "NothingToGenerateFrom", "RoleFailed", "Roles", "Team"]
