"""Bad input never becomes a 500: every API route, with unknown ids and malformed bodies and queries."""
import json

from tests.support.api import BASE

BODIES = [None, {}, [], 'x', 5, {'pin': 5, 'box': 'a', 'page': 'x'}, {'recipient_unit_ids': [None, 'a']},
          {'to_user_id': 'x', 'purpose': 3, 'deadline': '2026-13-45'}, {'lead_user_id': [1], 'deadline': 'hôm qua'},
          {'code': None, 'name': 7, 'level': [], 'parent_id': {}}, {'username': 1, 'password': 2, 'roles': 'admin'},
          {'note': {'a': 1}, 'reply_file_id': -1, 'reason': 7}, {'value': 'x', 'year': 'y', 'indicator': None},
          {'note': 'NUL \u0000 inside', 'title': '\u0000'}]
QUERIES = ['?from=2026-99-01', '?from=x&to=y', '?level=zzz&unit_id=abc', '?period=decade&year=abc&number=99',
           '?page=-1&box=zzz', '?format=xml&year=-5', '?q=%25%00']


def _path(rule, value):
    path = rule.rule[len(BASE):]
    for argument in rule.arguments:
        replacement = 'outgoing' if argument == 'kind' else str(value)
        for form in (f'<int:{argument}>', f'<{argument}>', f'<path:{argument}>'):
            path = path.replace(form, replacement)
    return path


def test_no_route_answers_500_to_bad_input(app, api, org):
    created = api.create_file(org.vp_spec)
    failures, checked = [], 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(BASE + '/') or rule.rule.endswith('/tokens'):
            continue
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            for value in (created['id'], 999999):
                for body in (BODIES if method != 'GET' else [None]):
                    kwargs = {'headers': api.headers(org.admin)}
                    if body is not None:
                        kwargs.update(data=json.dumps(body), content_type='application/json')
                    response = api.client.open(BASE + _path(rule, value), method=method, **kwargs)
                    checked += 1
                    if response.status_code >= 500 and response.status_code != 503:
                        failures.append((method, rule.rule, body, response.status_code))
                    else:
                        assert response.is_json or response.status_code < 400, (method, rule.rule)
    for path in ('/files', '/registers/outgoing', '/metrics/paperless', '/metrics/dossiers', '/metrics/indicators'):
        for query in QUERIES:
            response = api.get(org.admin, path + query)
            if response.status_code >= 500:
                failures.append(('GET', path + query, None, response.status_code))
    assert checked > 500 and failures == []
