"""Metrics as JSON: what the API returns and what the dashboard's charts read."""
from flask_babel import gettext as _

from .formatting import percent_value
from .scope import level_names


def _ranked(units):
    ranked = [u for u in units if u['closed']]
    ranked.sort(key=lambda u: (-(u['rate'] or 0), -u['closed'], u['code']))
    return [{'unit_id': u['unit_id'], 'name': u['name'], 'level': u['level'], 'rate': percent_value(u['rate']),
             'target': percent_value(u['target']), 'closed': u['closed']} for u in ranked]


def dashboard_json(data, selection):
    """The dashboard mapping, plus what the charts need: labels in the user's language, the units
    ranked by rate, percentages ready to plot (cut to two decimals, as everywhere on the page)."""
    names = level_names()
    trend = data['trend']
    paperless = data['paperless']
    return {
        **data,
        'charts': {
            'labels': {'rate': _('Tỷ lệ hoàn toàn trực tuyến (%)'), 'target': _('Chỉ tiêu'),
                       'trend_title': _('Xu hướng theo tháng'), 'units_title': _('Xếp hạng đơn vị'),
                       'levels_title': _('So sánh các cấp'), 'tthc_title': _('Hồ sơ TTHC trực tuyến'),
                       'online_rate': _('Tỷ lệ trực tuyến (%)'), 'no_data': _('Chưa có số liệu trong kỳ')},
            'level_names': {code: names.get(code, code) for code in selection.levels},
            'level_order': list(selection.levels),  # JSON objects lose their order
            'trend': {'months': trend['months'],
                      'levels': {code: {'rates': [percent_value(r) for r in s['rates']],
                                        'targets': [percent_value(t) for t in s['targets']]}
                                 for code, s in trend['levels'].items()}},
            'units': _ranked(paperless['units']),
            'levels': {code: {'rate': percent_value(e['rate']), 'target': percent_value(e['target']),
                              'closed': e['closed']} for code, e in paperless['levels'].items()},
            'tthc': {code: {'rate': percent_value(e['rate']), 'target': percent_value(e['target'])}
                     for code, e in data['dossiers']['levels'].items()},
        },
    }
