"""The leader signs the main document from the file page: placement, PIN, and every refusal explained."""
import io
import re

from flask_babel import force_locale
from pypdf import PdfReader

from tests.signing.conftest import (
    LEADER_PIN,
    TITLE,
    html,
    issue_certificate,
    main_document_id,
    sign,
    stored_file,
    upload_signature_image,
)
from tests.support import pdfs
from tests.support.pages import act, file_id_from, upload_file
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.signing import panel, verification
from workflow.signing.models import Credential
from workflow.storage import blobs
from workflow.timeutil import now


def _main_pdf(app, file_id):
    with app.app_context():
        return blobs().get(db.session.get(WorkFile, file_id).main_document.sha256)


def _report(app, file_id):
    with app.app_context():
        return verification.verify_bytes(_main_pdf(app, file_id))


def _signer_rect(data):
    for page_number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        for annotation in page.get('/Annots') or []:
            widget = annotation.get_object()
            if widget.get('/T') == 'signer' or widget.get('/Parent', {}).get('/T') == 'signer':
                return page_number, [float(v) for v in widget['/Rect']]
    return None


def test_the_leader_holding_the_file_sees_the_sign_panel(app, equipped, awaiting, as_user):
    response = as_user(equipped.leader).get(f'/files/{awaiting}')
    text = html(response)
    document_id = main_document_id(app, awaiting)
    assert 'id="form-sign"' in text and 'class="pdf-canvas"' in text and 'Đặt tự động' in text
    assert f'data-pdf-url="/documents/{document_id}/pdf"' in text
    assert '<script type="module" src="/static/js/sign.js"></script>' in text
    assert re.search(r'<input autocomplete="off" [^>]*name="sign-pin" [^>]*type="password"', text)
    assert 'no-signature-image' not in text and 'sign-readiness' not in text
    policy = response.headers['Content-Security-Policy']
    assert "script-src 'self';" in policy and 'unsafe' not in policy
    # nobody else gets the panel, and nobody else may sign
    specialist = as_user(equipped.specialist)
    assert 'id="form-sign"' not in html(specialist.get(f'/files/{awaiting}'))
    assert sign(specialist, awaiting).status_code == 403
    assert sign(as_user(equipped.commune_clerk), awaiting).status_code == 404


def test_leader_signs_with_automatic_placement(app, equipped, awaiting, as_user):
    leader = as_user(equipped.leader)
    response = sign(leader, awaiting)
    assert response.status_code == 302, html(response)[:3000]
    text = html(leader.get(f'/files/{awaiting}'))
    assert 'Đã ký số văn bản' in text and 'status-signed' in text
    assert 'id="form-sign"' not in text  # signed: back to the plain viewer
    assert 'id="signatures"' in text and 'Tất cả chữ ký số hợp lệ' in text and '1 chữ ký hợp lệ' in text
    assert 'Lê Văn Chủ Tịch' in text and text.count('class="signature-card ok"') == 1
    people = re.sub(r'<details class="technical">.*?</details>', '', text)  # the subject's raw form stays inside
    assert '<dd class="signer-name">Lê Văn Chủ Tịch</dd>' in people and 'Common Name' not in people
    report = _report(app, awaiting)
    assert report['valid'] and [s['field'] for s in report['signatures']] == ['signer']
    stored = stored_file(app, awaiting)
    assert stored.status == 'signed' and stored.signer_id == equipped.leader.id
    # the automatic box sits on the last page, under the title
    page, rect = _signer_rect(_main_pdf(app, awaiting))
    assert page == len(PdfReader(io.BytesIO(_main_pdf(app, awaiting))).pages) - 1


def test_leader_signs_in_the_box_clicked_on_the_page(app, equipped, awaiting, as_user):
    leader = as_user(equipped.leader)
    unclicked = act(leader, awaiting, 'sign', pin=LEADER_PIN, placement='manual')
    assert unclicked.status_code == 400 and 'Hãy bấm vào văn bản để chọn vị trí đặt chữ ký' in html(unclicked)
    tiny = sign(leader, awaiting, page=1, box=(100, 100, 120, 110))
    assert tiny.status_code == 400 and 'Vùng đặt chữ ký quá nhỏ.' in html(tiny)
    assert stored_file(app, awaiting).status == 'awaiting_signature'

    box = (320.5, 180.0, 520.5, 255.0)
    response = sign(leader, awaiting, page=1, box=box)
    assert response.status_code == 302, html(response)[:3000]
    page, rect = _signer_rect(_main_pdf(app, awaiting))
    assert page == 0 and rect == list(box)
    assert _report(app, awaiting)['valid']


