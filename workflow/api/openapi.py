"""The OpenAPI 3.1 description of the API, written as data and served at /api/v1/openapi.json."""
from flask import jsonify, request

from ..files.queries import BOXES
from ..vocabulary import DELIVERY_STATUSES, DOC_TYPE_NAMES, PURPOSES, ROLES, STATUS_LABELS, URGENCIES
from . import bp


def ref(name):
    return {'$ref': f'#/components/schemas/{name}'}


def obj(properties, required=(), **extra):
    schema = {'type': 'object', 'properties': properties, **extra}
    if required:
        schema['required'] = list(required)
    return schema


def array(items):
    return {'type': 'array', 'items': items}


def nullable(schema):
    return {'anyOf': [schema, {'type': 'null'}]}


STRING = {'type': 'string'}
INTEGER = {'type': 'integer'}
BOOLEAN = {'type': 'boolean'}
ID = {'type': 'integer', 'minimum': 1}
TIME = {'type': 'string', 'format': 'date-time', 'description': 'ISO 8601 with offset (+07:00)'}
DEADLINE_IN = {'type': 'string', 'description': 'ISO date (end of that day, Vietnam time) or ISO datetime',
               'examples': ['2026-03-31', '2026-03-31T17:00:00+07:00']}
WORKING_DAYS = {'type': 'integer', 'minimum': 1,
                'description': 'Instead of deadline: this many working days from today '
                               '(weekends and Vietnamese public holidays skipped)'}

SCHEMAS = {
    'Error': obj({'error': obj({'code': {**STRING, 'description': 'stable machine-readable code'},
                                'message': {**STRING, 'description': 'in the request language (vi or en)'}},
                               ['code', 'message'])}, ['error']),
    'Token': obj({'token': STRING, 'token_type': {'const': 'Bearer'}, 'expires_at': TIME, 'user': ref('User')},
                 ['token', 'expires_at']),
    'User': obj({'id': ID, 'username': STRING, 'full_name': STRING, 'title': STRING, 'unit_id': ID,
                 'roles': array({'enum': ROLES}), 'active': BOOLEAN, 'locale': nullable(STRING),
                 'email': nullable(STRING)}, ['id', 'username', 'full_name', 'title', 'unit_id', 'roles']),
    'Unit': obj({'id': ID, 'code': {**STRING, 'examples': ['H17.07.03']}, 'name': STRING,
                 'abbreviation': {**STRING, 'examples': ['UBND', 'VP', 'TCKH']},
                 'level': {**STRING, 'examples': ['district', 'commune', 'province']},
                 'parent_id': nullable(ID), 'active': BOOLEAN},
                ['id', 'code', 'name', 'abbreviation', 'level', 'parent_id']),
    'Level': obj({'code': STRING, 'name': STRING, 'rank': INTEGER}, ['code', 'name', 'rank']),
    'Signature': obj({'field': STRING, 'role': {'enum': ['signer', 'organisation', 'attachment', 'archive']},
                      'signer_id': nullable(ID), 'signer': nullable(STRING), 'signed_at': TIME,
                      'certificate_serial': nullable(STRING)}, ['field', 'role', 'signed_at'],
                     description='A signature this system applied to the current bytes; '
                                 'GET /documents/{id}/verification says whether it verifies.'),
    'Document': obj({'id': ID, 'file_id': ID, 'kind': {'enum': ['main', 'attachment']}, 'filename': STRING,
                     'sha256': {**STRING, 'pattern': '^[0-9a-f]{64}$'}, 'size': INTEGER, 'pages': INTEGER,
                     'paper_origin': BOOLEAN, 'uploaded_by_id': nullable(ID), 'created_at': TIME,
                     'duplicate_of_id': nullable(ID), 'duplicate_of': nullable(ref('DuplicateOf')),
                     'signatures': array(ref('Signature'))}, ['id', 'filename', 'sha256', 'signatures']),
    'DuplicateOf': obj({'document_id': ID, 'file_id': ID}, ['document_id', 'file_id'],
                       description='The same PDF was already uploaded in the caller\'s unit.'),
    'Event': obj({'at': TIME, 'actor_id': nullable(ID), 'action': STRING, 'from_unit_id': nullable(ID),
                  'to_unit_id': nullable(ID), 'note': STRING, 'from_user_id': nullable(ID),
                  'to_user_id': nullable(ID), 'purpose': nullable({'enum': list(PURPOSES)}),
                  'on_paper': BOOLEAN}, ['at', 'actor_id', 'action', 'from_unit_id', 'to_unit_id', 'note']),
    'Delivery': obj({'unit_id': ID, 'file_id': ID, 'status': {'enum': DELIVERY_STATUSES},
                     'delivered_at': TIME, 'updated_at': TIME, 'note': STRING}, ['unit_id', 'file_id', 'status']),
    'Assignment': obj({'user_id': ID, 'role': {'enum': ['lead', 'cooperate', 'inform']},
                       'deadline': nullable(TIME), 'assigned_by_id': nullable(ID), 'assigned_at': TIME,
                       'done_at': nullable(TIME)}, ['user_id', 'role']),
    'PaperReason': obj({'reason': {'enum': ['paper_origin', 'paper_step', 'unsigned_issuance']},
                        'detail': STRING, 'at': TIME}, ['reason', 'detail']),
    'FileSummary': obj({
        'id': ID, 'title': STRING, 'doc_type': {'enum': list(DOC_TYPE_NAMES)}, 'number': nullable(STRING),
        'status': {'enum': list(STATUS_LABELS)}, 'urgency': {'enum': list(URGENCIES)},
        'direction': {'enum': ['outgoing', 'incoming']}, 'holder_unit_id': nullable(ID),
        'holder_user_id': nullable(ID), 'held_since': TIME, 'deadline': nullable(TIME), 'overdue': BOOLEAN,
        'fully_electronic': BOOLEAN, 'incoming_number': nullable(INTEGER), 'owner_unit_id': ID,
        'created_at': TIME, 'closed_at': nullable(TIME)},
        ['id', 'title', 'doc_type', 'number', 'status', 'holder_unit_id', 'holder_user_id', 'deadline',
         'overdue', 'fully_electronic']),
    'File': {'allOf': [ref('FileSummary'), obj({
        'summary': STRING, 'creator_id': ID, 'issuing_unit_id': nullable(ID), 'issued_at': nullable(TIME),
        'incoming_year': nullable(INTEGER), 'received_at': nullable(TIME), 'registered_at': nullable(TIME),
        'source_file_id': nullable(ID), 'reply_file_id': nullable(ID), 'result_note': nullable(STRING),
        'paper_reasons': array(ref('PaperReason')), 'documents': array(ref('Document')),
        'timeline': array(ref('Event')), 'deliveries': array(ref('Delivery')),
        'assignments': array(ref('Assignment')),
        'available_actions': {**array(STRING), 'description': 'what the caller may do now'},
        'duplicate_of': ref('DuplicateOf')},
        ['documents', 'timeline', 'deliveries'])]},
    'FileList': obj({'items': array(ref('FileSummary')), 'total': INTEGER, 'page': INTEGER},
                    ['items', 'total', 'page']),
    'Register': obj({'register': {'enum': ['outgoing', 'incoming']}, 'unit_id': ID, 'year': INTEGER,
                     'columns': array(obj({'key': STRING, 'label': STRING})),
                     'rows': array(obj({'file_id': ID}, additionalProperties=True))},
                    ['register', 'unit_id', 'year', 'rows']),
}


