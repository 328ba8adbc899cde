"""Server-rendered HTML pages over the API's read layer (see docs/explorer.md)."""
