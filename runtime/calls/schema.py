"""From a DSPy signature to a JSON schema, an engine's constraint, and a validated answer.

A signature's output fields already say what a valid answer is (``Score`` is an enum of
1..10, keyword lists carry min/max lengths, reviews a character cap). This module turns
them into one JSON schema, writes it in each engine's constraint dialect, and validates a
raw answer against the same schema, recording every repair it needed.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Literal, get_args, get_origin

import json_repair
import pydantic
import regex

from signatures.vocabulary import BARE, desc_of

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
    """The JSON schema every answer to ``signature`` must match (a fresh copy): the one value's own schema
    for a bare answer (``{"enum": [0, 1]}``), else an object of every output field."""
    schema = json.loads(_schema(signature))
    field = bare_field(signature)
    return schema["properties"][field] if field else schema


def bare_field(signature: type) -> str | None:
    """The name of a signature's one output field when it is answered bare (its desc carries ``BARE``), else None."""
    fields = signature.output_fields
    if len(fields) != 1:
        return None
    ((name, f),) = fields.items()
    return name if BARE in desc_of(f) else None


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
    if field := bare_field(signature):
        return _validate_bare(signature, field, text)
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


def _validate_bare(signature: type, field: str, text: str) -> tuple[dict[str, Any], list[str]]:
    """A bare answer: the value alone (surrounding whitespace allowed), valid for the field's type as sent.

    A value wrapped in a JSON object of that one field (an engine sent no constraint) is taken out of
    it, as a recorded repair.
    """
    repairs: list[str] = []
    try:
        value = json.loads(text)
    except ValueError:
        if _REFUSAL.search(text):
            raise ParseFailure("refused", text.strip()[:200]) from None
        raise ParseFailure("invalid", f"not a bare value: {text.strip()[:60]!r}") from None
    if isinstance(value, dict) and list(value) == [field]:
        value = value[field]
        repairs.append("took the value out of a JSON object")
    try:
        parsed = output_model(signature).model_validate({field: value}, strict=True)
    except pydantic.ValidationError as exc:
        raise ParseFailure("invalid", f"{field}: {exc.errors()[0]['msg']}") from None
    return {field: getattr(parsed, field)}, repairs


def _coerce_numbers(signature: type, data: dict[str, Any]) -> dict[str, Any]:
    """Turn digit strings into ints for integer-enum fields ("8" → 8); nothing else."""
    out = dict(data)
    for name, f in signature.output_fields.items():
        value = out.get(name)
        if get_origin(f.annotation) is Literal and isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
            if all(isinstance(a, int) for a in get_args(f.annotation)):
                out[name] = int(value)
    return out


def value_hint(annotation: Any) -> str:
    """A short placeholder for one output field's value: ``1-10``, ``0 or 1``, ``"text"``, a list."""
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        if all(isinstance(v, int) for v in values) and list(values) == list(range(values[0], values[-1] + 1)):
            return f"{values[0]}-{values[-1]}" if len(values) > 2 else " or ".join(map(str, values))
        return " | ".join(json.dumps(v) for v in values)
    if get_origin(annotation) is list:
        return '["...", ...]'
    return '"..."'
