"""What one attempt of a model call came to: the engine's facts, its typed parse status, and its record.

:class:`runtime.calls.adapter.StructuredAdapter` runs the attempts; this module reads what
each left in its response slot (:mod:`runtime.calls.record`) and files it in the call log.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from runtime.calls import record as call_log
from runtime.calls.member_lm import response_facts
from runtime.calls.schema import ParseFailure


def attempt_facts(slot: dict[str, Any]) -> dict[str, Any]:
    """What one call's response slot says: the engine's response, or what a stopped stream had decoded."""
    facts = response_facts(slot.get("entry")) or dict(slot.get("stopped", {}))
    if facts and slot.get("streamed_text"):
        facts["raw_output"] = slot["streamed_text"]
    return facts


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def classify(
    facts: dict[str, Any], failure: ParseFailure | None, repairs: list[str] | None, error: BaseException | None
) -> tuple[str, str | None]:
    """The parse status (and detail) of one finished call."""
    if failure is not None and failure.status == "degenerate":
        return failure.status, failure.detail
    if error is not None and not facts:
        return "engine_error", f"{type(error).__name__}: {str(error)[:300]}"
    if facts.get("finish_reason") == "length":
        return "truncated", f"finish_reason=length after {facts.get('completion_tokens')} tokens"
    if failure is not None:
        return failure.status, failure.detail
    if error is not None:
        return "invalid", f"{type(error).__name__}: {str(error)[:300]}"
    if repairs:
        return "repaired", "; ".join(repairs)
    return "ok", None


def record_attempt(
    signature, lm_kwargs, demos, inputs, adapter, slot, facts, status, detail, started, latency, attempt, key
):
    """File one finished attempt in the current call log (if a scope is recording), with its typed status."""
    log = call_log.current()
    if log is None:
        return
    messages = (slot.get("entry") or {}).get("messages")
    if messages is None:
        try:
            messages = adapter.format(signature, demos, inputs)
        except Exception:  # formatting already failed once; keep the call anyway
            messages = []
    log.calls.append(
        call_log.CallRecord(
            signature=signature.__name__,
            messages=copy.deepcopy(list(messages)),
            parse_status=status,
            parse_detail=detail,
            latency_s=latency,
            started_at=started,
            attempt=attempt,
            seed=lm_kwargs.get("seed"),
            request_hash=key,
            logprobs=slot.get("logprobs"),
            **{
                k: facts.get(k)
                for k in ("raw_output", "finish_reason", "prompt_tokens", "completion_tokens", "cached_tokens", "model")
            },
        )
    )
