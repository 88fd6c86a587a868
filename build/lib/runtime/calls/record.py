"""A record of every model call, collected without touching DSPy's modules.

The coordinator opens a :func:`recording` scope around each role call; every LM call made
inside it (through :class:`runtime.calls.adapter.StructuredAdapter`) appends one
:class:`CallRecord` with the raw output, token counts, latency and a typed parse status.
Scopes are ``contextvars``, so concurrent asyncio tasks never see each other's calls.

Inside one attempt, the member's LM leaves what the engine sent (its response, or the text
a stopped stream had decoded) in the attempt's :func:`response_slot`, where the adapter
reads it to validate the engine's own bytes and to record the call.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

ParseStatus = Literal["ok", "repaired", "truncated", "invalid", "refused", "degenerate", "engine_error"]
PARSE_STATUSES: tuple[str, ...] = ParseStatus.__args__


@dataclass
class CallRecord:
    signature: str
    messages: list[dict[str, Any]]
    parse_status: ParseStatus = "ok"
    parse_detail: str | None = None
    raw_output: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    latency_s: float = 0.0
    started_at: str = ""
    model: str | None = None
    attempt: int = 0
    seed: int | None = None
    request_hash: str | None = None
    replay_of: int | None = None  # the ``lm_calls`` id this answer was served from, instead of the engine
    logprobs: list[dict[str, Any]] | None = None  # per decoded token: its logprob and top alternatives (judges' calls)


@dataclass
class CallLog:
    """The calls made inside one :func:`recording` scope, in order.

    ``scope`` names what the calls are for (e.g. ``"reviewer:r1-00003"``); it is part of
    every request's hash, so the replay cache never serves one sample's answer to another.
    """

    calls: list[CallRecord] = field(default_factory=list)
    scope: str | None = None
    seat: int = 0  # which of one member's seats in one role these calls fill; it shifts the sampling seed


_CURRENT: contextvars.ContextVar[CallLog | None] = contextvars.ContextVar("gra_call_log", default=None)


def current() -> CallLog | None:
    return _CURRENT.get()


@contextmanager
def recording(scope: str | None = None, seat: int = 0) -> Iterator[CallLog]:
    """Collect the calls made inside the ``with`` block (and the tasks it awaits)."""
    log = CallLog(scope=scope, seat=seat)
    token = _CURRENT.set(log)
    try:
        yield log
    finally:
        _CURRENT.reset(token)


_SLOT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("gra_response_slot", default=None)


def response_slot() -> dict[str, Any] | None:
    """The slot of the attempt in flight in this task, or None outside one."""
    return _SLOT.get()


@contextmanager
def attempt_slot(**initial: Any) -> Iterator[dict[str, Any]]:
    """A fresh slot for one attempt, visible to the LM call made inside the block."""
    slot: dict[str, Any] = dict(initial)
    token = _SLOT.set(slot)
    try:
        yield slot
    finally:
        _SLOT.reset(token)


def compact_logprobs(logprobs: Any) -> list[dict[str, Any]] | None:
    """An engine's ``logprobs`` (OpenAI's ``{"content": [...]}``) as plain lists: per token its text, log-probability
    and top alternatives, without the byte arrays. None when there are none."""
    content = (logprobs or {}).get("content") if isinstance(logprobs, dict) else getattr(logprobs, "content", None)
    if not content:
        return None

    def get(entry: Any, key: str) -> Any:
        return entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)

    return [
        {
            "token": get(t, "token"),
            "logprob": get(t, "logprob"),
            "top_logprobs": [
                {"token": get(a, "token"), "logprob": get(a, "logprob")} for a in get(t, "top_logprobs") or []
            ],
        }
        for t in content
    ]
