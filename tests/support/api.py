"""Speaking to /api/v1 as a given person: tokens, uploads, file actions, and an issued file to start from."""
import io

from tests.builders import PASSWORD, pdf


def bearer(app, user):
    """A bearer token for `user`, issued as POST /tokens issues one (its door is tested in
    tests/api/test_tokens.py; the other tests need only to be someone)."""
    from workflow.auth.models import issue_token
    from workflow.directory.models import User
    from workflow.extensions import db

    with app.app_context():
        token, _row = issue_token(db.session.get(User, user.id), app.config['API_TOKEN_HOURS'])
        db.session.commit()
    return {'Authorization': f'Bearer {token}'}


def api_token(client, user, password=PASSWORD):
    response = client.post('/api/v1/tokens', json={'username': user.username, 'password': password})
    assert response.status_code == 201, response.get_json()
    return {'Authorization': f'Bearer {response.get_json()["token"]}'}


BASE = '/api/v1'


class ApiClient:
    """Calls /api/v1 as a given user (tokens cached per user), optionally in English."""

    def __init__(self, client):
        self.client = client
        self._tokens = {}

    def headers(self, user=None, lang=None):
        headers = {}
        if user is not None:
            if user.id not in self._tokens:
                self._tokens[user.id] = bearer(self.client.application, user)
            headers.update(self._tokens[user.id])
        if lang:
            headers['Accept-Language'] = lang
        return headers

    def get(self, user, path, *, lang=None, **kwargs):
        return self.client.get(BASE + path, headers=self.headers(user, lang), **kwargs)

    def post(self, user, path, json=None, *, lang=None, **kwargs):
        if json is not None:
            kwargs['json'] = json
        return self.client.post(BASE + path, headers=self.headers(user, lang), **kwargs)

    def patch(self, user, path, json=None, *, lang=None):
        return self.client.patch(BASE + path, headers=self.headers(user, lang), json=json)

    def upload(self, user, path, *, data=None, filename='du-thao.pdf', lang=None, **fields):
        form = {key: str(value) for key, value in fields.items()}
        form['file'] = (io.BytesIO(pdf() if data is None else data), filename)
        return self.client.post(BASE + path, headers=self.headers(user, lang), data=form,
                                content_type='multipart/form-data')

    def create_file(self, user, *, title='Quyết định ban hành Kế hoạch chuyển đổi số năm 2026', doc_type='QĐ',
                    data=None, **fields):
        response = self.upload(user, '/files', data=data, title=title, doc_type=doc_type, **fields)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def act(self, user, file_id, action, body=None, *, expect=200):
        """A file action that must succeed; returns the file JSON."""
        response = self.post(user, f'/files/{file_id}/{action}', body or {})
        assert response.status_code == expect, (action, response.get_json())
        return response.get_json()

    def file(self, user, file_id):
        response = self.get(user, f'/files/{file_id}')
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def issued_file(api, org, recipients, *, title='Quyết định ban hành Kế hoạch chuyển đổi số năm 2026',
                doc_type='QĐ'):
    """A document drafted in VP, sent to the chairman, handed to the UBND clerk and issued; returns the
    issued file JSON."""
    created = api.create_file(org.vp_spec, title=title, doc_type=doc_type)
    api.act(org.vp_spec, created['id'], 'forward', {'to_user_id': org.chairman.id, 'purpose': 'sign'})
    api.act(org.chairman, created['id'], 'forward', {'to_user_id': org.ubnd_clerk.id, 'purpose': 'handle'})
    return api.act(org.ubnd_clerk, created['id'], 'issue',
                   {'recipient_unit_ids': [c.unit.id for c in recipients], 'pin': ''})


def delivery_for(issued, unit):
    return next(d for d in issued['deliveries'] if d['unit_id'] == unit.id)
