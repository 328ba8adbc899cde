"""Service layer: every query of the served data lives here (docs/architecture.md).

Outside it, SQL is only the read layer's version stamp (app/database.py), the migrations' own
revision table (app/migrations.py) and the read model's writer (app/readmodel/write.py).
"""