def _error(description):
    return {'description': description,
            'content': {'application/json': {'schema': ref('Error')}}}


RESPONSES = {
    'BadRequest': _error('Invalid input: malformed JSON, a missing or mistyped field, an unknown id, '
                         'or a value the operation rejects'),
    'Unauthorized': _error('Missing, invalid or expired bearer token'),
    'Forbidden': _error('Visible, but the caller may not do this'),
    'NotFound': _error('No such object, or not visible to the caller'),
    'Conflict': _error('Not possible in the file\'s current status, or a concurrent change'),
    'TooLarge': _error('Upload larger than MAX_UPLOAD_MB'),
    'Unsupported': _error('The upload is not a PDF'),
    'Unprocessable': _error('An encrypted or broken PDF'),
    'TooMany': _error('Too many attempts: rate limit or temporarily locked account'),
}


def _ok(description, schema=None, status='200', content_type='application/json'):
    response = {'description': description}
    if schema is not None:
        response['content'] = {content_type: {'schema': schema}}
    return {status: response}


def _errors(*names):
    codes = {'BadRequest': '400', 'Unauthorized': '401', 'Forbidden': '403', 'NotFound': '404',
             'Conflict': '409', 'TooLarge': '413', 'Unsupported': '415', 'Unprocessable': '422', 'TooMany': '429'}
    return {codes[n]: {'$ref': f'#/components/responses/{n}'} for n in names}


def _pki_ok(description, content_type):
    return {**_ok(description, {'type': 'string', 'format': 'binary'}, content_type=content_type),
            '503': {'description': 'The local PKI has not been initialised (flask pki init)'}}


def _json_body(schema, required=True):
    return {'required': required, 'content': {'application/json': {'schema': schema}}}


def _multipart(schema):
    return {'required': True, 'content': {'multipart/form-data': {'schema': schema}}}


def _path_id(name, description):
    return {'name': name, 'in': 'path', 'required': True, 'schema': ID, 'description': description}


def _query(name, schema, description=''):
    return {'name': name, 'in': 'query', 'required': False, 'schema': schema, 'description': description}


