"""Grades a model's JSON answer against a reference answer.

evaluate(answer, reference) returns a score from 0.0 to 1.0: the share of the
reference's fields that the answer gets right. It raises ValueError when the
answer is not JSON at all, which the cases use to test `raises`.
"""
import json
from typing import Any, Dict


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def evaluate(answer: str, reference: Dict[str, Any]) -> float:
    try:
        parsed = json.loads(answer)
    except json.JSONDecodeError as exc:
        raise ValueError(f"answer is not JSON: {exc.msg}") from exc
    if not isinstance(parsed, dict):
        raise TypeError("answer must be a JSON object")
    if not reference:
        return 1.0
    right = sum(1 for k, v in reference.items() if _normalise(parsed.get(k)) == _normalise(v))
    return round(right / len(reference), 4)
