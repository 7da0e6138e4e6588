"""The signing room's part of the file page: the leader's sign panel over the main document, and the
signatures' reports, the arrival check and the verification link beside it.

Registered on the page 'file' (page_parts.py) by create_app; the file page gives it its facts (the
file, who is looking, the forms of the actions they may take now, the action that just failed and
its message) and includes the templates named here. Nothing here changes anything.
"""
from .. import page_parts
from .credentials import active_credential, certificate_summary, user_credentials
from .lib.placement import SIGNATURE_HEIGHT, SIGNATURE_WIDTH
from .stamps import stamp_image
from .verification import carries_signatures, document_report, present


def install():
    page_parts.add('file', 'signing', file_part)


def file_part(*, file, viewer, forms, failed=None, error=None, **_facts):
    """The part for one file page (see the module's docstring)."""
    sign_form = forms.get('sign')
    data = {
        'sign': _sign_panel(file, viewer, sign_form, error if failed == 'sign' else None) if sign_form else None,
        'reports': [(document, present(document_report(document)))
                    for document in carries_signatures(file.documents,
                                                       judged=file.signature_check in ('valid', 'invalid'))],
        'verification_code': file.verification_code or (file.source_file.verification_code
                                                        if file.source_file is not None else None),
        'arrival_check': file.signature_check if file.direction == 'incoming' else None,
        'shows_error': failed == 'sign',
    }
    slots = {'sidebar': 'signing/_signatures.html'}
    if data['sign']:
        slots['document'] = 'signing/_sign_panel.html'
    return page_parts.Part('signing', data, slots)


def _sign_panel(file, viewer, form, message):
    # With no active key, the latest one says why (revoked) before the leader types a PIN.
    credential = active_credential(user=viewer) or next(reversed(user_credentials(viewer)), None)
    return {
        'form': form,
        'message': message,
        'document': file.main_document,
        'certificate': certificate_summary(credential),
        'locked_until': credential.locked_until if credential is not None and credential.pin_locked else None,
        'expired': credential is not None and credential.expired,
        'has_image': stamp_image(user=viewer) is not None,
        'box_size': (SIGNATURE_WIDTH, SIGNATURE_HEIGHT),
    }
