"""Streaming writers: CSV as a generator of text chunks, XLSX into a temporary file written row by
row (xlsxwriter's constant_memory mode). Neither holds more than one row in memory."""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime
from typing import IO, Iterable, Iterator

import xlsxwriter

from app.clock import AMSTERDAM
from app.exports.registry import Column

CHUNK = 64 * 1024
# A cell starting with one of these is read as a formula by spreadsheets (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def csv_cell(column: Column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if column.kind == "text" and text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_chunks(columns: tuple[Column, ...], rows: Iterable[tuple]) -> Iterator[str]:
    """UTF-8 CSV (with a byte-order mark, so spreadsheets detect the encoding), comma-separated.
    The header is translated now, in the request; the rows are written as they are read."""
    return _csv_chunks(columns, [str(c.label) for c in columns], rows)


def _csv_chunks(columns: tuple[Column, ...], header: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(c, v) for c, v in zip(columns, row)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(sheet: str, columns: tuple[Column, ...], rows: Iterable[tuple]) -> IO[bytes]:
    """An XLSX workbook with one sheet, in a temporary file (deleted when closed), positioned at 0."""
    fp = tempfile.TemporaryFile()
    try:
        _write_xlsx(fp, sheet, columns, rows)
    except BaseException:
        fp.close()
        raise
    fp.seek(0)
    return fp


def _write_xlsx(fp: IO[bytes], sheet: str, columns: tuple[Column, ...], rows: Iterable[tuple]) -> None:
    workbook = xlsxwriter.Workbook(fp, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    try:
        sheet_ = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for i, column in enumerate(columns):
            sheet_.set_column(i, i, column.width)
        sheet_.freeze_panes(1, 0)
        sheet_.write_row(0, 0, [str(c.label) for c in columns], bold)
        last = 0
        for r, row in enumerate(rows, start=1):
            last = r
            for c, (column, value) in enumerate(zip(columns, row)):
                if value is None or value == "":
                    continue
                if isinstance(value, datetime):
                    sheet_.write_datetime(r, c, _local(value), when)
                elif column.kind == "int":
                    sheet_.write_number(r, c, value)
                else:
                    sheet_.write_string(r, c, str(value))
        sheet_.autofilter(0, 0, last, len(columns) - 1)
    finally:
        workbook.close()
