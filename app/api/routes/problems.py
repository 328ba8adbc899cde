"""Documentation of each problem type, so every `type` URI in an error resolves."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from app.api.responses import ITEM_RESPONSES
from app.errors import PROBLEM_TYPE_BASE, PROBLEM_TYPES, not_found, worded

router = APIRouter(tags=["reference"])


class ProblemType(BaseModel):
    type: str
    status: int
    description: str


@router.get(
    "/problems/{slug}",
    operation_id="get_problem_type",
    summary="Describe an error type",
    responses=ITEM_RESPONSES,
)
def get_problem_type(
    slug: Annotated[
        str,
        Path(
            pattern=worded(
                r"^[a-z][a-z-]{0,39}$",
                "a problem type is lowercase letters and '-', such as invalid-parameter",
            ),
            description="The last part of a problem `type`",
            examples=["invalid-parameter"],
        ),
    ],
) -> ProblemType:
    """What a problem `type` means and how to react to it."""
    if slug not in PROBLEM_TYPES:
        raise not_found("problem type", slug, listing="docs/api.md")
    status, description = PROBLEM_TYPES[slug]
    return ProblemType(type=PROBLEM_TYPE_BASE + slug, status=status, description=description)
