"""/v1/meta: the dataset's version, under what terms it may be reused, and how to cite it."""

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import SettingsDep
from app.api.lists import document
from app.api.responses import QUERY_RESPONSES
from app.database import DatabaseDep
from app.schemas.meta import MetaPublic
from app.services import meta as service

router = APIRouter()


@router.get(
    "/meta",
    operation_id="get_meta",
    summary="Licences, citation and dataset version",
    response_model=MetaPublic,
    responses=QUERY_RESPONSES,
    tags=["reference"],
)
async def get_meta(db: DatabaseDep, settings: SettingsDep) -> Response:
    """The dataset's version; the code's licence (MIT) and the curated records' (CC BY 4.0);
    the status of the source articles' texts (third-party, quoted for research and
    criticism; what this deployment serves of them); how to cite the dataset."""
    return await document(db, service.meta_document, text_scope=settings.serve_article_text)
