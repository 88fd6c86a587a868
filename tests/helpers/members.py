"""A pool member on a stand-in engine, and the settings the call tests share."""

import json

from runtime.calls.member_lm import MemberLM
from runtime.config import Retry

#: A valid CheckInstruction answer.
VALID = json.dumps({"reasonable": 1, "complete": 1, "clear": 1})
#: Retries as the pool allows them, without waiting between engine errors.
NO_WAIT = Retry(backoff_s=0.0)


def member(fake, name="m"):
    """A member LM of ``fake`` (a :class:`tests.helpers.fake_engine.FakeEngine`), seeded, without LiteLLM retries."""
    return MemberLM(name, api_base=fake.base_url, api_key="k", temperature=0.2, max_tokens=64, seed=7, num_retries=0)
