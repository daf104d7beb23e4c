"""The jaarcijfers in the formats people ask for: CSV, XLSX, printable HTML and PDF."""

from services.reporting.exports.bestanden import als_csv, als_html, als_xlsx
from services.reporting.exports.pdf import als_pdf

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
"""The media type of each file format."""

__all__ = ["MEDIA_TYPES", "als_csv", "als_html", "als_pdf", "als_xlsx"]