def op(summary, responses, *, tag, body=None, parameters=(), public=False, description=None, roles=None):
    operation = {'summary': summary, 'tags': [tag]}
    if description or roles:
        operation['description'] = ' '.join(filter(None, [description, f'Who: {roles}.' if roles else None]))
    if body is not None:
        operation['requestBody'] = body
    if parameters:
        operation['parameters'] = list(parameters)
    if public:
        operation['security'] = []
    operation['responses'] = {**responses, **({} if public else _errors('Unauthorized'))}
    return operation


FILE_ID = _path_id('file_id', 'work file id')
FILE_ACTION_ERRORS = _errors('BadRequest', 'Forbidden', 'NotFound', 'Conflict')
PDF_UPLOAD_ERRORS = _errors('BadRequest', 'Forbidden', 'NotFound', 'Conflict', 'TooLarge', 'Unsupported',
                            'Unprocessable')
NOTE = {**STRING, 'description': 'free text'}


def _action(summary, body_schema, roles, description=None, extra_response=None):
    schema = ref('File') if extra_response is None else {'allOf': [ref('File'), extra_response]}
    return op(summary, {**_ok('The file after the action', schema), **FILE_ACTION_ERRORS}, tag='files',
              body=_json_body(body_schema, required=False) if body_schema else None, parameters=[FILE_ID],
              roles=roles, description=description)


