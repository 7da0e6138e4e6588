"""Who may do what: every permission rule of the office, in its own words, in one place.

Operations call `require(rule, actor, ...)`, which raises NotAllowed with the rule's refusal in the
reader's language; page handlers do the same before they act, and templates ask the very same rules
through `may('create_files')` (web.py); nothing else restates a role list. The workflow table
(files/transitions.py) names, for each step, which of the file rules below decides who may take it.

`SYSTEM` is the actor of the command line (`create-admin`, demo data): it administers.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select

from .directory.models import User
from .directory.tree import subtree
from .errors import NotAllowed
from .extensions import db
from .files.models import FileAccess, WorkFile

RULES = {}  # name → rule, for templates and for the tests that walk the policy


class SystemActor:
    """Whoever runs the server's command line."""
    id = None
    unit_id = None
    is_admin = True
    is_system = True

    def has_role(self, role):
        return role == 'admin'


SYSTEM = SystemActor()


def rule(refusal):
    """Declare a rule (a predicate on the actor first) and the message that refuses it."""
    def register(function):
        function.refusal = refusal
        RULES[function.__name__] = function
        return function
    return register


def require(check, actor, *args, message=None):
    """Do nothing when `check(actor, *args)` holds; otherwise refuse (403) with the rule's words."""
    if not check(actor, *args):
        raise NotAllowed(message or check.refusal)


def _any_role(actor, *roles):
    return any(actor.has_role(role) for role in roles)


# ---------------------------------------------------------------- people and their rooms

@rule(_l('Bạn không có quyền thực hiện thao tác này.'))
def may_administer(actor):
    """Units, people, targets, imports, background maintenance."""
    return actor.is_admin


@rule(_l('Chỉ người dùng đó hoặc quản trị viên được xem và thu hồi mã truy cập API của họ.'))
def may_manage_tokens_of(actor, person):
    """List and revoke a person's API tokens: the person, or an admin."""
    return actor.id == person.id or actor.is_admin


@rule(_l('Bạn không có quyền thực hiện thao tác này.'))
def may_manage_keys(actor):
    """Issue, import, register and revoke certificates; unit seals; trust anchors."""
    return actor.is_admin


@rule(_l('Chỉ quản trị hoặc chính người dùng mới được thực hiện.'))
def may_manage_own_stamp(actor, person):
    """A person's handwritten-signature image: the person, or an admin."""
    return actor.is_admin or actor.id == person.id


@rule(_l('Chỉ quản trị hoặc chính người dùng mới được thực hiện.'))
def may_see_certificate(actor, person):
    return actor.is_admin or actor.id == person.id


@rule(_l('Bạn không có quyền truy cập.'))
def may_see_seal(actor, unit):
    """Admins, and the unit's own clerks and leaders (who apply or sign under it)."""
    return actor.is_admin or (actor.unit_id == unit.id and _any_role(actor, 'clerk', 'leader'))


@rule(_l('Bạn không có quyền tạo hồ sơ.'))
def may_create_files(actor):
    return _any_role(actor, 'specialist', 'leader', 'clerk')


@rule(_l('Chỉ văn thư mới được vào sổ văn bản đến.'))
def may_register_paper_arrivals(actor):
    return actor.has_role('clerk')


@rule(_l('Chỉ có thể trình ký cho một lãnh đạo.'))
def may_sign(actor):
    """Leaders sign; a file is sent "to sign" only to one of them."""
    return actor.has_role('leader')


@rule(_l('Bạn không có quyền truy cập.'))
def may_bulk_sign(actor):
    return actor.has_role('leader')


UNIT_MAIL_ROLE = 'clerk'


def handles_unit_mail(person):
    """A unit's clerks hold what is sent to the unit itself: its arrivals are in their inboxes."""
    return person.has_role(UNIT_MAIL_ROLE)


def unit_mail_handlers(unit_ids):
    """The same rule as a WHERE clause on User: the people handling the mail of these units."""
    return and_(User.unit_id.in_(unit_ids), User.having_role(UNIT_MAIL_ROLE))


@rule(_l('Bạn không có quyền thực hiện thao tác này.'))
def may_read_registers(actor):
    """The Decree 30 registers: clerks, leaders and admins."""
    return _any_role(actor, 'clerk', 'leader', 'admin')


@rule(_l('Bạn chỉ xem được sổ văn bản của đơn vị mình.'))
def may_read_register_of(actor, unit):
    return actor.is_admin or unit.id == actor.unit_id


@rule(_l('Chỉ quản trị viên và lãnh đạo được xem số liệu đo lường.'))
def may_see_metrics(actor):
    return _any_role(actor, 'admin', 'leader')


def metrics_scope(actor, units):
    """The ids of the units whose figures `actor` may see: every unit for an admin, otherwise their own
    unit and all units below it. `units` maps ids to objects with a `parent_id`."""
    return set(units) if actor.is_admin else subtree(units, actor.unit_id)


@rule(_l('Bạn không có quyền truy cập.'))
def may_follow_job(actor, run):
    """A background job's progress: whoever started it, and admins."""
    return run.user_id == actor.id or actor.is_admin


# ---------------------------------------------------------------- work files

@rule(_l('Không tìm thấy hồ sơ.'))
def may_view_file(actor, file):
    """Users see the files their unit holds, has held, or was sent; admins see all."""
    if actor.is_admin:
        return True
    return db.session.get(FileAccess, (file.id, actor.unit_id)) is not None


def visible_files(actor):
    """The same rule as a WHERE clause on WorkFile."""
    if actor.is_admin:
        return db.true()
    return exists(select(FileAccess.file_id).where(FileAccess.file_id == WorkFile.id,
                                                   FileAccess.unit_id == actor.unit_id))


def holds(actor, file):
    """The file is in the actor's hands, or with their unit and they are its clerk."""
    if file.holder_user_id is not None:
        return file.holder_user_id == actor.id
    return file.holder_unit_id == actor.unit_id and handles_unit_mail(actor)


def holds_as_leader(actor, file):
    return holds(actor, file) and actor.has_role('leader')


def holds_as_clerk(actor, file):
    return holds(actor, file) and actor.has_role('clerk') and file.holder_unit_id == actor.unit_id


def receives_as_clerk(actor, file):
    """A clerk of the unit the document was sent to."""
    return actor.has_role('clerk') and file.owner_unit_id == actor.unit_id


def leads_or_holds(actor, file):
    return holds(actor, file) or any(
        a.user_id == actor.id and a.role == 'lead' and a.done_at is None for a in file.assignments)


def may_complete(actor, file):
    """Whoever leads or holds it; on an assigned file, once no other lead handler is still at work."""
    if file.status == 'assigned':
        return leads_or_holds(actor, file) and not any(
            a.role == 'lead' and a.done_at is None and a.user_id != actor.id for a in file.assignments)
    return leads_or_holds(actor, file)


FILE_RULES = {
    'holder': holds,
    'holder_leader': holds_as_leader,
    'holder_clerk': holds_as_clerk,
    'receiving_clerk': receives_as_clerk,
    'lead': leads_or_holds,
    'completer': may_complete,
}
