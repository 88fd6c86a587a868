"""Seed annotation: every seed gets a domain, keywords and a summary, then joins the dedup index.

Any member may annotate a seed (it is not a role draw), so each goes to the engine with a
slot free first. A seed whose annotation fails is settled as ``failed`` and never drawn.
The annotator's domain is kept as ``model_domain``; the seed's ``domain`` is the nearest
domain by embedding (:mod:`runtime.pipeline.domains`) unless ``SynthConfig.seed_domains``
is ``"model"``.
"""

from __future__ import annotations

import asyncio
import json

from rich.console import Console

from runtime.pipeline.domains import classify
from runtime.pipeline.embedding import warm_up
from runtime.progress.bars import progress_bars
from runtime.pipeline.run_index import RunIndex
from runtime.pipeline.team import Members, RoleFailed
from runtime.settings import SeedDomains
from runtime.storage.seeds import Seed
from signatures import DOMAINS


async def annotate_seeds(members: Members, index: RunIndex, seeds: list[Seed], source: str, console: Console) -> None:
    """Annotate every seed not yet settled (annotated or failed), then index the annotated ones."""
    done = members.store.settled_seed_ids()
    for seed in seeds:  # a seed that carries its annotation (gra annotate's output) is taken as it is
        if seed.id not in done and (row := given_row(seed, source)) is not None:
            members.store.put_seed(row)
            done.add(seed.id)
    todo = [s for s in seeds if s.id not in done]
    if todo:  # the seeds are embedded next: load the model while the engines annotate
        warm_up()
    by_embedding = members.config.seed_domains == SeedDomains.EMBEDDING
    # The engines start annotating at once; the domains are classified beside them in a thread,
    # since loading the embedder takes seconds and no seed row is written before its first answer.
    nearest = asyncio.create_task(asyncio.to_thread(nearest_domains, todo)) if by_embedding and todo else None
    with progress_bars(console) as progress:
        task = progress.add_task("annotating seeds", total=len(todo))

        async def one(seed: Seed, member: str) -> None:
            row = await annotated_row(members, seed, source, member)
            if row["status"] == "annotated" and nearest is not None:
                row["domain"] = (await nearest)[seed.id]
            members.store.put_seed(row)
            progress.advance(task)

        try:
            stopped = await members.drain(todo, one)
        except BaseException:
            if nearest is not None:
                nearest.cancel()
            raise
        if nearest is not None:
            await nearest  # raises a failed classification even when no annotation succeeded
        if stopped:  # every engine was given up: the seeds left stay unsettled
            members.drawable()  # and the run stops here (MembersDown), to annotate them on resume
    index.add_seeds()


def nearest_domains(seeds: list[Seed]) -> dict[str, str]:
    """Each seed's id and the domain nearest its instruction and input (:func:`runtime.pipeline.domains.classify`)."""
    return dict(zip([s.id for s in seeds], classify([(s.instruction, s.input) for s in seeds]), strict=True))


def given_row(seed: Seed, source: str) -> dict | None:
    """The ``seeds`` row of a seed whose file line has its keywords, summary and domain, or None.

    ``gra annotate`` writes such lines (``seeds.annotated.jsonl``): a run started from them
    makes no annotation call and draws from exactly those annotations.
    """
    keywords, summary, domain = (seed.extra.get(k) for k in ("keywords", "summary", "domain"))
    if not (isinstance(keywords, list) and keywords and all(isinstance(k, str) and k for k in keywords)):
        return None
    if not (isinstance(summary, str) and summary.strip() and domain in DOMAINS):
        return None
    row = {"id": seed.id, "source": source, "line": seed.line, "annotator": None, "status": "annotated"}
    row |= {"instruction": seed.instruction, "input": seed.input, "output": seed.output}
    return row | {"domain": domain, "model_domain": domain, "keywords": json.dumps(keywords), "summary": summary}


async def annotated_row(members: Members, seed: Seed, source: str, member: str) -> dict:
    """The ``seeds`` row of one seed annotated by ``member`` (``annotated`` or ``failed``), with the model's domain."""
    row = {"id": seed.id, "source": source, "line": seed.line, "annotator": member}
    row |= {"instruction": seed.instruction, "input": seed.input, "output": seed.output}
    try:
        p = await members.call(
            "annotator",
            member,
            lambda: members.roles_of(member).annotator.acall(
                instruction=seed.instruction, input=seed.input, output=seed.output
            ),
            seed_id=seed.id,
        )
    except RoleFailed:
        return row | {"status": "failed"}
    return row | {
        "domain": p.domain,
        "model_domain": p.domain,
        "keywords": json.dumps(p.keywords),
        "summary": p.summary,
        "status": "annotated",
    }