PATHS = {
    '/tokens': {'post': op(
        'Sign in and get a bearer token',
        {**_ok('Token issued', ref('Token'), '201'), **_errors('BadRequest', 'TooMany'),
         '401': _error('Wrong username or password')}, tag='auth', public=True, roles='anyone',
        description='Rate-limited like the HTML login (LOGIN_RATE_LIMIT); five failures lock the account '
                    'for 15 minutes (429).',
        body=_json_body(obj({'username': STRING, 'password': STRING}, ['username', 'password'])))},
    '/me': {'get': op('The caller', _ok('The caller', ref('User')), tag='auth', roles='any user')},
    '/levels': {'get': op('Tiers of government (data, not code)',
                          _ok('Levels', obj({'items': array(ref('Level'))})), tag='directory', roles='any user')},
    '/units': {
        'get': op('List units', {**_ok('Units', obj({'items': array(ref('Unit'))})), **_errors('BadRequest')},
                  tag='directory', roles='any user', parameters=[
                      _query('level', STRING), _query('parent_id', ID),
                      _query('include_inactive', BOOLEAN)]),
        'post': op('Create a unit', {**_ok('Created', ref('Unit'), '201'),
                                     **_errors('BadRequest', 'Forbidden', 'Conflict')},
                   tag='directory', roles='admin', body=_json_body(obj(
                       {'code': {**STRING, 'description': 'national format, e.g. H17.07.03'}, 'name': STRING,
                        'abbreviation': STRING, 'level': {**STRING, 'description': 'a code from GET /levels'},
                        'parent_id': nullable(ID)}, ['code', 'name', 'abbreviation', 'level'])))},
    '/units/{unit_id}': {
        'get': op('One unit', {**_ok('The unit', ref('Unit')), **_errors('NotFound')}, tag='directory',
                  roles='any user', parameters=[_path_id('unit_id', 'unit id')]),
        'patch': op('Change a unit', {**_ok('The unit', ref('Unit')), **_errors('BadRequest', 'Forbidden',
                                                                                'NotFound')},
                    tag='directory', roles='admin', parameters=[_path_id('unit_id', 'unit id')],
                    body=_json_body(obj({'name': STRING, 'abbreviation': STRING, 'level': STRING,
                                         'parent_id': nullable(ID), 'active': BOOLEAN})))},
    '/users': {
        'get': op('List users', {**_ok('Users', obj({'items': array(ref('User'))})), **_errors('BadRequest')},
                  tag='directory', roles='any user', parameters=[
                      _query('unit_id', ID), _query('role', {'enum': ROLES}),
                      _query('include_inactive', BOOLEAN)]),
        'post': op('Create a user', {**_ok('Created', ref('User'), '201'),
                                     **_errors('BadRequest', 'Forbidden', 'Conflict')},
                   tag='directory', roles='admin', body=_json_body(obj(
                       {'username': STRING, 'password': {**STRING, 'minLength': 8}, 'full_name': STRING,
                        'title': STRING, 'unit_id': ID, 'roles': array({'enum': ROLES}), 'email': STRING},
                       ['username', 'password', 'full_name', 'unit_id', 'roles'])))},
    '/users/{user_id}': {
        'get': op('One user', {**_ok('The user', ref('User')), **_errors('NotFound')}, tag='directory',
                  roles='any user', parameters=[_path_id('user_id', 'user id')]),
        'patch': op('Change a user (roles, unit, title, active)',
                    {**_ok('The user', ref('User')), **_errors('BadRequest', 'Forbidden', 'NotFound')},
                    tag='directory', roles='admin', parameters=[_path_id('user_id', 'user id')],
                    body=_json_body(obj({'full_name': STRING, 'title': STRING, 'unit_id': ID,
                                         'roles': array({'enum': ROLES}), 'active': BOOLEAN,
                                         'email': nullable(STRING)})))},
    '/users/{user_id}/password': {'post': op(
        'Reset a user\'s password (also lifts a login lock)',
        {'204': {'description': 'Done'}, **_errors('BadRequest', 'Forbidden', 'NotFound')}, tag='directory',
        roles='admin', parameters=[_path_id('user_id', 'user id')],
        body=_json_body(obj({'password': {**STRING, 'minLength': 8}}, ['password'])))},
    '/files': {
        'get': op('Files visible to the caller', {**_ok('One page (25 per page)', ref('FileList')),
                                                   **_errors('BadRequest')}, tag='files', roles='any user',
                  parameters=[_query('box', {'enum': list(BOXES), 'default': 'all'},
                                     'inbox: waiting for the caller; sent: the caller handed it on'),
                              _query('status', {'enum': list(STATUS_LABELS)}),
                              _query('direction', {'enum': ['outgoing', 'incoming']}),
                              _query('q', STRING, 'search in title, number and summary, ignoring diacritics'),
                              _query('page', {'type': 'integer', 'minimum': 1, 'default': 1})]),
        'post': op('Create a work file from a PDF; status draft',
                   {**_ok('Created (with duplicate_of when the same PDF was already uploaded in the unit)',
                          ref('File'), '201'), **PDF_UPLOAD_ERRORS}, tag='files',
                   roles='specialist, leader, clerk', body=_multipart(obj({
                       'file': {'type': 'string', 'format': 'binary', 'contentMediaType': 'application/pdf'},
                       'title': STRING, 'doc_type': {'enum': list(DOC_TYPE_NAMES)},
                       'urgency': {'enum': list(URGENCIES), 'default': 'normal'}, 'summary': STRING,
                       'deadline': DEADLINE_IN, 'deadline_working_days': WORKING_DAYS,
                       'paper_origin': {**BOOLEAN, 'description': 'a scan of a paper document'}},
                       ['file', 'title', 'doc_type'])))},
    '/files/paper-arrivals': {'post': op(
        'Register a document that arrived on paper, from its scan (marked paper-origin)',
        {**_ok('Registered (status registered, with its incoming number)', ref('File'), '201'),
         **PDF_UPLOAD_ERRORS}, tag='files', roles='clerk', body=_multipart(obj({
            'file': {'type': 'string', 'format': 'binary', 'contentMediaType': 'application/pdf'},
            'title': STRING, 'doc_type': {'enum': list(DOC_TYPE_NAMES)}, 'sender_name': STRING,
            'number': {**STRING, 'description': 'the number printed on the paper document'},
            'urgency': {'enum': list(URGENCIES), 'default': 'normal'}, 'summary': STRING,
            'deadline': DEADLINE_IN, 'deadline_working_days': WORKING_DAYS},
            ['file', 'title', 'doc_type', 'sender_name'])))},
    '/files/{file_id}': {'get': op('A file with its documents, timeline and deliveries',
                                   {**_ok('The file', ref('File')), **_errors('NotFound')}, tag='files',
                                   roles='who may see it', parameters=[FILE_ID])},
    '/files/{file_id}/documents': {'post': op(
        'Add an attachment or a new version of the main document',
        {**_ok('The new document', ref('Document'), '201'), **PDF_UPLOAD_ERRORS}, tag='files', roles='holder',
        parameters=[FILE_ID], body=_multipart(obj({
            'file': {'type': 'string', 'format': 'binary', 'contentMediaType': 'application/pdf'},
            'kind': {'enum': ['main', 'attachment'], 'default': 'main'}, 'paper_origin': BOOLEAN}, ['file'])))},
    '/documents/{document_id}': {'get': op(
        'A document\'s metadata', {**_ok('The document', ref('Document')), **_errors('NotFound')},
        tag='files', roles='who may see the file', parameters=[_path_id('document_id', 'document id')])},
    '/documents/{document_id}/pdf': {'get': op(
        'The current PDF bytes', {**_ok('The PDF', {'type': 'string', 'format': 'binary'},
                                        content_type='application/pdf'), **_errors('NotFound')},
        tag='files', roles='who may see the file', parameters=[_path_id('document_id', 'document id')])},
    '/files/{file_id}/forward': {'post': _action(
        'Hand the file on', obj({'to_user_id': ID, 'to_unit_id': ID, 'purpose': {'enum': list(PURPOSES)},
                                 'note': NOTE, 'deadline': DEADLINE_IN, 'deadline_working_days': WORKING_DAYS,
                                 'on_paper': {**BOOLEAN, 'description': 'the step happened on paper'}},
                                ['purpose']),
        'holder', 'to_user_id or to_unit_id; purpose sign needs a leader.')},
    '/files/{file_id}/return': {'post': _action('Back to whoever sent it, with the reason',
                                                obj({'note': NOTE}, ['note']), 'holder')},
    '/files/{file_id}/issue': {'post': _action(
        'Number, date, organisation signature and delivery',
        obj({'recipient_unit_ids': array(ID), 'pin': {**STRING, 'description': 'PIN of the organisation key'},
             'on_paper': BOOLEAN}, ['recipient_unit_ids']),
        'clerk of the issuing unit holding the file',
        'Returns the file, whose number and deliveries are the issuance result.',
        extra_response=obj({'number': STRING, 'deliveries': array(ref('Delivery'))}, ['number', 'deliveries']))},
    '/files/{file_id}/register': {'post': _action(
        'Enter an arrived document in the unit\'s incoming register',
        obj({'received_on_paper': BOOLEAN, 'note': NOTE,
             'override_reason': {**STRING, 'description': 'required when the arrival\'s signatures failed the '
                                                          'check (409 signature_invalid otherwise)'}}),
        'clerk of the receiving unit',
        extra_response=obj({'incoming_number': INTEGER}, ['incoming_number']))},
    '/files/{file_id}/refuse': {'post': _action('Return an invalid arrival to its sender',
                                                obj({'note': NOTE}, ['note']), 'clerk of the receiving unit')},
    '/files/{file_id}/assign': {'post': _action(
        'Assign lead, co-handlers and people to inform',
        obj({'lead_user_id': ID, 'cooperate_user_ids': array(ID), 'inform_user_ids': array(ID),
             'deadline': DEADLINE_IN, 'deadline_working_days': WORKING_DAYS, 'note': NOTE}, ['lead_user_id']),
        'leader holding the file')},
    '/files/{file_id}/start': {'post': _action('The lead handler takes the work up', None, 'lead handler')},
    '/files/{file_id}/complete': {'post': _action(
        'Done; the file counts as closed', obj({'note': NOTE, 'reply_file_id': ID}),
        'the lead handler of an assigned file, or the holder of a file with nothing pending')},
    '/files/{file_id}/reopen': {'post': _action('Take a completed file up again', obj({'note': NOTE}, ['note']),
                                                'holder')},
    '/registers/{kind}': {'get': op(
        'The Decree 30 outgoing or incoming register',
        {'200': {'description': 'Register rows',
                 'content': {'application/json': {'schema': ref('Register')},
                             'text/csv': {'schema': {'type': 'string'}}}},
         **_errors('BadRequest', 'Forbidden', 'NotFound')}, tag='registers',
        roles='clerk, leader (own unit), admin (any unit)',
        parameters=[{'name': 'kind', 'in': 'path', 'required': True, 'schema': {'enum': ['outgoing', 'incoming']}},
                    _query('unit_id', ID, 'default: the caller\'s unit'),
                    _query('year', INTEGER, 'default: the current year in Vietnam'),
                    _query('format', {'enum': ['json', 'csv'], 'default': 'json'})])},
    '/pki/ca': {'get': op('The local root CA certificate, to trust in a PDF reader',
                          _pki_ok('PEM certificate', 'application/x-pem-file'), tag='pki', public=True,
                          roles='anyone')},
    '/pki/crl': {'get': op('The current certificate revocation list', _pki_ok('DER CRL', 'application/pkix-crl'),
                           tag='pki', public=True, roles='anyone')},
    '/pki/ocsp': {'post': op('OCSP responder (RFC 6960)', _pki_ok('DER OCSP response', 'application/ocsp-response'),
                             tag='pki', public=True, roles='anyone', body={'required': True, 'content': {
                                 'application/ocsp-request': {'schema': {'type': 'string', 'format': 'binary'}}}})},
    '/pki/ocsp/{encoded}': {'get': op(
        'OCSP responder, GET form (base64 request in the path)',
        _pki_ok('DER OCSP response', 'application/ocsp-response'), tag='pki', public=True, roles='anyone',
        parameters=[{'name': 'encoded', 'in': 'path', 'required': True, 'schema': STRING}])},
    '/pki/tsa': {'post': op('RFC 3161 timestamp authority', _pki_ok('DER timestamp reply',
                                                                    'application/timestamp-reply'),
                            tag='pki', public=True, roles='anyone', body={'required': True, 'content': {
                                'application/timestamp-query': {'schema': {'type': 'string', 'format': 'binary'}}}})},
    '/openapi.json': {'get': op('This document', _ok('OpenAPI 3.1', {'type': 'object'}), tag='meta',
                                public=True, roles='anyone')},
}