def test_wrong_pin_counts_down_and_five_lock_signing_for_15_minutes(app, equipped, awaiting, as_user):
    leader = as_user(equipped.leader)
    for left in (4, 3, 2, 1):
        refused = sign(leader, awaiting, pin='0000')
        assert refused.status_code == 422
        assert f'Mã PIN không đúng (còn {left} lần thử).' in html(refused)
        assert 'class="alert alert-danger sign-message"' in html(refused)
    locked = sign(leader, awaiting, pin='0000')
    assert locked.status_code == 423 and 'Sai mã PIN 5 lần: khóa ký bị tạm khóa 15 phút.' in html(locked)
    still = sign(leader, awaiting, pin=LEADER_PIN)
    assert still.status_code == 423 and 'Khóa ký đang tạm khóa do nhập sai PIN nhiều lần' in html(still)
    assert 'sign-readiness' in html(leader.get(f'/files/{awaiting}'))
    stored = stored_file(app, awaiting)
    assert stored.status == 'awaiting_signature' and stored.signer_id is None
    with app.app_context():
        credential = db.session.query(Credential).filter_by(user_id=equipped.leader.id, active=True).one()
        assert credential.pin_locked


def test_a_leader_without_a_signature_image_is_told_to_upload_one(app, org, as_user):
    admin = as_user(org.admin)
    assert issue_certificate(admin, org.leader).status_code == 302
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist, title=TITLE, doc_type='QĐ'))
    act(specialist, file_id, 'forward', purpose='sign', to_user=org.leader.id, to_unit=0)
    leader = as_user(org.leader)
    assert 'no-signature-image' in html(leader.get(f'/files/{file_id}'))
    refused = sign(leader, file_id)
    assert refused.status_code == 400 and 'Bạn chưa có ảnh chữ ký' in html(refused)
    assert upload_signature_image(leader, org.leader).status_code == 302
    assert sign(leader, file_id).status_code == 302


def test_a_title_not_printed_still_signs_under_the_documents_signature_block(app, equipped, awaiting, as_user):
    """'Giám đốc Sở' is printed nowhere: the signature goes under the last line of the 'TM. ỦY BAN NHÂN DÂN /
    CHỦ TỊCH' block, as the preview said; a click can still choose another place."""
    with app.app_context():
        db.session.get(type(equipped.leader), equipped.leader.id).title = 'Giám đốc Sở'
        db.session.commit()
    leader = as_user(equipped.leader)
    proposed = _proposal(html(leader.get(f'/files/{awaiting}')))
    assert proposed['page'] == 2 and 'giữa chức danh và họ tên người ký' in proposed['text']
    assert sign(leader, awaiting).status_code == 302
    page, rect = _signer_rect(_main_pdf(app, awaiting))
    assert (page + 1, rect) == (proposed['page'], proposed['box'])
    assert 640 < rect[1] < rect[3] < 729  # between "CHỦ TỊCH" (y≈728) and the name (y≈638)


def _proposal(text):
    """The automatic placement the sign panel proposes: its statement, and the page and box pdf.js draws."""
    statement = re.search(r'<p class="sign-proposal small" data-basis="(\w+)">(.*?)</p>', text)
    assert statement, 'no proposal in the sign panel'
    found = {'basis': statement.group(1), 'text': statement.group(2), 'page': None, 'box': None}
    drawn = re.search(r'data-auto-page="(\d+)" data-auto-box="([\d. -]+)"', text)
    if drawn:
        found.update(page=int(drawn.group(1)), box=[float(v) for v in drawn.group(2).split()])
    return found


def _awaiting_with(as_user, equipped, data):
    specialist = as_user(equipped.specialist)
    file_id = file_id_from(upload_file(specialist, title=TITLE, doc_type='CV', data=data))
    assert act(specialist, file_id, 'forward', purpose='sign', to_user=equipped.leader.id,
               to_unit=0).status_code == 302
    return file_id


def test_the_sign_panel_previews_the_automatic_place_and_signing_keeps_it(app, equipped, awaiting, as_user):
    leader = as_user(equipped.leader)
    text = html(leader.get(f'/files/{awaiting}'))
    proposed = _proposal(text)
    assert proposed['basis'] == 'title' and proposed['page'] == 2
    assert re.search(r'Vị trí đặt tự động: trang 2/2, giữa chức danh và họ tên người ký \(cách mép trái \d+ mm, '
                     r'cách mép trên \d+ mm\)\.', proposed['text'])
    assert 'class="sign-box-auto d-none"' in text  # pdf.js draws it over page 2
    assert sign(leader, awaiting).status_code == 302
    assert _signer_rect(_main_pdf(app, awaiting)) == (1, proposed['box'])


