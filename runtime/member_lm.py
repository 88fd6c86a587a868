"""The DSPy LM of one pool member.

A member is (name, endpoint, model, sampling). Each gets its own ``hosted_vllm/<alias>``
model string, so DSPy's cache can never hand one member's answer to another, and DSPy's
response cache is off: every call of a synthesis run is a fresh sample.

A member whose engine runs several replicas (``Endpoint.replicas``) sends each call to the
least busy one: pass ``replicas=endpoint.replicas``; ``api_base`` is then only the default.
"""

from __future__ import annotations

import contextvars
from typing import Any

import dspy

from runtime.replicas import ReplicaSet

# The provider response of the call in flight, handed from the LM to the adapter.
_LAST_RESPONSE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("gra_last_response", default=None)


class MemberLM(dspy.LM):
    """A ``dspy.LM`` that knows which member it is and which constraint dialect its engine speaks."""

    def __init__(
        self,
        member: str,
        *,
        api_base: str,
        api_key: str,
        dialect: str = "json_schema",
        replicas: ReplicaSet | None = None,
        **kwargs: Any,
    ):
        kwargs.setdefault("cache", False)
        super().__init__(f"hosted_vllm/gra-{member}", api_base=api_base, api_key=api_key, **kwargs)
        self.member = member
        self.dialect = dialect
        self.replicas = replicas if replicas is not None and len(replicas) > 1 else None

    def __call__(self, prompt=None, *, messages=None, **kwargs):
        if self.replicas is None or "api_base" in kwargs:
            return super().__call__(prompt, messages=messages, **kwargs)
        with self.replicas.use() as url:
            return super().__call__(prompt, messages=messages, api_base=url, **kwargs)

    async def acall(self, prompt=None, *, messages=None, **kwargs):
        if self.replicas is None or "api_base" in kwargs:
            return await super().acall(prompt, messages=messages, **kwargs)
        with self.replicas.use() as url:
            return await super().acall(prompt, messages=messages, api_base=url, **kwargs)

    def update_history(self, entry: dict) -> None:
        slot = _LAST_RESPONSE.get()
        if slot is not None:
            slot["entry"] = entry
        super().update_history(entry)

    def copy(self, **kwargs):
        new = super().copy(**kwargs)
        new.member, new.dialect, new.replicas = self.member, self.dialect, self.replicas
        return new


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
