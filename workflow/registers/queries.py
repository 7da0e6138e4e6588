"""The Decree 30 registers (sổ đăng ký văn bản đi / đến) as rows, for pages, CSV and the API."""
from sqlalchemy import select

from .. import exports
from ..extensions import db
from ..files.models import WorkFile
from ..timeutil import iso, vn_date_str
from ..vocabulary import REGISTER_COLUMNS, REGISTER_NOTES, official


def _lead_name(file):
    leads = [a for a in file.assignments if a.role == 'lead']
    if leads:
        return leads[-1].user.full_name
    return file.holder_user.full_name if file.holder_user else (file.holder_unit.name if file.holder_unit else '')


def outgoing_rows(unit_id, year):
    files = db.session.scalars(select(WorkFile).where(
        WorkFile.issuing_unit_id == unit_id, WorkFile.issue_year == year, WorkFile.direction == 'outgoing')
        .order_by(WorkFile.issue_seq)).all()
    return [{
        'file_id': f.id, 'seq': f.issue_seq, 'number': f.number, 'date': vn_date_str(f.issued_at),
        'issued_at': iso(f.issued_at), 'doc_type': f'{f.doc_type_name}: {f.title}',
        'signer': f.signer.full_name if f.signer else '',
        'recipients': '; '.join(d.unit.name for d in f.deliveries),
        'drafting_unit': f.owner_unit.name, 'copies': len(f.deliveries),
        'note': '' if f.fully_electronic else official(REGISTER_NOTES['not_electronic']),
    } for f in files]


def incoming_rows(unit_id, year):
    files = db.session.scalars(select(WorkFile).where(
        WorkFile.owner_unit_id == unit_id, WorkFile.incoming_year == year, WorkFile.direction == 'incoming')
        .order_by(WorkFile.incoming_number)).all()
    return [{
        'file_id': f.id, 'received': vn_date_str(f.received_at), 'received_at': iso(f.received_at),
        'incoming_number': f.incoming_number,
        'author': f.issuing_unit.name if f.issuing_unit else (f.summary or ''),
        'number': f.number or '', 'date': vn_date_str(f.issued_at) if f.issued_at else '',
        'doc_type': f'{f.doc_type_name}: {f.title}', 'handler': _lead_name(f),
        'deadline': vn_date_str(f.deadline) if f.deadline else '',
        'note': official(REGISTER_NOTES['paper']) if f.paper_origin else '',
    } for f in files]


def register_rows(kind, unit_id, year):
    return outgoing_rows(unit_id, year) if kind == 'outgoing' else incoming_rows(unit_id, year)


def official_columns(kind):
    """The register's Decree 30 headings, in Vietnamese whatever the reader's language: (key, heading)."""
    return [(key, official(label)) for key, label in REGISTER_COLUMNS[kind]]


def register_csv(kind, rows):
    """The register as CSV, written by the one export module (no cell is ever a formula)."""
    columns = official_columns(kind)
    return exports.csv_document([label for _key, label in columns],
                                ([row[key] for key, _label in columns] for row in rows))
