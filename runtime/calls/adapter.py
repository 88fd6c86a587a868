"""Typed outputs on every engine: signature → decoding constraint → validated fields.

A DSPy signature's output fields already say what a valid answer is (``Score`` is an enum
of 1..10, keyword lists carry min/max lengths, reviews a character cap). This module
turns them into one JSON schema, hands it to the engine in the engine's own dialect, and
validates every answer against the same schema after decoding. Each call lands in the
call log with a typed parse status:

``ok``           valid JSON that matched the schema as sent
``repaired``     valid only after a recorded repair (JSON fixed, prose stripped, types coerced)
``truncated``    the engine stopped at max_tokens / context before the answer was complete
``invalid``      no repair gives an answer that matches the schema
``refused``      the model declined in prose instead of answering
``degenerate``   the answer fell into a loop (:mod:`runtime.calls.repetition`); a streamed one is
                 stopped there, and the call keeps what had been decoded
``engine_error`` the engine failed (connection, timeout, 5xx) before any answer

An answer that does not validate raises DSPy's ``AdapterParseError``, exactly like DSPy's
own adapters, so role modules stay plain DSPy modules; it is never turned into a score.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import functools
import hashlib
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import json_repair
import pydantic
import regex
from dspy.adapters.json_adapter import JSONAdapter
from dspy.utils.exceptions import AdapterParseError

from runtime.calls import record as call_log
from runtime.calls.member_lm import _LAST_RESPONSE, response_facts
from runtime.calls.repetition import SPAN, DegenerateOutput, find_repetition
from runtime.calls.untrusted import fenced_inputs

#: The constraint dialects engines speak.
DIALECTS = ("json_schema", "llama_json_schema", "json_object_schema", "none")

#: Measured with llama-server (llama.cpp in llama-cpp-python 0.3.36): a string ``maxLength`` of up to 2000
#: was enforced while decoding; at 3000 and above the answer ran on unconstrained until max_tokens.
LLAMA_CPP_MAX_REPETITION = 2000

_DSPY_KEYS = ("__dspy_field_type", "constraints", "desc", "prefix", "title", "json_schema_extra")
_REFUSAL = re.compile(r"^\W*(i'?m sorry|i am sorry|i cannot|i can'?t|i won'?t|as an ai\b)", re.IGNORECASE)


@functools.cache
def output_model(signature: type) -> type[pydantic.BaseModel]:
    """A pydantic model of the signature's output fields, with their constraints, extra keys forbidden."""
    fields = {name: (f.annotation, f) for name, f in signature.output_fields.items()}
    return pydantic.create_model(
        f"{signature.__name__}Output", __config__=pydantic.ConfigDict(extra="forbid"), **fields
    )


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items() if k not in _DSPY_KEYS}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


@functools.cache
def _schema(signature: type) -> str:
    schema = _clean(output_model(signature).model_json_schema())
    schema["required"] = list(signature.output_fields)
    schema["additionalProperties"] = False
    return json.dumps(schema)


def output_schema(signature: type) -> dict[str, Any]:
    """The JSON schema every answer to ``signature`` must match (a fresh copy)."""
    return json.loads(_schema(signature))


def response_format(signature: type, dialect: str) -> dict[str, Any] | None:
    """The OpenAI-style ``response_format`` that carries the constraint in ``dialect``.

    ``json_schema`` is what SGLang and OpenAI-compatible servers take; ``llama_json_schema`` is the same
    for llama.cpp's ``llama-server``, with length bounds clamped to what its grammar engine enforces;
    ``json_object_schema`` is llama-cpp-python's bundled server (``json_object`` + ``schema``);
    ``none`` sends no constraint and relies on validation alone.
    """
    if dialect in ("json_schema", "llama_json_schema"):
        schema = output_schema(signature)
        if dialect == "llama_json_schema":
            schema = clamp_repetitions(schema, LLAMA_CPP_MAX_REPETITION)
        return {"type": "json_schema", "json_schema": {"name": signature.__name__, "strict": True, "schema": schema}}
    if dialect == "json_object_schema":  # llama-cpp-python's server: the same llama.cpp grammar engine
        return {"type": "json_object", "schema": clamp_repetitions(output_schema(signature), LLAMA_CPP_MAX_REPETITION)}
    if dialect == "none":
        return None
    raise ValueError(f"unknown constraint dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")


