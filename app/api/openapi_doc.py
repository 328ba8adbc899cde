"""What the OpenAPI document says beyond FastAPI's own output: recorded examples, and the
headers and statuses every operation may answer with."""

import functools
import json
from pathlib import Path
from typing import Any

from app.errors import PROBLEM_MEDIA_TYPE

# Written by docs/record_examples.py from a real server on the seeded dataset (tests/test_docs.py
# fails when it no longer matches): operationId, or "problem-<status>", to a whole JSON body.
EXAMPLES_FILE = Path(__file__).with_name("examples.json")


@functools.cache
def recorded_examples() -> dict[str, Any]:
    examples: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return examples


def add_examples(schema: dict[str, Any]) -> None:
    """Real recorded bodies instead of the placeholders a docs page makes up from the types."""
    examples = recorded_examples()
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            body = examples.get(operation["operationId"])
            content = responses.get("200", {}).get("content", {})
            if body is not None and "application/json" in content:
                content["application/json"]["example"] = body
            for status, response in responses.items():
                problem = examples.get(f"problem-{status}")
                problem_content = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
                if problem is not None and problem_content is not None:
                    problem_content["example"] = problem
    problem_schema = schema.get("components", {}).get("schemas", {}).get("Problem")
    if problem_schema is not None and "problem-400" in examples:
        problem_schema["example"] = examples["problem-400"]
