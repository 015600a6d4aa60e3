"""Scores a free-text answer by the keywords it mentions.

evaluate(input) takes {"answer": str, "required": [str], "forbidden": [str]}
and returns {"score": float, "missing": [str], "forbidden_hits": [str]}.
Keywords match whole words, case-insensitively.
"""
import re
from typing import Dict, List


def _mentions(text: str, word: str) -> bool:
    return re.search(r"\b" + re.escape(word) + r"\b", text, re.IGNORECASE) is not None


def evaluate(case: Dict[str, object]) -> Dict[str, object]:
    answer = str(case["answer"])
    required: List[str] = list(case.get("required", []))
    forbidden: List[str] = list(case.get("forbidden", []))
    missing = [w for w in required if not _mentions(answer, w)]
    hits = [w for w in forbidden if _mentions(answer, w)]
    print(f"checked {len(required)} required and {len(forbidden)} forbidden keywords")
    if not required:
        score = 0.0 if hits else 1.0
    else:
        score = (len(required) - len(missing)) / len(required) - 0.5 * len(hits)
    return {"score": max(0.0, round(score, 3)), "missing": missing, "forbidden_hits": hits}
