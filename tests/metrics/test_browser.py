"""The dashboard in a real browser (Debian chromium through Playwright): charts drawn, no CSP
violation, readable on a phone; the screenshot for the README is taken here on demo data."""
from pathlib import Path

import pytest

from tests.builders import PASSWORD
from workflow.extensions import db

SCREENSHOT = Path(__file__).resolve().parents[2] / 'docs' / 'screenshots' / 'dashboard.png'
TSV = Path(__file__).parent / 'tthc_h1_2023.csv'


@pytest.fixture
def demo(app):
    """The Cờ Đỏ demo (a few hundred files over 2023–2025) and the H1-2023 TTHC counts."""
    from workflow.demo.seed import seed
    from workflow.directory.models import User
    from workflow.metrics.imports import import_dossiers
    from workflow.metrics.operations import seed_default_targets
    with app.app_context():
        seed(file_count=250)
        seed_default_targets()
        admin = db.session.query(User).filter_by(username='admin').one()
        admin.set_password(PASSWORD)
        import_dossiers(admin, filename='tthc.csv', data=TSV.read_bytes())
        db.session.commit()
    return 'admin'


def _canvas_is_drawn(page, selector):
    """True when the canvas holds pixels that are not all the same colour."""
    return page.eval_on_selector(selector, """c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 4; i < d.length; i += 4) {
          if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) return true;
        }
        return false; }""")


def _login(page, base, username):
    page.goto(f'{base}/login')
    page.fill('input[name=username]', username)
    page.fill('input[name=password]', PASSWORD)
    with page.expect_navigation():
        page.press('input[name=password]', 'Enter')


def test_dashboard_draws_its_charts_and_is_screenshotted(live_server, demo, browser):
    context = browser.new_context(viewport={'width': 1366, 'height': 900}, locale='vi-VN')
    page = context.new_page()
    problems = []
    page.on('console', lambda m: problems.append(m.text)
            if m.type == 'error' and not m.text.startswith('Failed to load resource') else None)
    page.on('response', lambda r: problems.append(f'{r.status} {r.url}')
            if r.status >= 400 and not r.url.endswith('/favicon.ico') else None)
    page.on('pageerror', lambda e: problems.append(str(e)))
    _login(page, live_server.url, demo)
    page.goto(f'{live_server.url}/metrics/?period=year&year=2023')
    page.wait_for_selector('#metrics-charts[data-loaded="1"]', timeout=15000)
    for chart in ('trend', 'levels', 'units', 'tthc'):
        assert page.get_attribute(f'#chart-{chart}', 'data-rendered') == '1', chart
        assert _canvas_is_drawn(page, f'#chart-{chart}'), chart
    assert page.inner_text('[data-testid=rate-district]').endswith('%')
    assert not problems, problems  # no CSP violation, no script error
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 20_000

    # The drill-down from a level card reaches the files, with their reasons.
    page.click('[data-testid=level-card-commune] a >> nth=2')
    page.wait_for_selector('[data-testid=files-table]')
    assert int(page.inner_text('[data-testid=files-total]').replace('.', '')) > 0
    context.close()

    # On a phone: the same page, charts drawn, nothing wider than the screen.
    context = browser.new_context(viewport={'width': 390, 'height': 844}, locale='vi-VN', is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    _login(page, live_server.url, demo)
    page.goto(f'{live_server.url}/metrics/?period=year&year=2023')
    page.wait_for_selector('#metrics-charts[data-loaded="1"]', timeout=15000)
    assert _canvas_is_drawn(page, '#chart-trend')
    width = page.evaluate('document.documentElement.scrollWidth')
    assert width <= 400, f'the page scrolls sideways on a phone ({width}px)'
    box = page.locator('#chart-trend').bounding_box()
    assert box['width'] <= 390 and box['height'] > 150
    context.close()
