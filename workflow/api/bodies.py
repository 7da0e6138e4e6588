"""What the API accepts: the schemas of request bodies, forms and query strings.

Each loads into the keyword arguments of the operation it feeds (`forward_file(file, actor, **move)`),
ids already turned into the objects they name. Fields are declared in the order the first build read
them, because the first refusal in that order is the one reported (parser.py). A schema checks the
shape of a request only: what an operation refuses (a purpose it does not know, a note too long, a
deadline in the past) it refuses itself, in the same words for the pages and for the API.
"""
import marshmallow as ma
from flask_babel import lazy_gettext as _l

from ..files.queries import BOXES
from ..metrics.paperless import DEFAULT_LIST_LIMIT
from ..metrics.scope import level_order
from ..timeutil import vn_today
from ..vocabulary import DIRECTIONS, DOC_TYPE_NAMES, INDICATORS, PURPOSES, ROLES, STATUSES, URGENCIES
from .fields import (
    ABSENT,
    Boolean,
    Box,
    Choice,
    Deadline,
    FilePart,
    Fraction,
    Integer,
    Passed,
    String,
    StringList,
    UnitId,
    UnitIds,
    Upload,
    UserId,
    UserIds,
    VisibleFileId,
    WorkingDays,
)


class Input(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    @ma.post_load
    def one_deadline(self, data, **kwargs):
        """Operations take one deadline: a number of working days becomes that moment."""
        if 'deadline_working_days' in data:
            data['deadline'] = data.pop('deadline_working_days')
        return data


def free_text(**kwargs):
    return String(**{'metadata': {'description': 'free text'}, **kwargs})


PDF = {'description': 'the PDF', 'contentMediaType': 'application/pdf'}
PNG = {'description': 'a PNG image', 'contentMediaType': 'image/png'}


# ---------------------------------------------------------------- tokens, units, users

class Credentials(Input):
    username = String(required=True, max_length=80)
    password = String(required=True, max_length=1024)


class NewUnit(Input):
    code = String(required=True, metadata={'description': 'national format, e.g. H17.07.03'})
    name = String(required=True)
    abbreviation = String(required=True)
    level = String(required=True, metadata={'description': 'a code from GET /levels'})
    parent = UnitId(data_key='parent_id')


class UnitChanges(Input):
    """Only what is sent changes."""
    parent = UnitId(data_key='parent_id', load_default=ABSENT, null=None)
    name = String(not_blank=True, load_default=ABSENT)
    abbreviation = String(not_blank=True, load_default=ABSENT)
    level = String(load_default=ABSENT)
    active = Boolean(load_default=ABSENT)


class UnitQuery(Input):
    level = String(empty_is_absent=True, load_default=None)
    parent_id = Integer()
    include_inactive = Boolean()


class NewUser(Input):
    username = String(required=True)
    password = String(required=True, metadata={'minLength': 8})
    full_name = String(required=True)
    title = String()
    unit = UnitId(data_key='unit_id', required=True)
    roles = StringList(required=True, metadata={'items': {'enum': list(ROLES)}})
    email = String(load_default=None)


class UserChanges(Input):
    """Only what is sent changes."""
    unit = UnitId(data_key='unit_id', load_default=ABSENT, null=None)
    roles = StringList(load_default=ABSENT, null=list, metadata={'items': {'enum': list(ROLES)}})
    full_name = String(not_blank=True, load_default=ABSENT)
    title = String(load_default=ABSENT)
    active = Boolean(load_default=ABSENT)
    email = String(load_default=ABSENT)


class UserQuery(Input):
    unit_id = Integer()
    include_inactive = Boolean()
    role = String(empty_is_absent=True, load_default=None, metadata={'enum': list(ROLES)})


class NewPassword(Input):
    password = String(required=True, metadata={
        'minLength': 10, 'description': 'at least 10 characters, not a common password, not the username'})


class TokenQuery(Input):
    user_id = Integer(minimum=1, metadata={'description': "an admin may list another person's tokens"})


# ---------------------------------------------------------------- work files

class FileQuery(Input):
    box = Choice(BOXES, load_default='all', metadata={
        'description': 'inbox: waiting for the caller; sent: the caller handed it on'})
    status = Choice(STATUSES, empty_is_absent=True)
    direction = Choice(DIRECTIONS, empty_is_absent=True)
    page = Integer(minimum=1, load_default=1, metadata={'description': '25 files a page'})
    q = String(load_default=None, metadata={
        'description': 'search in title, number and summary, ignoring diacritics'})


class NewFile(Input):
    upload = Upload(data_key='file', required=True, metadata=PDF)
    title = String(metadata={'description': 'the summary (trích yếu); refused with title_required when blank'})
    doc_type = String(metadata={'enum': list(DOC_TYPE_NAMES)})
    urgency = String(empty_is_absent=True, load_default='normal', metadata={'enum': list(URGENCIES)})
    summary = String()
    deadline_working_days = WorkingDays()
    deadline = Deadline()
    paper_origin = Boolean(metadata={'description': 'a scan of a paper document'})


class PaperArrival(Input):
    upload = Upload(data_key='file', required=True, metadata=PDF)
    title = String(metadata={'description': 'the summary (trích yếu); refused with title_required when blank'})
    doc_type = String(metadata={'enum': list(DOC_TYPE_NAMES)})
    sender_name = String(required=True)
    number = String(metadata={'description': 'the number printed on the paper document'})
    urgency = String(empty_is_absent=True, load_default='normal', metadata={'enum': list(URGENCIES)})
    summary = String()
    deadline_working_days = WorkingDays()
    deadline = Deadline()


class Replacement(Input):
    upload = Upload(data_key='file', required=True, metadata=PDF)
    title = String(load_default=None, metadata={'description': 'the new title; by default the replaced one'})


class AddDocument(Input):
    upload = Upload(data_key='file', required=True, metadata=PDF)
    kind = String(load_default='main', metadata={'enum': ['main', 'attachment']})
    paper_origin = Boolean()


class Forward(Input):
    """to_user_id or to_unit_id; purpose sign needs a leader."""
    purpose = String(required=True, metadata={'enum': list(PURPOSES)})
    to_user = UserId(data_key='to_user_id')
    to_unit = UnitId(data_key='to_unit_id')
    note = free_text()
    deadline_working_days = WorkingDays()
    deadline = Deadline()
    on_paper = Boolean(metadata={'description': 'the step happened on paper'})


class Note(Input):
    note = free_text(metadata={'description': 'the reason; refused with note_required when blank'})


class Registration(Input):
    received_on_paper = Boolean()
    note = free_text()
    override_reason = String(load_default=None, metadata={
        'description': 'required when the arrival\'s signatures failed the check (409 signature_invalid otherwise)'})


class Assign(Input):
    lead = UserId(data_key='lead_user_id', metadata={'description': 'the lead handler; refused with lead_required '
                                                                    'when absent'})
    cooperate = UserIds(data_key='cooperate_user_ids')
    inform = UserIds(data_key='inform_user_ids')
    deadline_working_days = WorkingDays()
    deadline = Deadline()
    note = free_text()


class Completion(Input):
    note = free_text()
    reply_file = VisibleFileId(data_key='reply_file_id')


# ---------------------------------------------------------------- registers

class RegisterQuery(Input):
    unit_id = Integer(metadata={'description': 'default: the caller\'s unit'})
    year = Integer(minimum=1900, load_default=lambda: vn_today().year,
                   metadata={'description': 'default: the current year in Vietnam'})
    format = Choice(('json', 'csv'), load_default='json')


# ---------------------------------------------------------------- signing

class Signing(Input):
    """Without box, the signature goes under the signer's title on the last page. box is
    [x1, y1, x2, y2] in PDF points (origin bottom-left) on page (0-based)."""
    document_id = Integer(metadata={'description': 'default: the main document'})
    pin = String(required=True)
    page = Integer(load_default=0)
    box = Box()


class Issuance(Input):
    recipient_units = UnitIds(data_key='recipient_unit_ids', required=True)
    pin = String(metadata={'description': 'PIN of the organisation key'})
    on_paper = Boolean()


class Pin(Input):
    pin = String(required=True)


class EnrolmentStart(Input):
    pin = String(load_default=None, metadata={
        'description': 'refused (400 pin_chosen_by_holder): only the holder ever chooses their PIN'})


class EnrolmentCompletion(Input):
    enrolment_code = String(required=True)
    pin = String(required=True)


class Revocation(Input):
    reason = String(load_default='cessationOfOperation')


class Pkcs12(Input):
    file = Upload(required=True, metadata={'description': 'a PKCS#12 (.p12, .pfx)'})
    password = String()


class TokenKey(Input):
    certificate_pem = String(required=True)
    token_label = String(required=True)
    key_label = String(required=True)


class Image(Input):
    file = Upload(required=True, metadata=PNG)


class Seal(Input):
    file = Upload(required=True, metadata=PNG)
    pin = String(required=True)


class PdfToVerify(Input):
    file = FilePart(metadata=PDF)


# ---------------------------------------------------------------- metrics

class MetricsQuery(Input):
    """A period (from and to, or period with year and number) and a selection (level, unit_id);
    the metrics read the period with their own words (metrics/periods.py)."""
    level = String(empty_is_absent=True, load_default=None,
                   metadata={'description': 'a level code, e.g. district or commune'})
    unit_id = Integer(minimum=1)
    from_ = Passed({'format': 'date', 'description': 'inclusive start (YYYY-MM-DD or dd/mm/yyyy)'},
                   data_key='from', attribute='from')
    to = Passed({'format': 'date', 'description': 'inclusive end'})
    period = Passed({'enum': ['month', 'quarter', 'half', 'year'], 'description': 'instead of from/to'})
    year = Passed({'type': 'integer', 'minimum': 2000, 'maximum': 2100})
    number = Passed({'type': 'integer', 'minimum': 1, 'maximum': 12, 'description': 'the month, quarter or half'})


class PaperlessQuery(MetricsQuery):
    limit = Integer(minimum=0, load_default=DEFAULT_LIST_LIMIT,
                    metadata={'description': 'how many of the files not fully electronic to list'})


class MetricsFilesQuery(MetricsQuery):
    which = Choice(('all', 'electronic', 'not_electronic'), load_default='all')
    limit = Integer(minimum=1, load_default=100, metadata={'maximum': 1000})
    offset = Integer(minimum=0, load_default=0)


class DossierCsv(Input):
    file = Upload(required=True, metadata={
        'contentMediaType': 'text/csv',
        'description': 'columns unit_code, period_start, period_end, total, online, paid_online'})


class TargetChange(Input):
    value = Fraction(_l('"value" phải là một số từ 0 đến 1 (0.8 = 80 %).'),
                     metadata={'description': 'a fraction: 0.8 = 80 %'})
    level = Choice(level_order, required=True)
    year = Integer(required=True)
    indicator = Choice(INDICATORS, required=True)
