"""The run's settings read back, and the dataset card of an export."""

from runtime.storage.card import dataset_card, pool_line, run_settings
from runtime.storage.store import Store
from tests.helpers.run_dirs import POOL, make_run


def test_the_first_invocations_settings_and_pool(tmp_path):
    settings = run_settings(Store(make_run(tmp_path / "run") / "gra.db"))
    assert settings["command"] == "synth" and settings["options"]["tau"] == 8.0
    assert pool_line(settings["pool"]) == "tiny: " + ", ".join(f"m{i} (smollm2-135m-instruct)" for i in range(5))
    assert settings["pool"] == POOL


def test_a_card_without_a_database_still_names_its_splits_and_the_paper(tmp_path):
    card = dataset_card(tmp_path, {"gra": 4})
    assert card.startswith("---\n") and "| gra | 4 |" in card and "## Funnel" not in card
    assert "arXiv:2504.12322" in card


def test_a_resume_adds_its_settings_and_the_card_keeps_the_first(tmp_path):
    store = Store(make_run(tmp_path / "run") / "gra.db")
    store.start_run(0, {"synth": {"tau": 7.0}, "pool": POOL})
    assert [c["synth"]["tau"] for c in store.run_configs()] == [8.0, 7.0]
    assert run_settings(store)["options"]["tau"] == 8.0