# ---------------------------------------------------------------- metrics (routes in workflow/metrics/api.py)

PERIOD_PARAMETERS = [
    _query('from', {'type': 'string', 'format': 'date'}, 'inclusive start (YYYY-MM-DD or dd/mm/yyyy)'),
    _query('to', {'type': 'string', 'format': 'date'}, 'inclusive end'),
    _query('period', {'enum': ['month', 'quarter', 'half', 'year']}, 'instead of from/to'),
    _query('year', {'type': 'integer', 'minimum': 2000, 'maximum': 2100}),
    _query('number', {'type': 'integer', 'minimum': 1, 'maximum': 12}, 'the month, quarter or half'),
]
SELECTION_PARAMETERS = [_query('level', STRING, 'a level code, e.g. district or commune'), _query('unit_id', ID)]
METRICS_ERRORS = _errors('BadRequest', 'Forbidden')
RATE = {'type': 'number', 'minimum': 0, 'maximum': 1, 'description': 'a fraction: 0.8 = 80 %'}
SCHEMAS.update({
    'PaperlessFigure': obj({'closed': INTEGER, 'fully_electronic': INTEGER, 'rate': nullable(RATE),
                            'target': nullable(RATE)}, ['closed', 'fully_electronic', 'rate', 'target']),
    'Paperless': obj({
        'levels': {'type': 'object', 'additionalProperties': ref('PaperlessFigure')},
        'units': array({'allOf': [ref('PaperlessFigure'), obj({'unit_id': ID}, ['unit_id'])]}),
        'not_electronic': array(obj({'file_id': ID, 'reasons': array(STRING)}, ['file_id', 'reasons']))},
        ['levels', 'units', 'not_electronic']),
    'DossierFigure': obj({'total': INTEGER, 'online': INTEGER, 'paid_online': INTEGER, 'rate': nullable(RATE),
                          'target': nullable(RATE)}, ['total', 'online', 'paid_online', 'rate']),
    'Dossiers': obj({'levels': {'type': 'object', 'additionalProperties': ref('DossierFigure')},
                     'units': array({'allOf': [ref('DossierFigure'), obj({'unit_id': ID}, ['unit_id'])]})},
                    ['levels', 'units']),
    'Target': obj({'id': ID, 'level': STRING, 'year': INTEGER, 'indicator': STRING, 'value': RATE},
                  ['id', 'level', 'year', 'indicator', 'value']),
})
METRICS_PATHS = {
    '/metrics/paperless': {'get': op(
        'Share of closed work files processed fully online, per level and unit, against the targets',
        {**_ok('Paperless rates', ref('Paperless')), **METRICS_ERRORS}, tag='metrics', roles='admin, leader',
        parameters=PERIOD_PARAMETERS + SELECTION_PARAMETERS + [_query('limit', {'type': 'integer', 'minimum': 0})])},
    '/metrics/indicators': {'get': op(
        'Every indicator for the period (paperless, online TTHC, digital signatures, on-time completion)',
        {**_ok('Indicators', {'type': 'object'}), **METRICS_ERRORS}, tag='metrics', roles='admin, leader',
        parameters=PERIOD_PARAMETERS + SELECTION_PARAMETERS)},
    '/metrics/dashboard': {'get': op(
        'Everything the dashboard shows, as data', {**_ok('Dashboard', {'type': 'object'}), **METRICS_ERRORS},
        tag='metrics', roles='admin, leader', parameters=PERIOD_PARAMETERS + SELECTION_PARAMETERS)},
    '/metrics/files': {'get': op(
        'The files behind a figure, with the reasons a file is not fully electronic',
        {**_ok('Files', obj({'period': {'type': 'object'}, 'total': INTEGER,
                             'files': array({'type': 'object'})}, ['total', 'files'])), **METRICS_ERRORS},
        tag='metrics', roles='admin, leader',
        parameters=PERIOD_PARAMETERS + SELECTION_PARAMETERS + [
            _query('which', {'enum': ['all', 'electronic', 'not_electronic'], 'default': 'all'}),
            _query('limit', {'type': 'integer', 'minimum': 1, 'maximum': 1000, 'default': 100}),
            _query('offset', {'type': 'integer', 'minimum': 0, 'default': 0})])},
    '/metrics/dossiers': {
        'get': op('Online TTHC dossier rates from imported counts',
                  {**_ok('Dossier rates', ref('Dossiers')), **METRICS_ERRORS}, tag='metrics',
                  roles='admin, leader', parameters=PERIOD_PARAMETERS + SELECTION_PARAMETERS),
        'post': op('Import TTHC counts from CSV (all rows or none)',
                   {**_ok('Imported', obj({'import_id': ID, 'rows': INTEGER, 'replaced': INTEGER}), '201'),
                    **_errors('BadRequest', 'Forbidden'),
                    '422': {'description': 'Rejected; nothing imported. error.rows lists each bad line',
                            'content': {'application/json': {'schema': {'allOf': [ref('Error'), obj({'error': obj(
                                {'rows': array(obj({'line': INTEGER, 'message': STRING}))})})]}}}}},
                   tag='metrics', roles='admin', body=_multipart(obj({
                       'file': {'type': 'string', 'format': 'binary', 'contentMediaType': 'text/csv',
                                'description': 'columns unit_code, period_start, period_end, total, online, '
                                               'paid_online'}}, ['file'])))},
    '/metrics/targets': {
        'get': op('Targets per level, year and indicator',
                  {**_ok('Targets', obj({'indicators': array(STRING), 'targets': array(ref('Target'))})),
                   **METRICS_ERRORS}, tag='metrics', roles='admin, leader'),
        'put': op('Create or replace one target',
                  {**_ok('The target', ref('Target')), **_errors('BadRequest', 'Forbidden')}, tag='metrics',
                  roles='admin', body=_json_body(obj({'level': STRING, 'year': INTEGER, 'indicator': STRING,
                                                      'value': RATE}, ['level', 'year', 'indicator', 'value'])))},
    '/metrics/targets/defaults': {'post': op(
        'Add the targets of the district plan (80/90 %, 60/80 %, 50/80 %, 100 %) where missing',
        {**_ok('Targets', obj({'added': INTEGER, 'targets': array(ref('Target'))})), **METRICS_ERRORS},
        tag='metrics', roles='admin', body=_json_body(obj({}), required=False))},
    '/metrics/targets/{target_id}': {'delete': op(
        'Remove a target', {'204': {'description': 'Removed'}, **_errors('Forbidden', 'NotFound')},
        tag='metrics', roles='admin', parameters=[_path_id('target_id', 'target id')])},
}
PATHS.update(METRICS_PATHS)


