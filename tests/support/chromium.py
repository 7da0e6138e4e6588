"""Debian's chromium driven by Playwright, as every browser test starts it (Playwright downloads nothing)."""
import re
from contextlib import contextmanager
from pathlib import Path

from playwright import sync_api as playwright_api

CHROMIUM = '/usr/bin/chromium'
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update']


@contextmanager
def chromium():
    """A launched browser; a missing chromium is a failure (CI installs it), never a skip."""
    assert Path(CHROMIUM).exists(), f'{CHROMIUM} is missing: install Debian chromium (.ci/run does)'
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page, base, user, password):
    """Through the login form, as a person would; waits for the inbox."""
    page.goto(f'{base}/login')
    page.fill('#username', user.username)
    page.fill('#password', password)
    page.click('form[action="/login"] button[type=submit]')
    page.wait_for_url(re.compile(r'.*/$'))
