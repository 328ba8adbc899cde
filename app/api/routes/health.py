"""Liveness and readiness probes."""

import logging

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from app.api.responses import PROBLEM_RESPONSES
from app.database import EnginesDep
from app.errors import ProblemError
from app.services.health import check_readiness

router = APIRouter(tags=["health"])
logger = logging.getLogger("app.health")


class Liveness(BaseModel):
    status: str = Field(examples=["ok"])


class ReadinessPublic(BaseModel):
    status: str = Field(examples=["ready"])
    database: str = Field(description="Database dialect", examples=["sqlite"])
    revision: str = Field(description="Migration revision the database is at")
    dataset_version: str | None = Field(description="Digest of the loaded seed files")


@router.get("/healthz", operation_id="get_health", summary="Liveness probe")
async def healthz() -> Liveness:
    """Answers 200 while the process is alive; touches nothing else."""
    return Liveness(status="ok")


@router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="Readiness probe",
    responses={503: PROBLEM_RESPONSES[503]},
)
def readyz(engines: EnginesDep) -> ReadinessPublic:
    """200 when the database is reachable through every engine the app reads with and at the
    migration head; otherwise a 503 problem."""
    try:
        readiness = check_readiness(engines=engines.all())
    except SQLAlchemyError as exc:
        logger.warning("readiness check failed: %s", exc.__class__.__name__)
        raise ProblemError(503, "The database is not reachable.", slug="unavailable") from exc
    if not readiness.ready or readiness.revision is None:
        raise ProblemError(
            503,
            f"The database is at migration {readiness.revision or 'none'} but the code expects "
            f"{readiness.head}; run `python -m app db upgrade`.",
            slug="unavailable",
        )
    return ReadinessPublic(
        status="ready",
        database=readiness.database,
        revision=readiness.revision,
        dataset_version=readiness.dataset_version,
    )
