"""All /v1 routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1")
