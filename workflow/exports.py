"""The one place a spreadsheet is written: every CSV and XLSX export goes through here.

A cell is never written as a formula. Spreadsheet programs read a text cell that starts with `=`, `+`, `-`,
`@` (or a tab or carriage return, which some of them strip first) as a formula, so a file titled
`=HYPERLINK(...)` would run when the export is opened ("CSV/formula injection"). Text cells starting with one
of these get an apostrophe in CSV (the spreadsheet convention for "this is text") and are stored with the
explicit string type in XLSX; numbers stay numbers.
"""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r', '\n', '\uff1d', '\uff0b', '\uff0d', '\uff20')
XLSX_MIMETYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
CSV_MIMETYPE = 'text/csv; charset=utf-8'


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert_text(value):
    """`value` as a CSV cell that no spreadsheet evaluates: text that could start a formula gets a `'`."""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_document(headings, rows):
    """A CSV document (UTF-8 with BOM, so that Excel shows Vietnamese correctly), every cell inert."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\r\n')
    writer.writerow([inert_text(heading) for heading in headings])
    for row in rows:
        writer.writerow(['' if value is None else inert_text(value) for value in row])
    return '\ufeff' + out.getvalue()


def _as_text(cell):
    """Keep the cell's text as a plain string: openpyxl would otherwise store `=...` as a formula."""
    if is_formula_like(cell.value):
        cell.data_type = 's'
        cell.quotePrefix = True


def xlsx_document(headings, rows, *, title=None, formats=None, sheet_title='Bao cao'):
    """An XLSX workbook: an optional bold title line, the headings in bold, then the rows.

    `formats` gives a number format per column (or None), e.g. '0.00%' for rates kept as fractions.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    first_row = 1
    if title is not None:
        sheet.append([title])
        _as_text(sheet['A1'])
        sheet['A1'].font = Font(bold=True, size=13)
        first_row = 2
    sheet.append(list(headings))
    for cell in sheet[first_row]:
        _as_text(cell)
        cell.font = Font(bold=True)
    formats = formats or [None] * len(headings)
    for row in rows:
        sheet.append(list(row))
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
            _as_text(cell)
            if number_format and cell.value is not None:
                cell.number_format = number_format
    for index, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(60, len(str(heading)) + 4))
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1).coordinate
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
