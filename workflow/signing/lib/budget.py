"""Verification within bounds: counted limits first, then the work in a child process that is
killed when it runs over its time budget (issue 11: one hostile PDF cost 66 s of CPU before).

Pure library code (no Flask, no database), so that the child imports only what verifying needs.
The child comes from a 'forkserver' that has pyHanko loaded already: starting one costs a fork,
not an interpreter, and never copies the web worker's threads, locks or connections.
"""
import logging
import multiprocessing
import re
import resource
import threading
from dataclasses import dataclass
from io import BytesIO
from itertools import islice

log = logging.getLogger(__name__)

TOO_MANY = 'too many'  # the findings' stable prefix: 'too many signatures: 100 (at most 30)'
OUT_OF_TIME = 'the verification ran out of time'
CRASHED = 'the verification stopped'
BUSY = 'the verification service is busy'
_STARTXREF = re.compile(rb'startxref')
_BYTERANGE = re.compile(rb'/ByteRange')

_context = None
_slots = {}
_slots_lock = threading.Lock()


def _slot(at_once):
    with _slots_lock:
        return _slots.setdefault(at_once, threading.BoundedSemaphore(at_once))


@dataclass(frozen=True)
class Limits:
    pages: int = 5000
    signatures: int = 30
    revisions: int = 100
    seconds: float = 10.0
    at_once: int = 2  # children of one web process at a time: the CPU an attack can take is bounded too


def refusal(kind, found, limit) -> dict:
    return {'valid': False, 'signatures': [], 'errors': [f'{TOO_MANY} {kind}: {found} (at most {limit})']}


def counted_refusal(pdf_bytes: bytes, limits: Limits) -> dict | None:
    """A report refusing `pdf_bytes` by what a byte count already shows (no parsing: microseconds),
    or None. Counted generously: a mark inside a stream counts too, which only errs on refusing."""
    signatures = len(_BYTERANGE.findall(pdf_bytes))
    if signatures > limits.signatures:
        return refusal('signatures', signatures, limits.signatures)
    revisions = len(_STARTXREF.findall(pdf_bytes))
    if revisions > limits.revisions:
        return refusal('revisions', revisions, limits.revisions)
    return None


def structural_refusal(pdf_bytes: bytes, limits: Limits) -> dict | None:
    """The same limits as the document's structure states them (hidden in object streams, say):
    the page tree's count, the revisions and the signature fields. Cheap reads, no page walk."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        pages = int(reader.root['/Pages']['/Count'])
        revisions = reader.xrefs.total_revisions
        signatures = sum(1 for _ in islice(enumerate_sig_fields(reader, filled_status=True), limits.signatures + 1))
    except Exception:  # noqa: BLE001 -- unreadable: the verification itself says so
        return None
    for kind, found, limit in (('pages', pages, limits.pages), ('revisions', revisions, limits.revisions),
                               ('signatures', signatures, limits.signatures)):
        if found > limit:
            return refusal(kind, found, limit)
    return None


def _forkserver():
    global _context
    if _context is None:
        context = multiprocessing.get_context('forkserver')
        context.set_forkserver_preload(['workflow.signing.lib.validation', 'workflow.signing.lib.budget'])
        _context = context
    return _context


def _child(connection, pdf_bytes, roots, crls, limits):
    # The kernel's own stop on CPU time as well (the parent's is on wall-clock time), in case the
    # parent dies before it can kill us.
    seconds = max(1, int(limits.seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    from .validation import log_failures_without_tracebacks, verify_pdf
    log_failures_without_tracebacks()
    report = structural_refusal(pdf_bytes, limits) or verify_pdf(pdf_bytes, roots, crls=crls)
    connection.send(report)
    connection.close()


def verify_within(pdf_bytes: bytes, roots: list[bytes], crls: list[bytes], limits: Limits) -> dict:
    """`verify_pdf`'s report on `pdf_bytes` (roots as DER), or a refusal naming the limit it passed,
    or -- when the child runs over `limits.seconds` -- a report saying the time ran out (the child is
    killed). Never raises for what the document contains."""
    refused = counted_refusal(pdf_bytes, limits)
    if refused is not None:
        return refused
    slot = _slot(limits.at_once)
    if not slot.acquire(timeout=limits.seconds):
        log.warning('verification refused: %s already running in this process', limits.at_once)
        return {'valid': False, 'signatures': [], 'errors': [BUSY], 'busy': True}
    try:
        return _in_child(pdf_bytes, roots, crls, limits)
    finally:
        slot.release()


def _in_child(pdf_bytes, roots, crls, limits):
    context = _forkserver()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, pdf_bytes, roots, crls, limits), daemon=True)
    child.start()
    sending.close()
    try:
        report = receiving.recv() if receiving.poll(limits.seconds) else None
    except (EOFError, OSError):
        report = None
    finally:
        receiving.close()
    if report is None:
        return _stopped(child, limits)
    child.join(5)
    return report


def _stopped(child, limits):
    running = child.is_alive()
    if running:
        child.kill()
    child.join()
    if running:
        log.warning('verification killed after %s s (pid %s)', limits.seconds, child.pid)
        return {'valid': False, 'signatures': [], 'errors': [f'{OUT_OF_TIME} ({limits.seconds:g} s)'],
                'killed': True}
    log.warning('verification child %s ended without an answer (exit code %s)', child.pid, child.exitcode)
    return {'valid': False, 'signatures': [], 'errors': [f'{CRASHED} (exit code {child.exitcode})'],
            'killed': False}
