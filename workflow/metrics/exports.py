"""Every metrics table as CSV and XLSX, written by the one export module (workflow/exports.py)."""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import exports
from ..timeutil import vn_datetime_str
from .dossiers import dossiers
from .formatting import percent_value
from .indicators import indicators
from .labels import indicator_label
from .paperless import drill_down, paperless
from .scope import level_names
from .targets import all_targets

TABLES = {
    'paperless-levels': _l('Tỷ lệ xử lý hồ sơ hoàn toàn trực tuyến theo cấp'),
    'paperless-units': _l('Tỷ lệ xử lý hồ sơ hoàn toàn trực tuyến theo đơn vị'),
    'indicators-levels': _l('Các chỉ số khác theo cấp'),
    'indicators-units': _l('Các chỉ số khác theo đơn vị'),
    'dossiers-levels': _l('Hồ sơ TTHC trực tuyến theo cấp'),
    'dossiers-units': _l('Hồ sơ TTHC trực tuyến theo đơn vị'),
    'files': _l('Danh sách hồ sơ'),
    'targets': _l('Chỉ tiêu'),
}
FORMATS = ('csv', 'xlsx')
PERCENT = 'percent'


@dataclass
class Table:
    title: str
    columns: list  # [(heading, kind)] kind: 'text' | 'int' | 'percent' | 'number'
    rows: list


def _pct_columns(*headings):
    return [(heading, PERCENT) for heading in headings]


def _paperless(period, selection, by):
    data = paperless(period, selection, list_limit=0)
    names = level_names()
    entries = data['levels'].items() if by == 'levels' else [(u, u) for u in data['units']]
    first = [(_('Cấp'), 'text')] if by == 'levels' else [(_('Mã đơn vị'), 'text'), (_('Đơn vị'), 'text')]
    columns = first + [(_('Hồ sơ đã kết thúc'), 'int'), (_('Hoàn toàn trực tuyến'), 'int')] + \
        _pct_columns(_('Tỷ lệ (%)'), _('Chỉ tiêu (%)'))
    rows = []
    for key, entry in entries:
        head = [names.get(key, key)] if by == 'levels' else [entry['code'], entry['name']]
        rows.append(head + [entry['closed'], entry['fully_electronic'], entry['rate'], entry['target']])
    return columns, rows


def _indicators(period, selection, by):
    data = indicators(period, selection)
    names = level_names()
    entries = data['levels'].items() if by == 'levels' else [(u, u) for u in data['units']]
    first = [(_('Cấp'), 'text')] if by == 'levels' else [(_('Mã đơn vị'), 'text'), (_('Đơn vị'), 'text')]
    columns = first + [(_('Văn bản phát hành'), 'int'), (_('Có chữ ký số hợp lệ'), 'int')] + \
        _pct_columns(_('Tỷ lệ ký số (%)')) + [(_('Hồ sơ có hạn'), 'int'), (_('Đúng hạn'), 'int')] + \
        _pct_columns(_('Tỷ lệ đúng hạn (%)')) + [(_('Thời gian xử lý trung vị ≈ (ngày)'), 'number'),
                                                  (_('Quá hạn hiện tại'), 'int')]
    rows = []
    for key, e in entries:
        head = [names.get(key, key)] if by == 'levels' else [e['code'], e['name']]
        median = None if e['median_handling_days'] is None else round(e['median_handling_days'], 2)
        rows.append(head + [e['issued'], e['issued_signed'], e['signed_rate'], e['with_deadline'], e['on_time'],
                            e['on_time_rate'], median, e['overdue_now']])
    return columns, rows


def _dossiers(period, selection, by):
    data = dossiers(period, selection)
    names = level_names()
    entries = data['levels'].items() if by == 'levels' else [(u, u) for u in data['units']]
    first = [(_('Cấp'), 'text')] if by == 'levels' else [(_('Mã đơn vị'), 'text'), (_('Đơn vị'), 'text')]
    columns = first + [(_('Tổng số hồ sơ'), 'int'), (_('Giải quyết trực tuyến'), 'int'),
                       (_('Thanh toán trực tuyến'), 'int')] + _pct_columns(_('Tỷ lệ trực tuyến (%)'),
                                                                           _('Chỉ tiêu (%)'))
    rows = []
    for key, e in entries:
        head = [names.get(key, key)] if by == 'levels' else [e['code'], e['name']]
        rows.append(head + [e['total'], e['online'], e['paid_online'], e['rate'], e['target']])
    return columns, rows


def _files(period, selection, which, viewer):
    rows, _total = drill_down(period, selection, viewer=viewer, which=which, limit=100_000)
    columns = [(_('Mã hồ sơ'), 'int'), (_('Số, ký hiệu'), 'text'), (_('Trích yếu'), 'text'), (_('Đơn vị'), 'text'),
               (_('Ngày tạo'), 'text'), (_('Ngày kết thúc'), 'text'), (_('Hoàn toàn trực tuyến'), 'text'),
               (_('Lý do'), 'text')]
    out = []
    for r in rows:
        reasons = '; '.join(f"{x['label']}{': ' + x['detail'] if x['detail'] else ''}" for x in r['reasons'])
        title = r['title'] if r['visible'] else _('(không có quyền xem)')
        out.append([r['file_id'], r['number'], title, r['unit_name'], vn_datetime_str(r['created_at']),
                    vn_datetime_str(r['closed_at']), _('Có') if r['fully_electronic'] else _('Không'), reasons])
    return columns, out


def _targets():
    names = level_names()
    columns = [(_('Chỉ tiêu'), 'text'), (_('Cấp'), 'text'), (_('Từ năm'), 'int')] + _pct_columns(_('Giá trị (%)'))
    rows = [[indicator_label(t.indicator), names.get(t.level_code, t.level_code), t.year, t.value]
            for t in all_targets()]
    return columns, rows


def build_table(name, period, selection, *, viewer, which='all'):
    """The named table for the period and units, ready for `to_csv` / `to_xlsx`."""
    if name == 'targets':
        columns, rows = _targets()
    elif name == 'files':
        columns, rows = _files(period, selection, which, viewer)
    else:
        kind, by = name.split('-')
        columns, rows = {'paperless': _paperless, 'indicators': _indicators, 'dossiers': _dossiers}[kind](
            period, selection, by)
    title = str(TABLES[name]) + ('' if name == 'targets' else ' — ' + str(period.label))
    return Table(title, columns, rows)


def _csv_cell(value, kind):
    if value is not None and kind == PERCENT:
        return f'{percent_value(value):.2f}'
    return value


def to_csv(table):
    return exports.csv_document([heading for heading, _kind in table.columns],
                                ([_csv_cell(value, kind) for value, (_heading, kind) in
                                  zip(row, table.columns, strict=True)] for row in table.rows))


def to_xlsx(table):
    """An XLSX workbook: a title line, the headings in bold, rates as real percentages."""
    return exports.xlsx_document([heading for heading, _kind in table.columns], table.rows, title=table.title,
                                 formats=['0.00%' if kind == PERCENT else None for _heading, kind in table.columns])
