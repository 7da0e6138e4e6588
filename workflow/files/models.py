"""Work files (hồ sơ công việc), their documents, movements, assignments and deliveries."""
from ..dbtypes import UtcDateTime
from ..extensions import db
from ..timeutil import aware, now, vn_today
from ..vocabulary import DOC_TYPE_NAMES

_OPEN = "status NOT IN ('issued', 'completed', 'refused')"


class WorkFile(db.Model):
    __tablename__ = 'work_files'
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(500), nullable=False)
    summary = db.Column(db.Text, nullable=False, default='')
    doc_type = db.Column(db.String(5), nullable=False)
    urgency = db.Column(db.String(12), nullable=False, default='normal')
    direction = db.Column(db.String(10), nullable=False, default='outgoing')
    status = db.Column(db.String(20), nullable=False, default='draft', index=True)
    deadline = db.Column(UtcDateTime())
    owner_unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), nullable=False, index=True)
    creator_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    holder_unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), index=True)
    holder_user_id = db.Column(db.Integer, db.ForeignKey('users.id'), index=True)
    held_since = db.Column(UtcDateTime(), nullable=False, default=now)
    paper_origin = db.Column(db.Boolean, nullable=False, default=False)
    # Outgoing register (set at issuance)
    number = db.Column(db.String(60), index=True)
    issuing_unit_id = db.Column(db.Integer, db.ForeignKey('units.id'))
    issue_year = db.Column(db.Integer)
    issue_seq = db.Column(db.Integer)
    issued_at = db.Column(UtcDateTime())
    issued_by_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    signer_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    # Incoming register (set at registration)
    source_file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), index=True)
    # an issued document is final: a correction is a new file that replaces it (both are kept)
    replaces_file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), index=True)
    incoming_year = db.Column(db.Integer)
    incoming_number = db.Column(db.Integer)
    received_at = db.Column(UtcDateTime())
    registered_at = db.Column(UtcDateTime())
    reply_file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'))
    result_note = db.Column(db.Text)
    # Signing and arrival checks
    sign_error = db.Column(db.Text)
    signature_check = db.Column(db.String(12))  # valid | invalid | unsigned, judged on arrival
    signature_override = db.Column(db.Text)  # the clerk's reason for registering despite a failed check
    verification_code = db.Column(db.String(16), unique=True)
    search_text = db.Column(db.Text, nullable=False, default='')
    created_at = db.Column(UtcDateTime(), nullable=False, default=now, index=True)
    closed_at = db.Column(UtcDateTime(), index=True)
    version = db.Column(db.Integer, nullable=False, default=1)

    owner_unit = db.relationship('Unit', foreign_keys=[owner_unit_id])
    holder_unit = db.relationship('Unit', foreign_keys=[holder_unit_id])
    holder_user = db.relationship('User', foreign_keys=[holder_user_id])
    creator = db.relationship('User', foreign_keys=[creator_id])
    signer = db.relationship('User', foreign_keys=[signer_id])
    issued_by = db.relationship('User', foreign_keys=[issued_by_id])
    issuing_unit = db.relationship('Unit', foreign_keys=[issuing_unit_id])
    source_file = db.relationship('WorkFile', remote_side=[id], foreign_keys=[source_file_id])
    reply_file = db.relationship('WorkFile', remote_side=[id], foreign_keys=[reply_file_id])
    replaces = db.relationship('WorkFile', remote_side=[id], foreign_keys=[replaces_file_id])
    documents = db.relationship('Document', back_populates='file', order_by='Document.id',
                                cascade='all, delete-orphan')
    events = db.relationship('FileEvent', back_populates='file', order_by='FileEvent.id',
                             cascade='all, delete-orphan')
    assignments = db.relationship('Assignment', back_populates='file', cascade='all, delete-orphan')
    paper_marks = db.relationship('PaperMark', back_populates='file', cascade='all, delete-orphan')
    deliveries = db.relationship('Delivery', back_populates='source_file',
                                 foreign_keys='Delivery.source_file_id', order_by='Delivery.id')

    __table_args__ = (
        db.UniqueConstraint('issuing_unit_id', 'issue_year', 'issue_seq',
                            name='uq_work_files_outgoing_number'),
        db.UniqueConstraint('owner_unit_id', 'incoming_year', 'incoming_number',
                            name='uq_work_files_incoming_number'),
        # Inboxes read open files only; closed ones pile up over the years (docs/performance.md).
        db.Index('ix_work_files_open_by_holder', 'holder_user_id', 'held_since',
                 postgresql_where=db.text(_OPEN), sqlite_where=db.text(_OPEN)),
        db.Index('ix_work_files_open_by_unit', 'holder_unit_id', 'held_since',
                 postgresql_where=db.text('holder_user_id IS NULL AND ' + _OPEN),
                 sqlite_where=db.text('holder_user_id IS NULL AND ' + _OPEN)),
    )
    __mapper_args__ = {'version_id_col': version}

    def __repr__(self):
        return f'<WorkFile {self.id} {self.status}>'

    @property
    def doc_type_name(self):
        return DOC_TYPE_NAMES.get(self.doc_type, self.doc_type)

    @property
    def fully_electronic(self):
        return not self.paper_marks

    @property
    def overdue(self):
        """Past its deadline (judged on the Vietnamese calendar day) and not closed."""
        if self.deadline is None or self.closed_at is not None:
            return False
        return aware(self.deadline) < now()

    @property
    def main_document(self):
        mains = [d for d in self.documents if d.kind == 'main']
        return mains[-1] if mains else None

    @property
    def issued_documents(self):
        """What issuance signs and sends: the current main document and the attachments (not old drafts)."""
        main = self.main_document
        return ([main] if main else []) + self.attachments

    @property
    def attachments(self):
        return [d for d in self.documents if d.kind == 'attachment']

    def deadline_days_left(self):
        if self.deadline is None:
            return None
        return (aware(self.deadline).date() - vn_today()).days


