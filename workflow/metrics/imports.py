"""Importing TTHC dossier counts from the one-stop-shop system: a CSV, all rows or none.

Columns: unit_code, period_start, period_end, total, online, paid_online. Dates ISO (2023-06-30)
or Vietnamese (30/06/2023). UTF-8 with or without a byte-order mark; comma or semicolon separated
(Excel in a Vietnamese locale writes semicolons).
"""
import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..directory.models import Unit
from ..errors import BadInput
from ..extensions import db
from .models import DossierCount, DossierImport
from .periods import parse_day

COLUMNS = ('unit_code', 'period_start', 'period_end', 'total', 'online', 'paid_online')
MAX_ROWS = 100_000


@dataclass
class RowError:
    line: int  # the line in the file (the header is line 1)
    message: str

    def as_json(self):
        return {'line': self.line, 'message': self.message}


class ImportRejected(BadInput):
    """The file was refused; `errors` lists every faulty row. Nothing was imported."""
    status = 422
    code = 'invalid_rows'

    def __init__(self, errors):
        super().__init__(_('Tệp có %(n)d lỗi; chưa nhập dòng nào. Hãy sửa và tải lên lại.', n=len(errors)))
        self.errors = errors


@dataclass
class ParsedRow:
    line: int
    unit: object
    period_start: object
    period_end: object
    total: int
    online: int
    paid_online: int


def _decode(data):
    if not data or not data.strip():
        raise BadInput(_('Tệp CSV trống.'), code='empty_file')
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError:
        raise BadInput(_('Tệp CSV phải được lưu với bảng mã UTF-8.'), code='bad_encoding') from None


def _reader(text):
    first_line = text.split('\n', 1)[0]
    delimiter = ';' if first_line.count(';') > first_line.count(',') else ','
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def _header(rows):
    try:
        header = [cell.strip().lower() for cell in next(rows)]
    except StopIteration:
        raise BadInput(_('Tệp CSV trống.'), code='empty_file') from None
    except csv.Error:
        raise BadInput(_('Tệp không đọc được như CSV.'), code='bad_csv') from None
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise BadInput(_('Thiếu cột: %(columns)s. Cần đủ các cột: %(all)s.', columns=', '.join(missing),
                         all=', '.join(COLUMNS)), code='missing_columns')
    return {name: header.index(name) for name in COLUMNS}


def _count(cell, name, problems):
    text = cell.strip().replace(' ', '') if cell else ''
    if text.lstrip('-').isdigit():
        value = int(text)
        if value < 0:
            problems.append(_('"%(field)s" không được âm (%(value)s).', field=name, value=cell.strip()))
            return None
        return value
    problems.append(_('"%(field)s" phải là số nguyên không âm (đang là "%(value)s").', field=name,
                      value=(cell or '').strip()[:30]))
    return None


def _day(cell, name, problems):
    try:
        return parse_day(cell, name)
    except BadInput as exc:
        problems.append(exc.message)
        return None


def _check_row(line, cells, index, units, seen):
    problems = []
    if len(cells) < len(index) or len(cells) <= max(index.values()):
        return None, [_('Dòng thiếu cột (cần %(n)d cột).', n=len(COLUMNS))]
    value = {name: cells[position] for name, position in index.items()}
    code = value['unit_code'].strip().upper()
    unit = units.get(code)
    if unit is None:
        problems.append(_('Không có đơn vị với mã "%(code)s".', code=value['unit_code'].strip()[:35]))
    start = _day(value['period_start'], 'period_start', problems)
    end = _day(value['period_end'], 'period_end', problems)
    if start and end and end < start:
        problems.append(_('Ngày kết thúc kỳ (%(end)s) trước ngày bắt đầu (%(start)s).',
                          end=end.strftime('%d/%m/%Y'), start=start.strftime('%d/%m/%Y')))
    total = _count(value['total'], 'total', problems)
    online = _count(value['online'], 'online', problems)
    paid = _count(value['paid_online'], 'paid_online', problems) if value['paid_online'].strip() else 0
    if total is not None and online is not None and online > total:
        problems.append(_('Số hồ sơ trực tuyến (%(online)d) lớn hơn tổng số (%(total)d).', online=online, total=total))
    if paid is not None and total is not None and paid > total:
        problems.append(_('Số hồ sơ thanh toán trực tuyến (%(paid)d) lớn hơn tổng số (%(total)d).', paid=paid,
                          total=total))
    key = (code, start, end)
    if unit is not None and start and end:
        if key in seen:
            problems.append(_('Trùng với dòng %(line)d (cùng đơn vị và kỳ).', line=seen[key]))
        else:
            seen[key] = line
    if problems:
        return None, problems
    return ParsedRow(line, unit, start, end, total, online, paid), []


def parse_dossier_csv(data):
    """Rows of the CSV, or ImportRejected listing every faulty row (with its line number)."""
    rows = _reader(_decode(data))
    index = _header(rows)
    units = {unit.code.upper(): unit for unit in db.session.scalars(select(Unit))}
    parsed, errors, seen = [], [], {}
    try:
        for line, cells in enumerate(rows, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed) + len(errors) >= MAX_ROWS:
                raise BadInput(_('Tệp quá nhiều dòng (tối đa %(n)d).', n=MAX_ROWS), code='too_many_rows')
            row, problems = _check_row(line, cells, index, units, seen)
            if row is not None:
                parsed.append(row)
            errors.extend(RowError(line, message) for message in problems)
    except csv.Error:
        raise BadInput(_('Tệp không đọc được như CSV.'), code='bad_csv') from None
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise BadInput(_('Tệp không có dòng số liệu nào.'), code='no_rows')
    return parsed


def import_dossiers(actor, *, filename, data):
    """Import the CSV: every row, replacing the counts already held for the same unit and period,
    or nothing (ImportRejected / BadInput). Returns the DossierImport."""
    rows = parse_dossier_csv(data)
    batch = DossierImport(filename=(filename or '')[:255], row_count=len(rows),
                          imported_by_id=getattr(actor, 'id', None))
    db.session.add(batch)
    db.session.flush()
    existing = {(c.unit_id, c.period_start, c.period_end): c for c in db.session.scalars(
        select(DossierCount).where(DossierCount.unit_id.in_({row.unit.id for row in rows})))}
    replaced = 0
    for row in rows:
        count = existing.get((row.unit.id, row.period_start, row.period_end))
        if count is None:
            count = DossierCount(unit_id=row.unit.id, period_start=row.period_start, period_end=row.period_end)
            db.session.add(count)
        else:
            replaced += 1
        count.total, count.online, count.paid_online, count.import_id = row.total, row.online, row.paid_online, batch.id
    db.session.flush()
    audit.record(actor, 'import_dossiers', batch, rows=len(rows), replaced=replaced, filename=batch.filename)
    batch.replaced = replaced
    return batch