def test_a_letter_without_a_title_is_previewed_and_signed_in_the_right_column(app, equipped, as_user):
    file_id = _awaiting_with(as_user, equipped, pdfs.untitled_letter())
    leader = as_user(equipped.leader)
    proposed = _proposal(html(leader.get(f'/files/{file_id}')))
    assert proposed['basis'] == 'free_space' and proposed['page'] == 1
    assert proposed['text'].startswith('Văn bản không in chức danh người ký: chữ ký sẽ đặt ở cột bên phải, '
                                       'dưới dòng chữ cuối của trang 1/1')
    with app.test_request_context(), force_locale('en'):
        assert panel._statement('free_space', 1, 1, 130, 160) == (
            "The document does not print the signer's title: the signature will go in the right-hand column, "
            'below the last line of page 1/1 (130 mm from the left edge, 160 mm from the top).')
    assert sign(leader, file_id).status_code == 302
    assert _signer_rect(_main_pdf(app, file_id)) == (0, proposed['box'])
    assert _report(app, file_id)['valid']


def test_a_full_page_is_previewed_as_a_new_page_and_signed_there(app, equipped, as_user):
    file_id = _awaiting_with(as_user, equipped, pdfs.full_letter())
    leader = as_user(equipped.leader)
    proposed = _proposal(html(leader.get(f'/files/{file_id}')))
    assert proposed['basis'] == 'new_page' and proposed['page'] is None  # nothing to draw on yet
    assert 'chữ ký sẽ đặt trên một trang trắng thêm vào cuối văn bản (trang 2)' in proposed['text']
    assert sign(leader, file_id).status_code == 302
    signed = _main_pdf(app, file_id)
    assert len(PdfReader(io.BytesIO(signed)).pages) == 2 and _signer_rect(signed)[0] == 1
    assert _report(app, file_id)['valid']


def test_revoked_and_expired_certificates_are_refused(app, equipped, awaiting, as_user):
    leader = as_user(equipped.leader)
    with app.app_context():  # revoked by someone else (say a database admin): the key is still on file and in use
        credential = db.session.query(Credential).filter_by(user_id=equipped.leader.id, active=True).one()
        credential.revoked_at, credential.revocation_reason = now(), 'keyCompromise'
        db.session.commit()
    refused = sign(leader, awaiting)
    assert refused.status_code == 403 and 'Chứng thư số đã bị thu hồi; không thể ký.' in html(refused)

    issue_certificate(as_user(equipped.admin), equipped.leader)
    with app.app_context():
        credential = db.session.query(Credential).filter_by(user_id=equipped.leader.id, active=True).one()
        credential.not_after = now().replace(year=now().year - 1)
        db.session.commit()
    assert 'Chứng thư số đã hết hạn; không thể ký.' in html(leader.get(f'/files/{awaiting}'))
    expired = sign(leader, awaiting)
    assert expired.status_code == 403 and 'Chứng thư số đã hết hạn; không thể ký.' in html(expired)

    as_user(equipped.admin).post(f'/admin/users/{equipped.leader.id}/revoke')
    page = html(leader.get(f'/files/{awaiting}'))
    assert 'Chứng thư số đã bị thu hồi; không thể ký.' in page
    assert sign(leader, awaiting).status_code == 403
    assert stored_file(app, awaiting).status == 'awaiting_signature'


def test_timestamp_authority_down_shows_signing_failed_and_a_retry_works(app, equipped, awaiting, as_user):
    leader = as_user(equipped.leader)
    before = _main_pdf(app, awaiting)
    app.config['TSA_URL'] = 'http://127.0.0.1:9/tsa'
    try:
        failed = sign(leader, awaiting)
    finally:
        app.config['TSA_URL'] = ''
    assert failed.status_code == 503
    assert 'Ký lỗi — thử lại' in html(failed) and 'Không kết nối được máy chủ cấp dấu thời gian' in html(failed)
    stored = stored_file(app, awaiting)  # the failure is recorded, the document untouched
    assert stored.status == 'sign_failed' and 'dấu thời gian' in stored.sign_error
    assert _main_pdf(app, awaiting) == before
    later = html(leader.get(f'/files/{awaiting}'))
    assert 'class="alert alert-warning sign-failed"' in later and 'Ký lại' in later
    assert 'Ký số không thành công' in later  # on the timeline

    assert sign(leader, awaiting).status_code == 302
    stored = stored_file(app, awaiting)
    assert stored.status == 'signed' and stored.sign_error is None


def test_messages_in_english(app, equipped, awaiting, as_user):
    leader = as_user(equipped.leader)
    leader.post('/locale/en')
    text = html(leader.get(f'/files/{awaiting}'))
    assert 'Place automatically' in text and 'Signing PIN' in text
    refused = sign(leader, awaiting, pin='0000')
    assert refused.status_code == 422 and 'Wrong PIN (4 attempts left).' in html(refused)
    assert sign(leader, awaiting).status_code == 302
    assert 'Document signed' in html(leader.get(f'/files/{awaiting}'))
