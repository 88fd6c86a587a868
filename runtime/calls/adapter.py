"""Typed outputs on every engine: signature → decoding constraint → validated fields.

The adapter sends each signature's schema (:mod:`runtime.calls.schema`) to the engine in
the engine's own dialect, validates every answer against it after decoding, and retries a
failed attempt as the pool's :class:`runtime.config.Retry` allows: the one retry layer
(the member LMs make no retries of their own). Each attempt lands in the call log
(:mod:`runtime.calls.record`) with a typed parse status:

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
import hashlib
import itertools
import json
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

from dspy.adapters.json_adapter import JSONAdapter
from dspy.utils.exceptions import AdapterParseError

from runtime.calls import record as call_log
from runtime.calls.bare_answer import bare_messages
from runtime.calls.outcome import attempt_facts, classify, now, record_attempt
from runtime.calls.record import attempt_slot, response_slot
from runtime.calls.repetition import SPAN, DegenerateOutput, find_repetition
from runtime.calls.schema import ParseFailure, bare_field, response_format, validate_answer, value_hint
from runtime.calls.untrusted import fenced_inputs
from runtime.config import Retry

#: What the attempt loop asks its driver for: ("send", kwargs), ("wait", seconds); ("done", result) ends it.
Step = tuple[str, Any]


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

    def format(self, signature, demos, inputs) -> list[dict[str, Any]]:
        """DSPy's JSON layout, or for a signature answered by one bare value, its plain prompt
        (:mod:`runtime.calls.bare_answer`)."""
        if bare_field(signature):
            return bare_messages(signature, demos, inputs)
        return super().format(signature, demos, inputs)

    def format_field_structure(self, signature) -> str:
        """How inputs arrive and what the answer looks like, in a few lines.

        DSPy's JSONAdapter spells out every allowed value of every enum field here and again
        in each request (about 400 tokens for a score sheet). The engine already holds the
        answer to the schema while decoding, so one compact line per output field does.
        """
        inputs = "\n\n".join(f"[[ ## {name} ## ]]\n{{{name}}}" for name in signature.input_fields)
        outputs = ",\n".join(f'  "{name}": {value_hint(f.annotation)}' for name, f in signature.output_fields.items())
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

    def _call_postprocess(self, processed_signature, original_signature, outputs, lm, lm_kwargs):
        """DSPy's, with the answer's token log-probabilities (when asked for) kept for the call's record."""
        slot = response_slot()
        first = outputs[0] if outputs else None
        if slot is not None and isinstance(first, dict) and first.get("logprobs"):
            slot["logprobs"] = call_log.compact_logprobs(first["logprobs"])
        return super()._call_postprocess(processed_signature, original_signature, outputs, lm, lm_kwargs)

    def parse(self, signature, completion: str) -> dict[str, Any]:
        slot = response_slot()
        facts = attempt_facts(slot) if slot is not None else {}
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
        retry: Retry | None = None,
        replay: Callable[[str], dict[str, Any] | None] | None = None,
        **kwargs: Any,
    ):
        """``replay(request_hash)`` returns a recorded call (an ``lm_calls`` row) for a request
        already answered, or None: on resume, finished calls are served from the database
        instead of being sent again. It is consulted only inside a scoped recording."""
        super().__init__(**kwargs)
        self.retry = retry or Retry()
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
        with attempt_slot(repetition_span=getattr(lm, "repetition_span", SPAN)) as slot:
            yield from self._recorded_attempt(signature, lm_kwargs, demos, inputs, attempt, key, slot)

    def _recorded_attempt(self, signature, lm_kwargs, demos, inputs, attempt, key, slot) -> Iterator[dict[str, Any]]:
        started, t0 = now(), time.perf_counter()
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
            facts = attempt_facts(slot)
            outcome["status"], detail = classify(facts, slot.get("failure"), slot.get("repairs"), outcome["error"])
            record_attempt(
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
        logprobs = json.loads(recorded["logprobs"]) if recorded.get("logprobs") else None
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
                    prompt_tokens=recorded.get("prompt_tokens"),
                    completion_tokens=recorded.get("completion_tokens"),
                    started_at=now(),
                    attempt=attempt,
                    request_hash=key,
                    replay_of=recorded["id"],  # None for another run's answer: this run records it as its own
                    logprobs=logprobs,
                )
            )
        if status in ("ok", "repaired"):  # an answer accepted when it was made stays accepted
            fields, _ = validate_answer(signature, recorded["raw_output"])
            return [fields | ({"logprobs": {"content": logprobs}} if logprobs else {})]
        raise AdapterParseError(
            adapter_name=type(self).__name__,
            signature=signature,
            lm_response=recorded.get("raw_output") or "",
            message=f"replayed {status}: {recorded.get('parse_detail')}",
        )

    def _kwargs_for(self, lm, lm_kwargs: dict[str, Any], attempt: int) -> dict[str, Any]:
        """The sampling seed of an attempt: a retry, or another seat of the same member, is a new sample."""
        log = call_log.current()
        shift = attempt * 1_000_003 + (log.seat if log is not None else 0) * 7_919
        if shift == 0:
            return lm_kwargs
        base = lm_kwargs.get("seed", getattr(lm, "kwargs", {}).get("seed", 0)) or 0
        return {**lm_kwargs, "seed": base + shift}  # never the same answer again

    def _recorded(self, lm, kwargs, signature, demos, inputs, attempt: int) -> tuple[str | None, dict | None]:
        key = self.request_hash(lm, kwargs, signature, demos, inputs, attempt)
        return key, (self.replay(key) if key is not None and self.replay is not None else None)

    def _attempts(self, lm, lm_kwargs, signature, demos, inputs) -> Generator[Step, Any, Any]:
        """The one attempt loop, shared by sync and async calls: it yields what to do, its driver does it.

        Each attempt is served from the replay cache when the database holds its answer,
        else sent (``("send", kwargs)``: the driver sends the result or throws the error
        back in) and recorded. A failed attempt is retried while the retry policy allows,
        after ``("wait", seconds)`` for an engine error.
        """
        for attempt in itertools.count():
            kwargs = self._kwargs_for(lm, lm_kwargs, attempt)
            key, recorded = self._recorded(lm, kwargs, signature, demos, inputs, attempt)
            outcome: dict[str, Any] = {}
            try:
                if recorded is not None:
                    return self._replayed(signature, recorded, key, attempt, outcome)
                with self._attempt(signature, lm, kwargs, demos, inputs, attempt, key) as outcome:
                    return (yield ("send", kwargs))
            except Exception:
                if attempt >= self.retry.extra_attempts(outcome.get("status", "")):
                    raise
                if recorded is None and (delay := self.retry.delay(outcome["status"], attempt)):
                    yield ("wait", delay)

    async def acall(self, lm, lm_kwargs, signature, demos, inputs):
        loop = self._attempts(lm, lm_kwargs, signature, demos, inputs)
        step = _resume(loop)
        while step[0] != "done":
            if step[0] == "wait":
                await asyncio.sleep(step[1])
                step = _resume(loop)
                continue
            try:
                result = await super().acall(lm, step[1], signature, demos, inputs)
            except Exception as exc:
                step = _resume(loop, error=exc)
                continue
            step = _resume(loop, result)
        return step[1]

    def __call__(self, lm, lm_kwargs, signature, demos, inputs):
        loop = self._attempts(lm, lm_kwargs, signature, demos, inputs)
        step = _resume(loop)
        while step[0] != "done":
            if step[0] == "wait":
                time.sleep(step[1])
                step = _resume(loop)
                continue
            try:
                result = super().__call__(lm, step[1], signature, demos, inputs)
            except Exception as exc:
                step = _resume(loop, error=exc)
                continue
            step = _resume(loop, result)
        return step[1]


def _resume(loop: Generator[Step, Any, Any], value: Any = None, error: BaseException | None = None) -> Step:
    """Run the attempt loop to its next step, handing it a result or an error; ("done", result) at its end."""
    try:
        return loop.throw(error) if error is not None else loop.send(value)
    except StopIteration as stop:
        return ("done", stop.value)