class Document(db.Model):
    __tablename__ = 'documents'
    id = db.Column(db.Integer, primary_key=True)
    file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), nullable=False, index=True)
    kind = db.Column(db.String(12), nullable=False, default='main')
    filename = db.Column(db.String(255), nullable=False)
    sha256 = db.Column(db.String(64), nullable=False, index=True)
    # the bytes as uploaded, kept when `sha256` is a repaired copy made so that it can be signed
    original_sha256 = db.Column(db.String(64))
    size = db.Column(db.Integer, nullable=False)
    pages = db.Column(db.Integer, nullable=False, default=1)
    paper_origin = db.Column(db.Boolean, nullable=False, default=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), nullable=False, index=True)
    duplicate_of_id = db.Column(db.Integer, db.ForeignKey('documents.id'))
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)

    file = db.relationship('WorkFile', back_populates='documents')
    uploaded_by = db.relationship('User')
    duplicate_of = db.relationship('Document', remote_side=[id])


class FileEvent(db.Model):
    """One step on the file's timeline: who did what, when, from where to where."""
    __tablename__ = 'file_events'
    id = db.Column(db.Integer, primary_key=True)
    file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), nullable=False, index=True)
    at = db.Column(UtcDateTime(), nullable=False, default=now)
    actor_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    action = db.Column(db.String(30), nullable=False)
    from_unit_id = db.Column(db.Integer, db.ForeignKey('units.id'))
    to_unit_id = db.Column(db.Integer, db.ForeignKey('units.id'))
    from_user_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    to_user_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    purpose = db.Column(db.String(10))
    note = db.Column(db.Text, nullable=False, default='')
    on_paper = db.Column(db.Boolean, nullable=False, default=False)

    file = db.relationship('WorkFile', back_populates='events')
    actor = db.relationship('User', foreign_keys=[actor_id])
    from_unit = db.relationship('Unit', foreign_keys=[from_unit_id])
    to_unit = db.relationship('Unit', foreign_keys=[to_unit_id])
    from_user = db.relationship('User', foreign_keys=[from_user_id])
    to_user = db.relationship('User', foreign_keys=[to_user_id])


class FileAccess(db.Model):
    """Units that hold, have held, or were sent a file: the visibility rule, kept as rows."""
    __tablename__ = 'file_access'
    file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), primary_key=True)
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), primary_key=True, index=True)


class Assignment(db.Model):
    __tablename__ = 'assignments'
    id = db.Column(db.Integer, primary_key=True)
    file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False, index=True)
    role = db.Column(db.String(10), nullable=False)
    deadline = db.Column(UtcDateTime())
    assigned_by_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    assigned_at = db.Column(UtcDateTime(), nullable=False, default=now)
    done_at = db.Column(UtcDateTime())

    file = db.relationship('WorkFile', back_populates='assignments')
    user = db.relationship('User', foreign_keys=[user_id])


class Delivery(db.Model):
    """An issued document sent to one recipient unit, and that unit's own incoming file."""
    __tablename__ = 'deliveries'
    id = db.Column(db.Integer, primary_key=True)
    source_file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), nullable=False)
    file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), nullable=False, unique=True)
    status = db.Column(db.String(12), nullable=False, default='delivered')
    delivered_at = db.Column(UtcDateTime(), nullable=False, default=now)
    updated_at = db.Column(UtcDateTime(), nullable=False, default=now)
    note = db.Column(db.Text, nullable=False, default='')

    source_file = db.relationship('WorkFile', foreign_keys=[source_file_id], back_populates='deliveries')
    file = db.relationship('WorkFile', foreign_keys=[file_id])
    unit = db.relationship('Unit')

    __table_args__ = (db.UniqueConstraint('source_file_id', 'unit_id'),)


class PaperMark(db.Model):
    """A reason the file is not fully electronic (paper origin, a paper step, unsigned issuance)."""
    __tablename__ = 'paper_marks'
    id = db.Column(db.Integer, primary_key=True)
    file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'), nullable=False, index=True)
    reason = db.Column(db.String(30), nullable=False)
    detail = db.Column(db.Text, nullable=False, default='')
    at = db.Column(UtcDateTime(), nullable=False, default=now)

    file = db.relationship('WorkFile', back_populates='paper_marks')