@dataclass(frozen=True)
class RetryPolicy:
    """Extra attempts a call gets after each failure status: bounded, so a call never loops forever.

    Every retry asks for a new sample (a different seed; DSPy's response cache is off for
    members), so a retry never gets the same answer back. ``engine_error`` waits
    ``backoff_s × 2^attempt`` first; parse failures retry at once.
    """

    truncated: int = 1
    invalid: int = 1
    refused: int = 1
    degenerate: int = 1
    engine_error: int = 2
    backoff_s: float = 1.0

    def extra_attempts(self, status: str) -> int:
        retried = ("truncated", "invalid", "refused", "degenerate", "engine_error")
        return getattr(self, status, 0) if status in retried else 0

    def delay(self, status: str, attempt: int) -> float:
        return self.backoff_s * 2**attempt if status == "engine_error" else 0.0


def clamp_repetitions(node: Any, limit: int) -> Any:
    """Lower every maxLength/maxItems above ``limit`` to ``limit`` (llama.cpp stops enforcing larger ones).

    Validation still uses the signature's own caps; an answer within the clamp passes them.
    """
    if isinstance(node, dict):
        out = {k: clamp_repetitions(v, limit) for k, v in node.items()}
        for key in ("maxLength", "maxItems"):
            if isinstance(out.get(key), int) and out[key] > limit:
                out[key] = limit
        return out
    if isinstance(node, list):
        return [clamp_repetitions(v, limit) for v in node]
    return node


class ParseFailure(ValueError):
    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def validate_answer(signature: type, text: str | None) -> tuple[dict[str, Any], list[str]]:
    """Parse and validate one raw answer. Returns (fields, repairs) or raises :class:`ParseFailure`.

    ``repairs`` is empty for an answer that was valid as sent.
    """
    if text is None or not text.strip():
        raise ParseFailure("invalid", "empty answer")
    repairs: list[str] = []
    try:
        data = json.loads(text)
    except ValueError:
        match = regex.search(r"\{(?:[^{}]|(?R))*\}", text, regex.DOTALL)
        if match and match.group(0) != text.strip():
            repairs.append("stripped text around the JSON object")
            candidate = match.group(0)
        else:
            candidate = text
        try:
            data = json.loads(candidate)
        except ValueError:
            data = json_repair.loads(candidate)
            repairs.append("repaired malformed JSON")
    if not isinstance(data, dict) or not data:
        if _REFUSAL.search(text):
            raise ParseFailure("refused", text.strip()[:200])
        raise ParseFailure("invalid", "answer is not a JSON object")
    model = output_model(signature)
    try:
        parsed = model.model_validate(data, strict=True)
    except pydantic.ValidationError:
        try:
            parsed = model.model_validate(_coerce_numbers(signature, data))
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "answer"
            raise ParseFailure("invalid", f"{where}: {first['msg']} ({exc.error_count()} errors)") from None
        repairs.append("coerced field types")
    return {name: getattr(parsed, name) for name in signature.output_fields}, repairs


def _coerce_numbers(signature: type, data: dict[str, Any]) -> dict[str, Any]:
    """Turn digit strings into ints for integer-enum fields ("8" → 8); nothing else."""
    out = dict(data)
    for name, f in signature.output_fields.items():
        value = out.get(name)
        if get_origin(f.annotation) is Literal and isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
            if all(isinstance(a, int) for a in get_args(f.annotation)):
                out[name] = int(value)
    return out


def _value_hint(annotation: Any) -> str:
    """A short placeholder for one output field's value: ``1-10``, ``0 or 1``, ``"text"``, a list."""
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        if all(isinstance(v, int) for v in values) and list(values) == list(range(values[0], values[-1] + 1)):
            return f"{values[0]}-{values[-1]}" if len(values) > 2 else " or ".join(map(str, values))
        return " | ".join(json.dumps(v) for v in values)
    if get_origin(annotation) is list:
        return '["...", ...]'
    return '"..."'


