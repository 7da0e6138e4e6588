"""The outgoing-then-incoming journey in a real headless browser (Debian's chromium via Playwright)."""
import re
from pathlib import Path

import pytest

from tests.builders import FIXTURES, PASSWORD
from tests.support.chromium import sign_in as chromium_sign_in


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org


SCREENSHOTS = Path(__file__).resolve().parents[2] / 'docs' / 'screenshots'


@pytest.fixture
def server(live_server):
    """The same app, served over HTTP from a background thread (the test database is a shared file)."""
    return live_server.url


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport={'width': 1280, 'height': 900}, locale='vi-VN')
    page = context.new_page()
    page.set_default_timeout(15000)
    problems = []
    page.on('console', lambda msg: problems.append(msg.text)
            if msg.type == 'error' and 'Content Security Policy' in msg.text else None)
    page.on('pageerror', lambda exc: problems.append(str(exc)))
    yield page, problems
    context.close()


def sign_in(page, base, user):
    chromium_sign_in(page, base, user, PASSWORD)


def sign_out(page):
    page.click('form[action="/logout"] button[type=submit]')
    page.wait_for_url(re.compile(r'.*/login.*'))


def open_panel(page, name):
    """The action forms sit in an accordion opened by Bootstrap's script (served from 'self')."""
    page.click(f'button[data-bs-target="#panel-{name}"]')
    page.wait_for_selector(f'#panel-{name}.show')


def open_file(page, title):
    page.click(f'a.file-link:has-text("{title}")')
    page.wait_for_url(re.compile(r'.*/files/\d+$'))


def timeline(page):
    return [t.strip() for t in page.locator('.timeline .step-action').all_inner_texts()]


def test_document_travels_from_specialist_to_commune_clerk(server, browser_page, org):  # noqa: F811
    page, problems = browser_page
    title = 'Quyết định ban hành Kế hoạch chuyển đổi số năm 2026'

    # Specialist: upload the draft and send it to the chairman for signature.
    sign_in(page, server, org.specialist)
    page.click('a.nav-link:has-text("Tạo hồ sơ")')
    page.set_input_files('#upload', str(FIXTURES / 'quyet-dinh-ke-hoach-cds-2026.pdf'))
    page.fill('#title', title)
    page.select_option('#doc_type', 'QĐ')
    page.select_option('#urgency', 'urgent')
    page.click('form button[type=submit]:has-text("Tạo hồ sơ")')
    page.wait_for_url(re.compile(r'.*/files/\d+$'))
    source_url = page.url
    assert page.locator('.file-title').inner_text() == title
    open_panel(page, 'forward')
    page.select_option('#forward-purpose', 'sign')
    page.select_option('#forward-to_user', str(org.leader.id))
    page.fill('#forward-note', 'Kính trình Chủ tịch ký ban hành.')
    page.click('#form-forward button[type=submit]')
    page.wait_for_selector('.alert-success:has-text("Đã chuyển hồ sơ tới")')
    assert 'Chờ ký' in page.locator('.status').first.inner_text()
    sign_out(page)

    # Leader: finds it in the inbox and forwards it to the office clerk.
    sign_in(page, server, org.leader)
    assert page.locator('[data-testid=inbox-count]').inner_text() == '1'
    open_file(page, title)
    open_panel(page, 'forward')
    page.select_option('#forward-purpose', 'handle')
    page.select_option('#forward-to_user', str(org.clerk.id))
    page.click('#form-forward button[type=submit]')
    page.wait_for_selector('.alert-success')
    sign_out(page)

    # Clerk: issues it to the commune; the number comes from the outgoing register.
    sign_in(page, server, org.clerk)
    open_file(page, title)
    open_panel(page, 'issue')
    page.check('#form-issue label:has-text("UBND xã Đông Hiệp")')
    page.click('#form-issue button[type=submit]')
    page.wait_for_selector('.alert-success:has-text("01/QĐ-UBND")')
    assert page.locator('.file-number').inner_text() == '01/QĐ-UBND'
    assert page.locator('.deliveries').inner_text().count('UBND xã Đông Hiệp') == 1
    sign_out(page)

    # Commune clerk: sees it arrive, registers it with incoming number 1.
    sign_in(page, server, org.commune_clerk)
    assert page.locator('a.file-link', has_text=title).count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / 'inbox.png'), full_page=True)
    open_file(page, title)
    open_panel(page, 'register')
    page.click('#form-register button[type=submit]')
    page.wait_for_selector('.alert-success:has-text("số đến 1")')
    assert page.locator('.incoming-number').inner_text() == '1'
    assert timeline(page) == ['Gửi đến', 'Vào sổ văn bản đến']
    sign_out(page)

    # Back at the district: the whole route is on the timeline, and the commune's status with it.
    sign_in(page, server, org.clerk)
    page.goto(source_url)
    assert timeline(page) == ['Tạo hồ sơ', 'Chuyển', 'Chuyển', 'Ban hành']
    steps = page.locator('.timeline').inner_text()
    assert 'Trần Thị Chuyên' in steps and 'Lê Văn Chủ Tịch' in steps and 'Phạm Thị Văn Thư' in steps
    assert 'Kính trình Chủ tịch ký ban hành.' in steps
    assert 'Đã vào sổ' in page.locator('.deliveries').inner_text()
    page.screenshot(path=str(SCREENSHOTS / 'file.png'), full_page=True)
    assert problems == []