# ---------------------------------------------------------------- signing (routes in workflow/api/signing.py)

BOOLEAN = {'type': 'boolean'}
SCHEMAS.update({
    'Certificate': obj({'id': ID, 'serial': STRING, 'subject': STRING, 'issuer': STRING, 'not_before': STRING,
                        'not_after': STRING, 'kind': {'enum': ['person', 'organisation', 'imported', 'pkcs11']},
                        'revoked': BOOLEAN, 'revoked_at': nullable(STRING), 'active': BOOLEAN},
                       ['serial', 'subject', 'not_after']),
    'SignatureCheck': obj({
        'field': STRING, 'type': {'enum': ['signature', 'document_timestamp']}, 'signer': nullable(STRING),
        'issuer': nullable(STRING), 'signed_at': nullable(STRING), 'timestamp_at': nullable(STRING),
        'timestamp_authority': nullable(STRING), 'intact': BOOLEAN, 'trusted': BOOLEAN, 'revoked': BOOLEAN,
        'revoked_at': nullable(STRING), 'covers_whole_file': BOOLEAN, 'modified_after_signing': nullable(BOOLEAN),
        'modification_level': nullable(STRING), 'changes': STRING,
        'level': nullable({'enum': ['B-B', 'B-T', 'B-LT', 'B-LTA']}), 'valid': BOOLEAN,
        'problems': array(STRING)}, ['field', 'intact', 'trusted', 'revoked', 'covers_whole_file', 'level']),
    'Verification': obj({'valid': BOOLEAN, 'signatures': array(ref('SignatureCheck')), 'problems': array(STRING)},
                        ['valid', 'signatures']),
})
USER_ID = _path_id('user_id', 'user id')
SIGNING_ERRORS = {**_errors('BadRequest', 'Forbidden', 'NotFound', 'Conflict'),
                  '422': _error('Signing refused: wrong PIN (attempts left in the message), no signature image, '
                                'signature position not found'),
                  '423': _error('Five wrong PINs: this key is locked for 15 minutes'),
                  '503': _error('The timestamp authority or the token could not be reached; nothing was signed '
                                'and the file shows "signing failed — retry"')}