class StructuredAdapter(JSONAdapter):
    """DSPy's JSONAdapter, with the signature's schema sent as an engine-native constraint,
    strict validation after decoding, and a call-log record for every call.

    With an LM that is not a :class:`runtime.calls.member_lm.MemberLM` it sends the constraint
    as ``json_schema`` (the OpenAI dialect); a member LM names its own dialect.
    """

    def _prepare_response_format(self, lm, lm_kwargs, signature):
        fmt = response_format(signature, getattr(lm, "dialect", "json_schema"))
        if fmt is not None:
            lm_kwargs["response_format"] = fmt

    def format_field_structure(self, signature) -> str:
        """How inputs arrive and what the answer looks like, in a few lines.

        DSPy's JSONAdapter spells out every allowed value of every enum field here and again
        in each request (about 400 tokens for a score sheet). The engine already holds the
        answer to the schema while decoding, so one compact line per output field does.
        """
        inputs = "\n\n".join(f"[[ ## {name} ## ]]\n{{{name}}}" for name in signature.input_fields)
        outputs = ",\n".join(f'  "{name}": {_value_hint(f.annotation)}' for name, f in signature.output_fields.items())
        return (
            "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
            f"Inputs will have the following structure:\n\n{inputs}\n\n"
            f"Outputs will be a JSON object with the following fields.\n\n{{\n{outputs}\n}}"
        )

    def user_message_output_requirements(self, signature) -> str:
        """The short reminder after the live input: the answer's fields, in order."""
        fields = ", ".join(f"`{f}`" for f in signature.output_fields)
        return f"Respond with a JSON object with the fields {fields}."

    def format_user_message_content(self, signature, inputs, prefix="", suffix="", main_request=False) -> str:
        """DSPy's user message, with every untrusted field fenced (see :mod:`runtime.calls.untrusted`)."""
        return super().format_user_message_content(
            signature, fenced_inputs(signature, inputs), prefix, suffix, main_request
        )

    def parse(self, signature, completion: str) -> dict[str, Any]:
        slot = _LAST_RESPONSE.get()
        facts = _facts(slot) if slot is not None else {}
        try:
            # validate the engine's own bytes when we have them (DSPy may hand us a re-serialized form)
            raw = facts.get("raw_output")
            text = raw if isinstance(raw, str) else completion
            # a loop is the answer's fault whether or not it also ran into the token limit
            if loop := find_repetition(text, slot.get("repetition_span", SPAN) if slot is not None else SPAN):
                raise ParseFailure("degenerate", f"{loop}, decoded to the end")
            if facts.get("finish_reason") == "length":  # cut off: even a repairable prefix is not the answer
                raise ParseFailure("truncated", f"finish_reason=length after {facts.get('completion_tokens')} tokens")
            fields, repairs = validate_answer(signature, text)
        except ParseFailure as failure:
            if slot is not None:
                slot["failure"] = failure
            raise AdapterParseError(
                adapter_name=type(self).__name__, signature=signature, lm_response=completion, message=failure.detail
            ) from None
        if slot is not None and repairs:
            slot["repairs"] = repairs
        return fields

    def __init__(
        self,
        retry: RetryPolicy | None = None,
        replay: Callable[[str], dict[str, Any] | None] | None = None,
        **kwargs: Any,
    ):
        """``replay(request_hash)`` returns a recorded call (an ``lm_calls`` row) for a request
        already answered, or None: on resume, finished calls are served from the database
        instead of being sent again. It is consulted only inside a scoped recording."""
        super().__init__(**kwargs)
        self.retry = retry or RetryPolicy()
        self.replay = replay

    def request_hash(self, lm, lm_kwargs, signature, demos, inputs, attempt: int) -> str | None:
        """Hash of what one attempt sends: scope, model, signature, messages, seed and attempt number."""
        log = call_log.current()
        if log is None or log.scope is None:
            return None
        payload = {
            "scope": log.scope,
            "model": getattr(lm, "model", None),
            "signature": signature.__name__,
            "messages": self.format(signature, demos, inputs),
            "seed": lm_kwargs.get("seed"),
            "attempt": attempt,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    @contextmanager
    def _attempt(
        self, signature, lm, lm_kwargs, demos, inputs, attempt: int, key: str | None
    ) -> Iterator[dict[str, Any]]:
        """Run one LM call with a fresh response slot; record it however it ends."""
        slot: dict[str, Any] = {"repetition_span": getattr(lm, "repetition_span", SPAN)}
        token = _LAST_RESPONSE.set(slot)
        started, t0 = _now(), time.perf_counter()
        outcome: dict[str, Any] = {"error": None}
        try:
            yield outcome
        except DegenerateOutput as exc:  # the member's guard stopped the stream inside a loop
            slot["failure"] = ParseFailure("degenerate", str(exc))
            slot["stopped"] = {"raw_output": exc.text, "finish_reason": "repetition", "completion_tokens": exc.pieces}
            outcome["error"] = AdapterParseError(
                adapter_name=type(self).__name__, signature=signature, lm_response=exc.text, message=str(exc)
            )
            raise outcome["error"] from None
        except Exception as exc:
            outcome["error"] = exc
            raise
        finally:
            _LAST_RESPONSE.reset(token)
            facts = _facts(slot)
            outcome["status"], detail = classify(facts, slot.get("failure"), slot.get("repairs"), outcome["error"])
            _record(
                signature,
                lm_kwargs,
                demos,
                inputs,
                self,
                slot,
                facts,
                outcome["status"],
                detail,
                started,
                time.perf_counter() - t0,
                attempt,
                key,
            )

    def _replayed(self, signature, recorded: dict[str, Any], key: str, attempt: int, outcome: dict[str, Any]):
        """Serve a recorded answer: the same fields, or the same failure, as the first time."""
        status = outcome["status"] = recorded["parse_status"]
        log = call_log.current()
        if log is not None:
            log.calls.append(
                call_log.CallRecord(
                    signature=signature.__name__,
                    messages=[],
                    parse_status=status,
                    parse_detail=recorded.get("parse_detail"),
                    raw_output=recorded.get("raw_output"),
                    finish_reason=recorded.get("finish_reason"),
                    started_at=_now(),
                    attempt=attempt,
                    request_hash=key,
                    replay_of=recorded["id"],
                )
            )
        if status in ("ok", "repaired"):  # an answer accepted when it was made stays accepted
            fields, _ = validate_answer(signature, recorded["raw_output"])
            return [fields]
        raise AdapterParseError(
            adapter_name=type(self).__name__,
            signature=signature,
            lm_response=recorded.get("raw_output") or "",
            message=f"replayed {status}: {recorded.get('parse_detail')}",
        )

    def _kwargs_for(self, lm, lm_kwargs: dict[str, Any], attempt: int) -> dict[str, Any]:
        if attempt == 0:
            return lm_kwargs
        base = lm_kwargs.get("seed", getattr(lm, "kwargs", {}).get("seed", 0)) or 0
        return {**lm_kwargs, "seed": base + attempt * 1_000_003}  # a new sample, never the same answer again

    def _recorded(self, lm, kwargs, signature, demos, inputs, attempt: int) -> tuple[str | None, dict | None]:
        key = self.request_hash(lm, kwargs, signature, demos, inputs, attempt)
        return key, (self.replay(key) if key is not None and self.replay is not None else None)

    async def acall(self, lm, lm_kwargs, signature, demos, inputs):
        for attempt in itertools.count():
            kwargs = self._kwargs_for(lm, lm_kwargs, attempt)
            key, recorded = self._recorded(lm, kwargs, signature, demos, inputs, attempt)
            outcome: dict[str, Any] = {}
            try:
                if recorded is not None:
                    return self._replayed(signature, recorded, key, attempt, outcome)
                with self._attempt(signature, lm, kwargs, demos, inputs, attempt, key) as outcome:
                    return await super().acall(lm, kwargs, signature, demos, inputs)
            except Exception:
                if attempt >= self.retry.extra_attempts(outcome.get("status", "")):
                    raise
                if recorded is None:
                    await asyncio.sleep(self.retry.delay(outcome["status"], attempt))

    def __call__(self, lm, lm_kwargs, signature, demos, inputs):
        for attempt in itertools.count():
            kwargs = self._kwargs_for(lm, lm_kwargs, attempt)
            key, recorded = self._recorded(lm, kwargs, signature, demos, inputs, attempt)
            outcome: dict[str, Any] = {}
            try:
                if recorded is not None:
                    return self._replayed(signature, recorded, key, attempt, outcome)
                with self._attempt(signature, lm, kwargs, demos, inputs, attempt, key) as outcome:
                    return super().__call__(lm, kwargs, signature, demos, inputs)
            except Exception:
                if attempt >= self.retry.extra_attempts(outcome.get("status", "")):
                    raise
                if recorded is None:
                    time.sleep(self.retry.delay(outcome["status"], attempt))


def _facts(slot: dict[str, Any]) -> dict[str, Any]:
    """What one call's response slot says: the engine's response, or what a stopped stream had decoded."""
    facts = response_facts(slot.get("entry")) or dict(slot.get("stopped", {}))
    if facts and slot.get("streamed_text"):
        facts["raw_output"] = slot["streamed_text"]
    return facts


def _now() -> str:
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


def _record(signature, lm_kwargs, demos, inputs, adapter, slot, facts, status, detail, started, latency, attempt, key):
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
            **{
                k: facts.get(k)
                for k in ("raw_output", "finish_reason", "prompt_tokens", "completion_tokens", "cached_tokens", "model")
            },
        )
    )
