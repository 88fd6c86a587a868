"""The statuses a sample moves through, as one enum.

``generating`` → ``reviewing`` → (``adjudicating``) → ``passed`` (awaiting dedup), and then
exactly one terminal status. A sample whose code or math the verification stage ran and
found wrong ends ``rejected_verification`` under ``--verify gate``, before any score sheet.
Members are plain strings in the database and compare equal to them.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    GENERATING = "generating"
    REVIEWING = "reviewing"
    ADJUDICATING = "adjudicating"
    PASSED = "passed"
    ACCEPTED = "accepted"
    REJECTED_STEERING = "rejected_steering"
    REJECTED_INSTRUCTION = "rejected_instruction"
    REJECTED_VERIFICATION = "rejected_verification"  # its code or math was run and contradicted it (--verify gate)
    REJECTED_SCORE = "rejected_score"
    REJECTED_ADJUDICATION = "rejected_adjudication"
    DUPLICATE = "duplicate"
    FAILED = "failed"


#: A sample here was cut off mid-way by a crash: it starts over on resume.
UNFINISHED = (Status.GENERATING, Status.REVIEWING, Status.ADJUDICATING)
#: Past the committee, waiting for the round's deduplication.
IN_FLIGHT = (*UNFINISHED, Status.PASSED)
#: Where a sample ends, once and for all.
TERMINAL = tuple(s for s in Status if s not in IN_FLIGHT)

#: SQL for a copy of what its generator was shown: a duplicate never scored, though it had
#: reviewers (with ``--reviewers 0`` nothing is scored, and a duplicate was dropped by dedup).
COPY = "status = 'duplicate' and mean is null and coalesce(reviewers, '') != '[]'"

#: Calls whose answer is final and can be served again on resume (an engine error is not an answer).
REPLAYABLE = ("ok", "repaired", "truncated", "invalid", "refused", "degenerate")
#: What another run's calls serve a run answered from them (``Members.answer_from``): engine errors too, so
#: each request meets what it met there, its retry included, and the two runs see the very same texts.
RECORDED = (*REPLAYABLE, "engine_error")


def sql_list(statuses: tuple[str, ...]) -> str:
    """``statuses`` as an SQL list literal, for a ``status in (...)`` clause.

    >>> sql_list(UNFINISHED)
    "('generating', 'reviewing', 'adjudicating')"
    """
    return "(" + ", ".join(f"'{s}'" for s in statuses) + ")"
