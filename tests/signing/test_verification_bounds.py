"""Public verification is bounded (issue 11, finding 3): the hostile PDFs that cost 66 s and 8 s of
CPU before are refused by their counts or cut off by the child process's time budget, and a report
once made is reused for the same bytes under the same trust."""
import io
import logging

import pytest

from tests.builders import pdf
from tests.support import hostile_pdfs
from workflow.signing.lib import budget


@pytest.fixture(scope='module')
def hundred_signatures():
    return hostile_pdfs.many_signatures(100)


@pytest.fixture(scope='module')
def many_pages():
    return hostile_pdfs.many_pages(99_000)


@pytest.fixture(autouse=True)
def no_reports_kept(app):
    app.extensions.pop('verification_cache', None)


@pytest.fixture
def children(monkeypatch):
    """The verifications that reached the child process (cache misses past the byte counts)."""
    started = []
    real_process = budget._forkserver().Process

    def counting(*args, **kwargs):
        started.append(kwargs.get('target'))
        return real_process(*args, **kwargs)

    monkeypatch.setattr(budget._forkserver(), 'Process', counting)
    return started


def _verify(api, data):
    answer = api.client.post('/api/v1/verify', data={'file': (io.BytesIO(data), 'x.pdf')},
                             content_type='multipart/form-data')
    assert answer.status_code == 200
    return answer.get_json()


def test_a_hundred_signatures_are_refused_before_any_work(sorg, api, children, hundred_signatures):
    assert 0.7e6 < len(hundred_signatures) < 1e6
    report = _verify(api, hundred_signatures)
    assert not report['valid'] and report['headline'] == 'Không kiểm tra: tài liệu có quá nhiều chữ ký.'
    assert children == []  # refused by counting, no child started


def test_ninety_nine_thousand_pages_are_refused_on_the_public_page(sorg, client, children, many_pages):
    assert 0.8e6 < len(many_pages) < 1.1e6
    page = client.post('/verify', data={'file': (io.BytesIO(many_pages), 'x.pdf')},
                       content_type='multipart/form-data')
    assert page.status_code == 200 and 'tài liệu có quá nhiều trang' in page.get_data(as_text=True)
    assert len(children) == 1  # the page tree's count is read in the child, never in the web worker


def test_a_verification_over_its_time_budget_is_killed(sorg, app, api, children, hundred_signatures, caplog,
                                                       monkeypatch):
    # Limits raised so the hostile file reaches the work itself: the budget must stop it.
    for name, value in (('VERIFY_MAX_SIGNATURES', 1000), ('VERIFY_MAX_REVISIONS', 1000),
                        ('VERIFY_TIMEOUT_SECONDS', 1)):
        monkeypatch.setitem(app.config, name, value)
    with caplog.at_level(logging.WARNING, logger='workflow.signing.lib.budget'):
        report = _verify(api, hundred_signatures)
    assert report['headline'] == 'Quá thời gian kiểm tra: tài liệu quá phức tạp để kiểm tra chữ ký.'
    assert len(children) == 1 and 'verification killed after 1 s' in caplog.text
    assert report['signatures'] == [] and not report['valid']


def test_the_same_bytes_are_verified_once(sorg, api, children):
    data = pdf()
    first, second = _verify(api, data), _verify(api, data)
    assert first == second and len(children) == 1


def test_a_file_page_reuses_the_report(sorg, children, app):
    from workflow.signing.verification import document_report
    file = sorg.draft()
    document_report(file.main_document)
    document_report(file.main_document)
    assert len(children) == 1


def test_verifications_at_once_are_bounded_and_a_busy_answer_is_not_kept(sorg, app, api, children, monkeypatch):
    monkeypatch.setitem(app.config, 'VERIFY_AT_ONCE', 1)
    monkeypatch.setitem(app.config, 'VERIFY_TIMEOUT_SECONDS', 1)
    slot = budget._slot(1)
    assert slot.acquire(timeout=5)  # another request's verification holds this process's only slot
    try:
        busy = _verify(api, pdf())
    finally:
        slot.release()
    assert busy['headline'] == 'Hệ thống đang bận kiểm tra các tài liệu khác; vui lòng thử lại sau ít phút.'
    assert children == []
    assert _verify(api, pdf())['headline'] == 'Tài liệu không có chữ ký số nào.' and len(children) == 1
