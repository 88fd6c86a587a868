"""A stand-in engine that answers as a scripted committee (:class:`tests.helpers.committee.Committee`)."""

import pytest

from tests.helpers.committee import Committee
from tests.helpers.fake_engine import FakeEngine


@pytest.fixture
def committee_engine():
    engine = FakeEngine([])
    engine.respond = Committee()
    yield engine
    engine.close()
