"""Liveness and readiness probes."""

import functools
import logging
from typing import Literal

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from app.api.responses import PROBLEM_RESPONSES
from app.database import EnginesDep, Standby
from app.errors import ProblemError
from app.services.health import check_readiness

router = APIRouter(tags=["health"])
logger = logging.getLogger("app.health")
# A probe answer describes this moment only: no cache may keep reporting it.
NO_STORE = "no-store"
RETRY_AFTER_SECONDS = "5"


class Liveness(BaseModel):
    status: str = Field(examples=["ok"])


class StandbyStatus(BaseModel):
    name: str = Field(
        description="`standby N`: the Nth of READ_DATABASE_URLS", examples=["standby 1"]
    )
    status: Literal["up", "down"] = Field(
        description="`down`: its last connection or read failed, so reads skip it for "
        "READ_REPLICA_RETRY_MS, then try it again"
    )
    dataset_version: str | None = Field(
        description="The dataset version it holds (it may lag the primary's for a moment)"
    )
    failure: str | None = Field(description="Why it is down")


class ReadinessPublic(BaseModel):
    status: str = Field(examples=["ready"])
    database: str = Field(description="Database dialect", examples=["sqlite"])
    revision: str = Field(description="Migration revision the database is at")
    dataset_version: str = Field(description="Digest of the loaded seed files")
    standbys: list[StandbyStatus] = Field(
        default_factory=list,
        description="The PostgreSQL standbys reads go to first (READ_DATABASE_URLS); empty "
        "without any. A standby down is not a reason to be unready: reads fall back to the "
        "primary",
    )


@router.get("/healthz", operation_id="get_health", summary="Liveness probe")
async def healthz(response: Response) -> Liveness:
    """Answers 200 while the process is alive; touches nothing else."""
    response.headers["Cache-Control"] = NO_STORE
    return Liveness(status="ok")


def _has_free_connection(engine: Engine) -> bool:
    pool = engine.pool
    return not isinstance(pool, QueuePool) or pool.checkedout() < pool.size()


def _probe_thread(app: FastAPI) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter | None = getattr(app.state, "probe_thread", None)
    if limiter is None:
        limiter = app.state.probe_thread = anyio.CapacityLimiter(1)
    return limiter


def _not_ready(detail: str) -> ProblemError:
    return ProblemError(
        503,
        detail,
        slug="unavailable",
        headers={"Retry-After": RETRY_AFTER_SECONDS, "Cache-Control": NO_STORE},
    )


@router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="Readiness probe",
    responses={503: PROBLEM_RESPONSES[503]},
)
async def readyz(request: Request, engines: EnginesDep, response: Response) -> ReadinessPublic:
    """200 when the API can answer with data: the database (DATABASE_URL, the primary) is
    reachable through every engine the app reads it with, at the migration head and seeded.
    Otherwise a 503 problem with Retry-After that says which. Each standby of
    READ_DATABASE_URLS is asked too and listed, up or down; a standby down leaves the process
    ready, since reads fall back to the primary (and the probe takes a standby that answers
    again back into the rotation).

    The probe never waits behind costly requests: it runs in a thread of its own, through an
    engine of its own, and checks a serving engine only when one of its connections is free
    (when none is, they are evidently working)."""
    app = request.app
    checked = [
        app.state.probe_engine,
        *(e for e in engines.primary() if _has_free_connection(e)),
    ]
    standbys = await anyio.to_thread.run_sync(
        functools.partial(_check_standbys, engines.standbys), limiter=_probe_thread(app)
    )
    try:
        readiness = await anyio.to_thread.run_sync(
            functools.partial(check_readiness, engines=checked), limiter=_probe_thread(app)
        )
    except SQLAlchemyError as exc:
        logger.warning("readiness check failed: %s", exc.__class__.__name__)
        raise _not_ready("The database is not reachable.") from exc
    if not readiness.migrated or readiness.revision is None:
        raise _not_ready(
            f"The database is at migration {readiness.revision or 'none'} but the code expects "
            f"{readiness.head}; run `python -m app db upgrade`."
        )
    if readiness.dataset_version is None:
        raise _not_ready("The database holds no dataset yet; run `python -m app seed`.")
    response.headers["Cache-Control"] = NO_STORE
    return ReadinessPublic(
        status="ready",
        database=readiness.database,
        revision=readiness.revision,
        dataset_version=readiness.dataset_version,
        standbys=standbys,
    )


def _check_standbys(standbys: tuple[Standby, ...]) -> list[StandbyStatus]:
    """Ask each standby with a free connection what it holds, and set aside (or take back)
    the ones that fail (or answer): the probe doubles as their health check."""
    statuses = []
    for standby in standbys:
        version = None
        if _has_free_connection(standby.engine):
            try:
                found = check_readiness(engines=[standby.engine])
            except SQLAlchemyError as exc:
                standby.failed(exc.__class__.__name__)
            else:
                if found.migrated and found.dataset_version is not None:
                    standby.answered()
                    version = found.dataset_version
                else:
                    standby.failed(f"at migration {found.revision or 'none'}, not seeded or behind")
        statuses.append(
            StandbyStatus(
                name=standby.name,
                status="up" if standby.healthy else "down",
                dataset_version=version,
                failure=standby.failure,
            )
        )
    return statuses
