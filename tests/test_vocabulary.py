"""One vocabulary: every code's label is defined once (vocabulary.py), and every room shows that label."""
import re
from pathlib import Path

import pytest

from workflow import vocabulary
from workflow.metrics.labels import reason_label

WORKFLOW = Path(__file__).resolve().parents[1] / 'workflow'


@pytest.mark.nodb
def test_labels_are_defined_only_in_the_vocabulary():
    defining = re.compile(r'^[A-Z_]*LABELS\s*=\s*\{', re.MULTILINE)
    found = sorted(str(p.relative_to(WORKFLOW)) for p in WORKFLOW.rglob('*.py') if defining.search(p.read_text()))
    assert found == ['vocabulary.py']


@pytest.mark.nodb
def test_every_code_the_workflow_table_names_has_a_label():
    from workflow.files.transitions import TRANSITIONS
    statuses = {row.target for row in TRANSITIONS if row.target} | {s for row in TRANSITIONS for s in row.sources}
    assert statuses <= set(vocabulary.STATUS_LABELS)
    assert set(vocabulary.DELIVERY_STATUSES) <= set(vocabulary.STATUS_LABELS)


def test_a_reason_reads_the_same_on_the_file_page_and_in_the_metrics(app, communes_org, as_user):
    from tests.support.pages import act, file_id_from, page, upload_file
    specialist = as_user(communes_org.specialist)
    file_id = file_id_from(upload_file(specialist, paper_origin='y'))
    act(specialist, file_id, 'forward', purpose='sign', to_user=communes_org.leader.id, to_unit=0, on_paper='y')
    text = page(specialist, f'/files/{file_id}')
    with app.test_request_context('/'):
        for code in (vocabulary.REASON_PAPER_ORIGIN, vocabulary.REASON_PAPER_STEP):
            assert reason_label(code) == str(vocabulary.REASON_LABELS[code])
            assert reason_label(code) in text


def test_the_registers_keep_the_decree_30_headings_in_any_language(app):
    with app.test_request_context('/', headers={'Accept-Language': 'en'}):
        from flask_babel import force_locale
        with force_locale('en'):
            heading = vocabulary.REGISTER_COLUMNS['incoming'][1][1]
            assert str(heading) == 'Incoming number'
            assert vocabulary.official(heading) == 'Số đến'
