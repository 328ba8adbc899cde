"""Write the data dictionary of the CSV exports into docs/api.md, between the columns markers.

    .venv/bin/python docs/record_columns.py

The tables come from app/api/export_forms.py `columns_section()`, which walks the exports'
schemas (what /v1/exports serves); tests/test_export_forms.py fails when docs/api.md differs.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.api.export_forms import COLUMNS_END, COLUMNS_START, columns_section  # noqa: E402

API_MD = ROOT / "docs" / "api.md"


def rewritten(document: str) -> str:
    before, rest = document.split(COLUMNS_START, 1)
    _, after = rest.split(COLUMNS_END, 1)
    return f"{before}{COLUMNS_START}\n{columns_section()}\n{COLUMNS_END}{after}"


if __name__ == "__main__":
    API_MD.write_text(rewritten(API_MD.read_text(encoding="utf-8")), encoding="utf-8")
