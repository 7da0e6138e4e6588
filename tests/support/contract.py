"""Every JSON answer the suite gets from /api/v1 fits the schema the OpenAPI document declares for it.

Answers are noted as they leave any app (Flask's `request_finished` signal: the session's app, the
apps some tests build for themselves, the live server's threads), then checked against the document
the app that gave them serves: the operation for the path and method, the response for the status
(or `default`), the content type, and the body against that response's JSON Schema (2020-12, the
dialect of OpenAPI 3.1; `date-time` must carry an offset). Only the bytes are kept, so an answer
may be checked after its request has ended.
"""
import json
import re
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime

from flask import request, request_finished
from jsonschema import Draft202012Validator, FormatChecker

from workflow.api.openapi import PREFIX, document_of

FORMATS = FormatChecker()


@FORMATS.checks('date-time', raises=ValueError)
def _moment_with_offset(value):
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks('date', raises=ValueError)
def _day(value):
    return not isinstance(value, str) or bool(datetime.strptime(value, '%Y-%m-%d'))


@dataclass
class Answer:
    app: object  # the Flask app that gave it (held until the answer is checked)
    method: str
    rule: str | None  # the URL rule that served it; None when nothing matched (404, 405)
    path: str
    status: int
    mimetype: str
    body: bytes

    def __str__(self):
        return f'{self.method} {self.path} → {self.status}'


def openapi_path(rule):
    """'/api/v1/files/<int:file_id>' → '/files/{file_id}'."""
    return re.sub(r'<(?:[^:<>]+:)?([^<>]+)>', r'{\1}', rule.removeprefix(PREFIX))


class Recorder:
    """The answers given since `clear()`, from every app and thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._answers = []
        request_finished.connect(self.note, weak=False)

    def note(self, app, response, **_extra):
        if (not request.path.startswith(PREFIX + '/') or request.method == 'OPTIONS'
                or response.direct_passthrough or response.is_streamed):
            return  # a file sent from disk or a stream: its bytes are not ours to read here
        answer = Answer(app, 'GET' if request.method == 'HEAD' else request.method,
                        request.url_rule.rule if request.url_rule else None, request.path, response.status_code,
                        response.mimetype or '', response.get_data())
        with self._lock:
            self._answers.append(answer)

    def clear(self):
        with self._lock:
            self._answers.clear()

    def seen(self):
        with self._lock:
            return list(self._answers)

    def taken(self):
        with self._lock:
            answers, self._answers = self._answers, []
        return answers


class Contract:
    """The OpenAPI document of each app, and the validators of its responses (built once each)."""

    def __init__(self):
        self._documents = weakref.WeakKeyDictionary()  # app → (document, {schema: validator})

    def problems(self, answers):
        return [problem for answer in answers for problem in [self.problem(answer)] if problem]

    def problem(self, answer):
        """What is wrong with `answer` by the document, or None."""
        document, validators = self._document(answer.app)
        response, where = self._declared_response(document, answer)
        if response is None:
            return f'{answer}: {where}'
        content = response.get('content', {})
        if answer.status == 204 and not answer.body:
            return None
        if answer.mimetype not in content:
            return f'{answer}: answered {answer.mimetype or "nothing"}, {where} declares {sorted(content) or "none"}'
        if answer.mimetype != 'application/json':
            return None
        try:
            body = json.loads(answer.body)
        except ValueError:
            return f'{answer}: the body is not JSON'
        validator = self._validator(document, validators, content['application/json']['schema'])
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            shown = '; '.join(f'at {e.json_path}: {e.message[:300]}' for e in errors[:5])
            return f'{answer}: the body does not fit {where}: {shown}'
        return None

    def _document(self, app):
        if app not in self._documents:  # the apps some tests build for themselves go with them
            with app.app_context():
                self._documents[app] = document_of(app), {}
        return self._documents[app]

    def _declared_response(self, document, answer):
        if answer.rule is None:  # no route: the envelope, as for any error
            return ({'content': {'application/json': {'schema': {'$ref': '#/components/schemas/Error'}}}},
                    'the error envelope') if answer.status >= 400 else (None, 'no route answers this')
        path = openapi_path(answer.rule)
        operation = document['paths'].get(path, {}).get(answer.method.lower())
        if operation is None:
            return None, f'the document does not describe {answer.method} {path}'
        responses = operation['responses']
        status = str(answer.status) if str(answer.status) in responses else 'default'
        if status not in responses:
            return None, f'{answer.method} {path} declares no {answer.status} and no default response'
        response = responses[status]
        if '$ref' in response:
            response = document['components']['responses'][response['$ref'].rsplit('/', 1)[-1]]
        return response, f'{answer.method} {path} {status}'

    @staticmethod
    def _validator(document, validators, schema):
        key = json.dumps(schema, sort_keys=True)
        if key not in validators:  # the components ride along, so that '#/components/...' resolves
            validators[key] = Draft202012Validator({**schema, 'components': document['components']},
                                                   format_checker=FORMATS)
        return validators[key]


RECORDER = Recorder()
CONTRACT = Contract()
