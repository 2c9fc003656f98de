"""Spreadsheet-safe CSV downloads, streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter  # type: ignore[import-untyped]
from django.http import HttpResponse, StreamingHttpResponse

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """The text of one cell, with a would-be formula made plain text (a leading '); a
    number (a negative one too) stays a number."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, rows: Iterable[list[object]]) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with a byte-order mark, for spreadsheets)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([csv_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(*, filename: str, sheet: str, rows: Iterable[list[object]]) -> HttpResponse:
    """A spreadsheet download: numbers as numbers, every text as a text cell (never a
    formula), with a would-be formula escaped as in the CSV (``csv_cell``)."""
    return xlsx_workbook_response(filename=filename, sheets=[(sheet, rows)])


def xlsx_workbook_response(
    *, filename: str, sheets: Iterable[tuple[str, Iterable[list[object]]]]
) -> HttpResponse:
    """A spreadsheet of several sheets (titled, each cut to the 31 characters a sheet's
    name may have, made unique), written as ``xlsx_response`` writes one."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    used: set[str] = set()
    for title, rows in sheets:
        name = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
        n = 1
        while name.lower() in used:
            n += 1
            name = f"{name[:28]} {n}"
        used.add(name.lower())
        page = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                    page.write_number(r, c, float(value))
                elif value is not None:
                    page.write_string(r, c, csv_cell(value))
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
