"""CSV exports: the report's tables one after another, and flat row exports (journals)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from complaintdesk.reports.document import Document

BOM = "\ufeff"  # Excel reads UTF-8 (Vietnamese) correctly only with it


def _clean(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def document_csv(doc: Document) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([doc.title])
    writer.writerow([doc.organisation])
    writer.writerow([doc.subtitle])
    writer.writerow([])
    for label, value in doc.headline:
        writer.writerow([_clean(label), _clean(value)])
    for table in doc.tables:
        writer.writerow([])
        writer.writerow([_clean(table.title)])
        writer.writerow([_clean(h) for h in table.headers])
        for row in table.rows:
            writer.writerow([_clean(v) for v in row])
    return out.getvalue().encode("utf-8")


def rows_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A streamed CSV (for StreamingHttpResponse): the BOM and header first, then each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_clean(v) for v in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
