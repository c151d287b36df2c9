"""Exports of a report: XLSX (openpyxl, with native charts), CSV (UTF-8 with BOM, for Excel)
and PDF (fpdf2 with the bundled DejaVu Sans, charts drawn in the PDF)."""
