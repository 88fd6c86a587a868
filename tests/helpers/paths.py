"""Where the tests find the checkout's files and the shared seeds beside it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "seeds.jsonl"
SHARED = ROOT.parent / "shared" / "seeds"
SNAPSHOTS = ROOT / "tests" / "snapshots"
