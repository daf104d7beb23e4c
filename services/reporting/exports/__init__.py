"""The jaarcijfers in the formats people ask for: CSV, XLSX, printable HTML and PDF."""

from services.reporting.exports.bestanden import als_csv, als_html, als_xlsx
from services.reporting.exports.pdf import als_pdf

__all__ = ["als_csv", "als_html", "als_pdf", "als_xlsx"]
