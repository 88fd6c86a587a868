"""The DSPy LM of one pool member.

A member is (name, endpoint, model, sampling). Each gets its own ``hosted_vllm/<alias>``
model string, so DSPy's cache can never hand one member's answer to another, and DSPy's
response cache is off: every call of a synthesis run is a fresh sample.

A member whose engine runs several replicas (``Endpoint.replicas``) sends each call to the
least busy one: pass ``replicas=endpoint.replicas``; ``api_base`` is then only the default.

Async calls stream the answer through a :class:`runtime.calls.repetition.RepetitionGuard`: when
the text falls into a loop, the stream is closed (llama-server and SGLang stop decoding a
request whose client went away) and the call raises :class:`runtime.calls.repetition.DegenerateOutput`
with what had been decoded.
``repetition_span=0`` turns the guard off. Sync calls are not streamed;
:class:`runtime.calls.adapter.StructuredAdapter` applies the same rule to their finished answers.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

import dspy
from dspy.utils.exceptions import LMError

from runtime.calls.record import response_slot
from runtime.calls.repetition import SPAN, DegenerateOutput, RepetitionGuard


class Replicas(Protocol):
    """An engine's servers of one model (``runtime.engines.replicas.ReplicaSet`` is one)."""

    def __len__(self) -> int: ...

    def use(self) -> AbstractContextManager[str]:
        """The base URL of the least busy server, held busy for the block."""
        ...


class MemberLM(dspy.LM):
    """A ``dspy.LM`` that knows which member it is and which constraint dialect its engine speaks."""

    def __init__(
        self,
        member: str,
        *,
        api_base: str,
        api_key: str,
        dialect: str = "json_schema",
        replicas: Replicas | None = None,
        repetition_span: int = SPAN,
        served_model: str | None = None,
        **kwargs: Any,
    ):
        kwargs.setdefault("cache", False)
        model = served_model or f"gra-{member}"  # an outside endpoint's own model name (gra report --judge URL)
        super().__init__(f"hosted_vllm/{model}", api_base=api_base, api_key=api_key, **kwargs)
        self.member = member
        self.dialect = dialect
        self.replicas = replicas if replicas is not None and len(replicas) > 1 else None
        self.repetition_span = repetition_span

    def __call__(self, prompt=None, *, messages=None, **kwargs):
        if self.replicas is None or "api_base" in kwargs:
            return super().__call__(prompt, messages=messages, **kwargs)
        with self.replicas.use() as url:
            return super().__call__(prompt, messages=messages, api_base=url, **kwargs)

    async def acall(self, prompt=None, *, messages=None, **kwargs):
        if self.replicas is None or "api_base" in kwargs:
            return await self._guarded(prompt, messages, kwargs)
        with self.replicas.use() as url:
            return await self._guarded(prompt, messages, {**kwargs, "api_base": url})

    async def _guarded(self, prompt, messages, kwargs):
        """The call, streamed through a repetition guard that stops it inside a loop.

        A caller that streams for itself (``dspy.streamify``) keeps its stream; its calls go unguarded.
        A call that asks for ``logprobs`` (a judge's, whose answer the schema keeps short) is not
        streamed: the token probabilities come back whole with the answer.
        """
        if self.repetition_span <= 0 or dspy.settings.send_stream is not None or kwargs.get("logprobs"):
            return await super().acall(prompt, messages=messages, **kwargs)
        guard = RepetitionGuard(self.repetition_span)
        try:
            with dspy.settings.context(send_stream=_GuardedSink(guard)):
                result = await super().acall(prompt, messages=messages, **kwargs)
        except (LMError, _LoopFound):
            if guard.repetition is not None:
                raise DegenerateOutput(guard.repetition, guard.text, guard.pieces) from None
            raise
        slot = response_slot()
        if slot is not None:  # the engine's own bytes (a streamed JSON answer may reach DSPy only parsed)
            slot["streamed_text"] = guard.text
        return result

    def update_history(self, entry: dict) -> None:
        slot = response_slot()
        if slot is not None:
            slot["entry"] = entry
        super().update_history(entry)

    def copy(self, **kwargs):
        new = super().copy(**kwargs)
        new.member, new.dialect, new.replicas = self.member, self.dialect, self.replicas
        new.repetition_span = self.repetition_span
        return new


class _LoopFound(Exception):
    pass


class _GuardedSink:
    """Where DSPy sends a streamed call's chunks (in place of a listener's stream): each goes
    through the guard as it arrives. Raising inside a loop makes DSPy close the engine's stream."""

    def __init__(self, guard: RepetitionGuard):
        self.guard = guard

    async def send(self, chunk: Any) -> None:
        if self.guard.feed(_delta_text(chunk)):
            raise _LoopFound(str(self.guard.repetition))


def _delta_text(chunk: Any) -> str:
    """The text a streamed chunk adds (DSPy's engine chunks and LiteLLM's both read this way)."""
    try:
        return chunk.choices[0].delta.content or ""
    except (AttributeError, IndexError, KeyError, TypeError):
        return ""


def response_facts(entry: dict | None) -> dict[str, Any]:
    """Raw text, finish reason and token counts from a DSPy history entry (lm15 or LiteLLM shaped)."""
    if not entry:
        return {}
    response = entry.get("response")
    if isinstance(response, tuple):
        response = response[0] if response else None
    text = finish = None
    if response is not None:
        if hasattr(response, "choices"):  # LiteLLM ModelResponse
            choice = response.choices[0]
            text, finish = choice.message.content, choice.finish_reason
        else:  # lm15 Response: a pure-JSON answer arrives parsed (text=None); the engine's bytes are in provider_data
            finish = getattr(response, "finish_reason", None)
            try:
                text = (getattr(response, "provider_data", None) or {})["choices"][0]["message"]["content"]
            except (KeyError, IndexError, TypeError):
                text = getattr(response, "text", None)
    usage = entry.get("usage") or {}
    details = usage.get("prompt_tokens_details") or {}
    return {
        "raw_output": text,
        "finish_reason": finish,
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": usage.get("completion_tokens"),
        "cached_tokens": details.get("cached_tokens") if isinstance(details, dict) else None,
        "model": entry.get("model"),
    }
