"""The demo PDFs: a few real Decree 30 layouts, each upload made distinct by its own metadata.

Every work file gets its own bytes (an incremental update carrying the file's title, author and
date), so the demo does not flag every upload as a probable duplicate of the last one.
"""
import io
from functools import cache
from pathlib import Path

from pypdf import PdfWriter

from ..files.operations import Upload
from ..timeutil import now, vn

PDFS = Path(__file__).resolve().parent / 'pdfs'
DISTRICT_DRAFT = 'quyet-dinh-ke-hoach-cds-2026.pdf'
COMMUNE_DRAFT = 'cong-van-dong-hiep.pdf'
ANNEX = 'phu-luc-chi-tieu.pdf'
PAPER_SCAN = 'ban-scan-giay.pdf'


@cache
def _template(name):
    return (PDFS / name).read_bytes()


def _pdf_date(moment):
    local = vn(moment)
    return local.strftime("D:%Y%m%d%H%M%S+07'00'")


def pdf_upload(template, *, title, author, filename, version=1):
    """An Upload of `template` carrying this file's title and author in its metadata."""
    writer = PdfWriter(io.BytesIO(_template(template)), incremental=True)
    stamp = _pdf_date(now())
    writer.add_metadata({'/Title': title, '/Author': author, '/Subject': f'{title} (v{version})',
                         '/CreationDate': stamp, '/ModDate': stamp})
    out = io.BytesIO()
    writer.write(out)
    return Upload(filename, out.getvalue())
