"""Every state change of a work file, one function each: its status, its timeline, its documents and
signatures, its deliveries. The HTML pages, the API, the jobs and the demo call these; nothing else
changes a work file. They flush and record to the audit log; the unit of work commits.

drafting  a new file, further documents          routing   forward, return
issuing   issue (number, seal), register, refuse  handling  assign, start, complete, reopen
signatures  sign the main document, record a signature or a failed one, archive timestamps
"""
from .drafting import add_document, create_file, draft_replacement
from .handling import assign_file, complete_file, reopen_file, start_handling
from .issuing import issue_file, refuse_file, register_file, register_paper_document, verification_code
from .routing import forward_file, return_file
from .signatures import archive_timestamp_issued, record_sign_failure, record_signature, sign_document
from .steps import StoredDocument, Upload, grant, mark_not_electronic

__all__ = [
    'StoredDocument', 'Upload', 'add_document', 'archive_timestamp_issued', 'assign_file', 'complete_file',
    'create_file', 'draft_replacement', 'forward_file', 'grant', 'issue_file', 'mark_not_electronic',
    'record_sign_failure', 'record_signature', 'refuse_file', 'register_file', 'register_paper_document',
    'reopen_file', 'return_file', 'sign_document', 'start_handling', 'verification_code',
]
