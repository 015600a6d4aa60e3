"""An intentionally broken eval: it fails while loading, so no case runs."""
import json

THRESHOLDS = json.loads("{'pass': 0.5}")  # single quotes: not JSON, raises at import


def evaluate(answer):
    return answer >= THRESHOLDS["pass"]
