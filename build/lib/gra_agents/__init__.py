"""gra: instruction-tuning data from a team of small language models (GRA, Gao et al., ACL 2025).

The public Python API: the committee rule, the role draw and the role modules.
Every role is a plain ``dspy.Module``, so it runs with any DSPy LM and adapter and can
be compiled with DSPy optimizers::

    import dspy
    from gra_agents import Reviewer, verdict

    with dspy.context(lm=dspy.LM("openai/gpt-4o-mini")):
        r = Reviewer()(instruction="Add 2 and 3.", input="", response="5")
    verdict([r.scores, [9, 9, 9, 9, 9, 9]]).decision
"""

import signatures  # noqa: F401  (first: it sets LiteLLM's offline switch before DSPy loads)
from gra_agents.adjudicator import Adjudicator
from gra_agents.annotator import SeedAnnotator
from gra_agents.assignment import (
    ROLE_DRAWS,
    RoleAssignment,
    assign_roles,
    committee_roles,
    fixed_roles,
    parse_role_draw,
    reliability_committee,
    reliability_roles,
    round_roles,
    sample_rng,
    single_member_roles,
    single_reviewer_roles,
)
from gra_agents.committee import (
    DEFAULT_DELTA,
    DEFAULT_TAU,
    VOTES,
    Verdict,
    Vote,
    adjudication_accepts,
    rejected_already,
    verdict,
)
from gra_agents.generator import Generator
from gra_agents.refiner import Refiner
from gra_agents.reviewer import Reviewer
from gra_agents.steering import steering
from gra_agents.summarizer import Summarizer

__all__ = [
    "Adjudicator",
    "DEFAULT_DELTA",
    "DEFAULT_TAU",
    "Generator",
    "Refiner",
    "Reviewer",
    "RoleAssignment",
    "SeedAnnotator",
    "Summarizer",
    "VOTES",
    "Verdict",
    "Vote",
    "adjudication_accepts",
    "rejected_already",
    "ROLE_DRAWS",
    "assign_roles",
    "fixed_roles",
    "parse_role_draw",
    "reliability_committee",
    "reliability_roles",
    "single_member_roles",
    "committee_roles",
    "round_roles",
    "sample_rng",
    "single_reviewer_roles",
    "steering",
    "verdict",
]
