"""The read model of /v1/meta: what the service publishes, under what terms, how to cite it."""

from typing import Literal

from pydantic import BaseModel, Field


class LicensePublic(BaseModel):
    spdx: str = Field(description="SPDX licence identifier", examples=["CC-BY-4.0"])
    name: str
    url: str
    applies_to: str = Field(description="What this licence covers")


class ArticleTextsPublic(BaseModel):
    status: Literal["third_party"] = Field(
        description="The source articles are third-party texts: not under the data licence"
    )
    statement: str = Field(description="Why and how they are quoted, and whose rights they are")
    served: Literal["full", "excerpts"] = Field(
        description="What this deployment serves of them (SERVE_ARTICLE_TEXT): the whole "
        "texts, or only the passages the records cite"
    )


class CitationPublic(BaseModel):
    text: str = Field(description="How to cite the dataset, in one line")
    title: str
    authors: str
    version: str = Field(description="The software's version", examples=["0.1.0"])
    cff: str = Field(description="The repository file with the citation in CFF 1.2.0")


class MetaPublic(BaseModel):
    """The dataset's version, its licences and how to cite it."""

    dataset_version: str | None = Field(
        description="Changes whenever the seed data changes; null before the first seed"
    )
    code_license: LicensePublic
    data_license: LicensePublic
    article_texts: ArticleTextsPublic
    citation: CitationPublic
