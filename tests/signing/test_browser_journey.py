"""Signing in a real browser (Debian's chromium via Playwright, against the live server): the leader
sees the PDF drawn by pdf.js, clicks where the signature goes, types the PIN and signs; the clerk
issues with the seal PIN; the commune clerk sees the arrival check and registers. No console errors,
no Content-Security-Policy violations (pdf.js and its worker load from 'self' under script-src 'self')."""
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.builders import PASSWORD
from tests.signing.conftest import LEADER_PIN, SEAL_PIN, TITLE, main_document_id
from tests.support.chromium import sign_in as chromium_sign_in
from workflow.extensions import db
from workflow.files.models import Document
from workflow.signing.lib.placement import SIGNATURE_HEIGHT, SIGNATURE_WIDTH
from workflow.storage import blobs

SCREENSHOTS = Path(__file__).resolve().parents[2] / 'docs' / 'screenshots'
# Every securitypolicyviolation event, page or worker, kept where the test can read it.
WATCH_CSP = """
window.__csp = [];
self.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
NON_WHITE_PIXELS = """(canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) { if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) inked++; }
  return inked;
}"""


@pytest.fixture
def browser_page(app, live_server, browser):
    context = browser.new_context(viewport={'width': 1280, 'height': 1000}, locale='vi-VN')
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(20000)
    problems = []
    page.on('console', lambda msg: problems.append(f'{msg.type}: {msg.text} {msg.location}')
            if msg.type == 'error' and not msg.location['url'].endswith('/favicon.ico') else None)  # no icon
    page.on('pageerror', lambda exc: problems.append(f'pageerror: {exc}'))
    page.on('response', lambda r: problems.append(f'http {r.status}: {r.url}') if r.status >= 400 else None)
    # pdf.js falls back to a "fake worker" on the main thread when its worker is blocked
    page.on('console', lambda msg: problems.append(msg.text) if 'fake worker' in msg.text.lower() else None)
    yield page, problems
    context.close()


def sign_in(page, base, user):
    chromium_sign_in(page, base, user, PASSWORD)


def sign_out(page, violations):
    violations += page.evaluate('window.__csp')
    page.click('form[action="/logout"] button[type=submit]')
    page.wait_for_url(re.compile(r'.*/login.*'))


def open_file(page, title):
    page.click(f'a.file-link:has-text("{title}")')
    page.wait_for_url(re.compile(r'.*/files/\d+$'))


def open_panel(page, name):
    page.click(f'button[data-bs-target="#panel-{name}"]')
    page.wait_for_selector(f'#panel-{name}.show')


def test_leader_signs_in_the_page_clerk_seals_commune_registers(app, live_server, browser_page, equipped,  # noqa: F811
                                                                 awaiting, as_user):  # noqa: F811
    page, problems = browser_page
    violations = []
    base = live_server.url

    # The leader: the PDF is drawn by pdf.js on a canvas that is not blank.
    sign_in(page, base, equipped.leader)
    open_file(page, TITLE)
    page.wait_for_selector('.pdf-signer[data-rendered="true"]')
    canvas = page.locator('.pdf-canvas')
    assert canvas.evaluate(NON_WHITE_PIXELS) > 2000
    assert page.locator('.pdf-page-label').inner_text() == 'Trang 1/2'
    page.click('.pdf-next')
    page.wait_for_selector('.pdf-signer[data-page="2"]')
    assert page.locator('.pdf-page-label').inner_text() == 'Trang 2/2'
    assert page.locator('.pdf-prev').is_enabled() and page.locator('.pdf-next').is_disabled()
    # the automatic placement's box is drawn on its page (2), where the server proposes it
    page.wait_for_selector('.sign-box-auto:not(.d-none)')
    proposed = [float(v) for v in page.get_attribute('.pdf-signer', 'data-auto-box').split()]
    drawn_auto = page.locator('.sign-box-auto').bounding_box()
    canvas_box = canvas.bounding_box()
    scale = canvas_box['width'] / 595.28
    assert abs(drawn_auto['x'] - canvas_box['x'] - proposed[0] * scale) < 2
    assert abs(drawn_auto['y'] - canvas_box['y'] - (841.89 - proposed[3]) * scale) < 2
    assert 'trang 2/2' in page.locator('.sign-proposal').inner_text()

    # A click on the last page chooses the box: a rectangle appears, the form holds PDF points.
    box = canvas.bounding_box()
    canvas.click(position={'x': box['width'] * 0.71, 'y': box['height'] * 0.18})  # between title and name
    page.wait_for_selector('.sign-box:not(.d-none)')
    assert page.locator('.sign-box-auto').is_hidden()  # a chosen box replaces the proposal
    assert page.is_checked('#sign-placement-1')  # "the position chosen on the document"
    chosen = [float(page.input_value(f'#sign-{name}')) for name in ('x1', 'y1', 'x2', 'y2')]
    assert page.input_value('#sign-page') == '2'
    assert (round(chosen[2] - chosen[0]), round(chosen[3] - chosen[1])) == (SIGNATURE_WIDTH, SIGNATURE_HEIGHT)
    # the click was 71% across and 18% down an A4 page (595 x 842 pt, origin bottom left)
    assert abs((chosen[0] + chosen[2]) / 2 - 0.71 * 595.28) < 3
    assert abs((chosen[1] + chosen[3]) / 2 - 0.82 * 841.89) < 3
    drawn = page.locator('.sign-box').bounding_box()
    assert abs(drawn['width'] - SIGNATURE_WIDTH * box['width'] / 595.28) < 2
    page.fill('#sign-pin', LEADER_PIN)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / 'signing.png'), full_page=True)
    page.click('#form-sign button[type=submit]')
    page.wait_for_selector('.alert-success:has-text("Đã ký số văn bản")')
    assert 'Đã ký' in page.locator('.status').first.inner_text()
    assert 'Tất cả chữ ký số hợp lệ' in page.locator('#signatures').inner_text()
    with app.app_context():
        signed = blobs().get(db.session.get(Document, main_document_id(app, awaiting)).sha256)
    widget = next(a.get_object() for a in PdfReader(io.BytesIO(signed)).pages[1]['/Annots']
                  if a.get_object().get('/T') == 'signer')
    assert [round(float(v), 2) for v in widget['/Rect']] == chosen

    # ... and hands the file to the clerk.
    open_panel(page, 'forward')
    page.select_option('#forward-purpose', 'handle')
    page.select_option('#forward-to_user', str(equipped.clerk.id))
    page.click('#form-forward button[type=submit]')
    page.wait_for_selector('.alert-success')
    sign_out(page, violations)

    # The clerk issues with the organisation's seal PIN.
    sign_in(page, base, equipped.clerk)
    open_file(page, TITLE)
    open_panel(page, 'issue')
    page.check('#form-issue label:has-text("UBND xã Đông Hiệp")')
    page.fill('#issue-seal_pin', SEAL_PIN)
    page.click('#form-issue button[type=submit]')
    page.wait_for_selector('.alert-success:has-text("01/QĐ-UBND")')
    assert page.locator('.file-number').inner_text() == '01/QĐ-UBND'
    report = page.locator('#signatures').inner_text()
    assert '2 chữ ký hợp lệ' in report and 'Tất cả chữ ký số hợp lệ' in report
    assert page.locator('#signatures img.qr').evaluate('(img) => img.complete && img.naturalWidth > 0')
    sign_out(page, violations)

    # The commune clerk sees the arrival check and registers.
    sign_in(page, base, equipped.commune_clerk)
    open_file(page, TITLE)
    assert page.locator('.arrival-check').get_attribute('data-check') == 'valid'
    open_panel(page, 'register')
    page.click('#form-register button[type=submit]')
    page.wait_for_selector('.alert-success:has-text("số đến 1")')
    sign_out(page, violations)

    assert violations == []
    assert problems == []
