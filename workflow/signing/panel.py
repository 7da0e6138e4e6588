"""The signing room's part of the file page: the leader's sign panel over the main document, and the
signatures' reports, the arrival check and the verification link beside it.

Registered on the page 'file' (page_parts.py) by create_app; the file page gives it its facts (the
file, who is looking, the forms of the actions they may take now, the action that just failed and
its message) and includes the templates named here. Nothing here changes anything.
"""
from flask_babel import gettext as _

from .. import page_parts
from ..storage import blobs
from .credentials import active_credential, certificate_summary, user_credentials
from .lib.errors import SigningError
from .lib.placement import MM, SIGNATURE_HEIGHT, SIGNATURE_WIDTH, read_pdf
from .operations import proposed_placement
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
    image = stamp_image(user=viewer)
    return {
        'form': form,
        'message': message,
        'document': file.main_document,
        'certificate': certificate_summary(credential),
        'locked_until': credential.locked_until if credential is not None and credential.pin_locked else None,
        'expired': credential is not None and credential.expired,
        'has_image': image is not None,
        'box_size': (SIGNATURE_WIDTH, SIGNATURE_HEIGHT),
        'proposal': proposal(viewer, file.main_document, image),
    }


def proposal(viewer, document, image=None):
    """Where automatic placement would put `viewer`'s signature on `document`, said in words (for the page
    without script) and as numbers (page 1-based, box in PDF points) for pdf.js to draw; None for a PDF
    that cannot be read (signing it is refused anyway)."""
    if document is None:
        return None
    pdf_bytes = blobs().get(document.sha256)
    try:
        where = proposed_placement(viewer, pdf_bytes, image)
        reader = read_pdf(pdf_bytes)
        pages = len(reader.pages)
        page = reader.pages[min(where.page, pages - 1)]
    except SigningError:
        return None
    x1, _y1, _x2, y2 = where.box
    left = round((x1 - float(page.mediabox.left)) / MM)
    top = round((float(page.mediabox.top) - y2) / MM)
    number = where.page + 1
    return {'page': number, 'box': ' '.join(f'{v:g}' for v in where.box), 'new_page': where.new_page,
            'basis': where.basis, 'text': _statement(where.basis, number, pages, left, top)}


def _statement(basis, page, pages, left, top):
    if basis == 'new_page':
        return _('Trang cuối không còn chỗ trống: chữ ký sẽ đặt trên một trang trắng thêm vào cuối văn bản '
                 '(trang %(page)s).', page=page)
    if basis == 'free_space':
        return _('Văn bản không in chức danh người ký: chữ ký sẽ đặt ở cột bên phải, dưới dòng chữ cuối của trang '
                 '%(page)s/%(pages)s (cách mép trái %(left)s mm, cách mép trên %(top)s mm).',
                 page=page, pages=pages, left=left, top=top)
    return _('Vị trí đặt tự động: trang %(page)s/%(pages)s, giữa chức danh và họ tên người ký (cách mép trái '
             '%(left)s mm, cách mép trên %(top)s mm).', page=page, pages=pages, left=left, top=top)
