"""/v1/meta: the dataset's version, its licences, the article texts' status, the citation."""

import orjson

from app import rights
from app.database import Snapshot, inline_read
from app.schemas.meta import MetaPublic
from app.services.reference import TextScope


def meta(snapshot: Snapshot, *, text_scope: TextScope) -> MetaPublic:
    version = snapshot.dataset_version()
    return MetaPublic.model_validate(
        {
            "dataset_version": version,
            "code_license": rights.CODE_LICENSE,
            "data_license": rights.DATA_LICENSE,
            "article_texts": {
                "status": "third_party",
                "statement": rights.ARTICLE_TEXT_STATEMENT,
                "served": text_scope,
            },
            "citation": {
                "text": rights.citation(version),
                "title": rights.TITLE,
                "authors": rights.AUTHORS,
                "version": rights.VERSION,
                "cff": "CITATION.cff",
            },
        }
    )


@inline_read
def meta_document(snapshot: Snapshot, *, text_scope: TextScope) -> bytes:
    return orjson.dumps(meta(snapshot, text_scope=text_scope).model_dump())