PIN_BODY = obj({'pin': STRING}, ['pin'])
SIGNING_PATHS = {
    '/files/{file_id}/sign': {'post': op(
        'Sign a document of the file with the caller\'s own key (PAdES B-T, Decree 30 appearance)',
        {**_ok('The file, with the new signature', {'allOf': [ref('File'), obj({'signature': {'type': 'object'}})]},
               '201'), **SIGNING_ERRORS}, tag='signing', roles='leader holding the file', parameters=[FILE_ID],
        description='Without box, the signature goes under the signer\'s title on the last page. box is '
                    '[x1, y1, x2, y2] in PDF points (origin bottom-left) on page (0-based).',
        body=_json_body(obj({'document_id': ID, 'pin': STRING, 'page': INTEGER,
                             'box': array({'type': 'number'})}, ['pin'])))},
    '/documents/{document_id}/verification': {'get': op(
        'Verify every signature of a document', {**_ok('Report', ref('Verification')), **_errors('NotFound')},
        tag='signing', roles='who may see the file', parameters=[_path_id('document_id', 'document id')])},
    '/verify': {'post': op(
        'Verify any uploaded PDF (no login)', {**_ok('Report', ref('Verification')),
                                               **_errors('BadRequest', 'TooLarge', 'Unsupported', 'Unprocessable')},
        tag='signing', public=True, roles='anyone',
        body=_multipart(obj({'file': {'type': 'string', 'format': 'binary'}}, ['file'])))},
    '/users/{user_id}/certificate': {
        'get': op('The user\'s current certificate', {**_ok('Certificate', ref('Certificate')),
                                                       **_errors('Forbidden', 'NotFound')},
                  tag='signing', roles='admin or self', parameters=[USER_ID]),
        'post': op('Issue a certificate from the local CA; the key is kept under the PIN (never stored)',
                   {**_ok('Issued', ref('Certificate'), '201'), **_errors('BadRequest', 'Forbidden', 'NotFound')},
                   tag='signing', roles='admin', parameters=[USER_ID], body=_json_body(PIN_BODY)),
        'delete': op('Revoke (reason cessationOfOperation): CRL and OCSP say so from then on',
                     {**_ok('Revoked', obj({'revoked': array(ref('Certificate'))})),
                      **_errors('Forbidden', 'NotFound', 'Conflict')},
                     tag='signing', roles='admin', parameters=[USER_ID],
                     body=_json_body(obj({'reason': STRING}), required=False))},
    '/users/{user_id}/certificate/import': {'post': op(
        'Import a PKCS#12 issued elsewhere; its chain waits for admin approval as a trust anchor',
        {**_ok('Imported', ref('Certificate'), '201'), **_errors('BadRequest', 'Forbidden', 'NotFound')},
        tag='signing', roles='admin', parameters=[USER_ID],
        body=_multipart(obj({'file': {'type': 'string', 'format': 'binary'}, 'password': STRING}, ['file'])))},
    '/users/{user_id}/certificate/token': {'post': op(
        'Register a key held on a PKCS#11 token or HSM', {**_ok('Registered', ref('Certificate'), '201'),
                                                          **_errors('BadRequest', 'Forbidden', 'NotFound')},
        tag='signing', roles='admin', parameters=[USER_ID],
        body=_json_body(obj({'certificate_pem': STRING, 'token_label': STRING, 'key_label': STRING},
                            ['certificate_pem', 'token_label', 'key_label'])))},
    '/users/{user_id}/signature-image': {'post': op(
        'The handwritten-signature image (transparent PNG)',
        {**_ok('Stored', obj({'sha256': STRING, 'width': INTEGER, 'height': INTEGER}), '201'),
         **_errors('BadRequest', 'Forbidden', 'NotFound')}, tag='signing', roles='admin or self',
        parameters=[USER_ID], body=_multipart(obj({'file': {'type': 'string', 'format': 'binary'}}, ['file'])))},
    '/units/{unit_id}/seal': {'post': op(
        'The organisation\'s seal image and certificate (key under the unit\'s PIN), used by its clerks',
        {**_ok('Issued', ref('Certificate'), '201'), **_errors('BadRequest', 'Forbidden', 'NotFound')},
        tag='signing', roles='admin', parameters=[_path_id('unit_id', 'unit id')],
        body=_multipart(obj({'file': {'type': 'string', 'format': 'binary'}, 'pin': STRING}, ['file', 'pin'])))},
    '/trust-anchors': {'get': op('CA certificates proposed or approved as trust anchors',
                                 {**_ok('Anchors', obj({'items': array({'type': 'object'})})),
                                  **_errors('Forbidden')}, tag='signing', roles='admin')},
    '/trust-anchors/{anchor_id}/approve': {'post': op(
        'Trust an imported CA from now on', {**_ok('Approved', {'type': 'object'}), **_errors('Forbidden', 'NotFound')},
        tag='signing', roles='admin', parameters=[_path_id('anchor_id', 'trust anchor id')],
        body=_json_body(obj({}), required=False))},
}
PATHS.update(SIGNING_PATHS)


def document(server_url='/api/v1'):
    """The whole OpenAPI document as a dict."""
    return {
        'openapi': '3.1.0',
        'info': {
            'title': 'E-office API (Văn phòng điện tử)', 'version': '1',
            'description': 'Work files, documents and registers for district and commune governments. '
                           'JSON in and out, UTF-8. Errors carry {"error": {"code", "message"}} with the message '
                           'in the request language (Accept-Language: vi or en). Times are ISO 8601 with offset.',
        },
        'servers': [{'url': server_url}],
        'security': [{'bearer': []}],
        'tags': [{'name': n} for n in ('auth', 'directory', 'files', 'registers', 'signing', 'metrics', 'pki', 'meta')],
        'paths': PATHS,
        'components': {
            'securitySchemes': {'bearer': {'type': 'http', 'scheme': 'bearer',
                                           'description': 'A token from POST /tokens'}},
            'schemas': SCHEMAS,
            'responses': RESPONSES,
        },
    }


@bp.get('/openapi.json')
def openapi_document():
    return jsonify(document(request.script_root + '/api/v1'))
