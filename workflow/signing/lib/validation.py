"""Checking the signatures in a PDF, for display and for the "fully online" rule.

:func:`verify_pdf` never raises on bad input: a damaged or hostile file gives
``valid=False`` with reasons.  Each signature is checked at the time its
timestamp proves (so a certificate revoked later does not void it), using the
revocation data embedded in the document (B-LT) plus any the caller passes or,
if allowed, fetches.
"""

import datetime as dt
import logging
from io import BytesIO

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import FieldMDPAction, MDPPerm, SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko_certvalidator import ValidationContext

from . import changes as later_changes

log = logging.getLogger(__name__)

ACCEPTABLE_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES,
                      ModificationLevel.FORM_FILLING)


class _WithoutTraceback(logging.Filter):
    """Keep the message, drop the traceback: a hostile signature is an input, not a bug."""

    def filter(self, record):
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


TRACEBACK_LOGGERS = ('pyhanko.sign.validation.generic_cms', 'pyhanko.sign.validation.pdf_embedded',
                     'pyhanko_certvalidator')


def log_failures_without_tracebacks():
    """pyHanko logs each certificate or signature it cannot validate with a full traceback (two per
    hostile signature); the report says what failed, so the log keeps one line each (idempotent)."""
    for name in TRACEBACK_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WithoutTraceback) for f in logger.filters):
            logger.addFilter(_WithoutTraceback())


def verify_pdf(pdf_bytes: bytes, trust_roots: list, *, allow_fetching: bool = False,
               crls: list[bytes] = (), ocsps: list[bytes] = ()) -> dict:
    """Report on every signature: ``{valid, signatures: [...], errors: [...]}``.

    ``valid`` is True only if there is at least one signature and every one is
    intact, trusted, not revoked at signing time, and followed only by what
    it allows: further signatures, the issuance of what it prepared, and
    validation data -- and after a signature that locks everything (the seal,
    an attachment's signature; FieldMDP ``/All`` or DocMDP ``/P`` 1) nothing
    but validation data and document time stamps.  Each entry's
    ``changes_after`` names what the later revisions did (see :mod:`.changes`).
    """
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        embedded, damaged = _embedded_signatures(reader)
    except Exception as error:  # anything unreadable is simply not valid
        return {'valid': False, 'signatures': [], 'errors': [f'not a readable PDF: {error}']}
    roots = [_as_asn1(root) for root in trust_roots]
    revinfo = _RevocationData(reader, crls, ocsps)
    revisions = later_changes.Revisions(reader, _made_in(embedded))
    signatures = [_report(sig, roots, revinfo, allow_fetching, reader, revisions) for sig in embedded]
    signatures += [_damaged(name, error) for name, error in damaged]
    valid = bool(signatures) and all(not s['errors'] for s in signatures)
    return {'valid': valid, 'signatures': signatures,
            'errors': [] if signatures else ['the document has no signatures']}


def _report(sig, roots, revinfo, allow_fetching, reader, revisions) -> dict:
    entry = {'field': sig.field_name, 'type': 'signature', 'signer': None, 'issuer': None,
             'signed_at': None, 'timestamp_at': None, 'timestamp_authority': None,
             'intact': False, 'trusted': False, 'revoked': False, 'revoked_at': None,
             'covers_whole_file': False, 'modified_after_signing': None,
             'modification_level': None, 'changes': '', 'level': None, 'locks': None,
             'changes_after': [], 'errors': []}
    try:
        if sig.sig_object_type == '/DocTimeStamp':
            _fill_doc_timestamp(entry, sig, roots, revinfo, allow_fetching)
        else:
            _fill_signature(entry, sig, roots, revinfo, allow_fetching, reader)
    except Exception as error:  # hostile input can break pyHanko in many places
        log.info('signature %s could not be validated: %s', sig.field_name, error)
        entry['errors'].append(f'the signature could not be checked: {error}')
        entry['changes_after'] = [{'kind': 'signature_damaged', 'fields': [sig.field_name],
                                   'revision': None, 'by': None}]
        return entry
    _judge_later_changes(entry, sig, revisions)
    return entry


def _embedded_signatures(reader):
    """The readable signatures in signing order, and (field, error) of those whose CMS is damaged
    (pyHanko's own enumeration gives up on the whole document at the first one)."""
    readable, damaged = [], []
    for name, sig_obj, sig_field in enumerate_sig_fields(reader, filled_status=True):
        try:
            subfilter = sig_obj.get_object().get('/SubFilter')
            if subfilter is not None and str(subfilter) not in SUBFILTERS:
                continue  # not a signature format: pyHanko ignores these too
            readable.append(EmbeddedPdfSignature(reader, sig_field, name))
        except Exception as error:  # noqa: BLE001 -- hostile or damaged CMS
            damaged.append((name, error))
    readable.sort(key=lambda sig: sig.signed_revision)
    return readable, damaged


SUBFILTERS = {str(s.value) for s in SigSeedSubFilter}


def _damaged(name, error) -> dict:
    log.info('signature %s could not be read: %s', name, error)
    return {'field': name, 'type': 'signature', 'signer': None, 'issuer': None, 'signed_at': None,
            'timestamp_at': None, 'timestamp_authority': None, 'intact': False, 'trusted': False,
            'revoked': False, 'revoked_at': None, 'covers_whole_file': False, 'modified_after_signing': None,
            'modification_level': None, 'changes': '', 'level': None, 'locks': None,
            'changes_after': [{'kind': 'signature_damaged', 'fields': [name], 'revision': None, 'by': None}],
            'errors': [f'the signature could not be checked: {error}']}


def _made_in(embedded) -> dict:
    made = {}
    for sig in embedded:
        try:
            made[sig.signed_revision] = (sig.field_name, sig.sig_object_type)
        except Exception:  # noqa: BLE001 -- a signature without a readable revision made nothing
            continue
    return made


def _locks_everything(sig) -> bool:
    """FieldMDP /All or DocMDP /P 1 -- or, for documents issued before locks were written, the
    organisation's seal and an attachment's signature, which this system never lets anything follow."""
    if sig.field_name in (later_changes.ORGANISATION_FIELD, 'attachment'):
        return True
    try:
        field_mdp, doc_mdp = sig.fieldmdp, sig.docmdp_level
    except Exception:  # noqa: BLE001
        return False
    return (field_mdp is not None and field_mdp.action == FieldMDPAction.ALL) or \
        doc_mdp == MDPPerm.NO_CHANGES


def _judge_later_changes(entry, sig, revisions):
    """Name what changed after the signature, and fail it for what it does not allow."""
    try:
        found = revisions.after(sig.signed_revision)
    except Exception as error:  # noqa: BLE001 -- unreadable history: not claimed clean
        log.info('later revisions of %s could not be compared: %s', sig.field_name, error)
        found = [{'kind': 'content', 'fields': [], 'revision': None, 'by': None}]
    locked = entry['type'] == 'signature' and _locks_everything(sig)
    entry['locks'] = 'everything' if locked else None
    if not entry['intact']:
        found.insert(0, {'kind': 'signed_bytes', 'fields': [], 'revision': sig.signed_revision,
                         'by': None})
    bad = later_changes.unexpected(found, locked=locked)
    flagged = any(e.startswith('the document was changed after signing') for e in entry['errors'])
    if flagged and not bad:  # pyHanko saw what the snapshots cannot name: an object replaced
        bad = [{'kind': 'content', 'fields': [], 'revision': None, 'by': None}]
        found.append(bad[0])
    entry['changes_after'] = found
    bad = [c for c in bad if c['kind'] != 'signed_bytes']  # said already: not intact
    if bad and not flagged:
        kinds = ', '.join(sorted({c['kind'] for c in bad}))
        entry['errors'].append(f'the document was changed after signing ({kinds})')


def _fill_signature(entry, sig, roots, revinfo, allow_fetching, reader):
    proof_time = _timestamp_time(sig)
    context = revinfo.context(roots, allow_fetching, moment=proof_time,
                              serials={sig.signer_cert.serial_number})
    ts_context = revinfo.context(roots, allow_fetching, serials=_timestamp_serials(sig))
    status = validate_pdf_signature(sig, signer_validation_context=context,
                                    ts_validation_context=ts_context)
    cert = status.signing_cert
    entry.update(
        signer=cert.subject.human_friendly, issuer=cert.issuer.human_friendly,
        signed_at=_iso(status.signer_reported_dt), intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted), level=_level(sig, reader, status, revinfo))
    entry.update(_signer_names(cert))
    _fill_timestamp(entry, status.timestamp_validity)
    _fill_revocation(entry, status)
    _fill_modifications(entry, status)
    _collect_errors(entry, status)


def _fill_doc_timestamp(entry, sig, roots, revinfo, allow_fetching):
    status = validate_pdf_timestamp(sig, validation_context=revinfo.context(roots, allow_fetching))
    entry.update(type='document_timestamp', intact=bool(status.intact and status.valid),
                 trusted=bool(status.trusted), timestamp_at=_iso(status.timestamp),
                 timestamp_authority=status.signing_cert.subject.human_friendly, level='B-LTA')
    entry.update(timestamp_authority_name=_name_parts(status.signing_cert.subject)['name'],
                 issuer_name=_issuer_name(status.signing_cert))
    _fill_modifications(entry, status)
    _collect_errors(entry, status)


def _fill_timestamp(entry, ts_status):
    if ts_status is None:
        entry['errors'].append('the signature has no timestamp')
        return
    entry['timestamp_at'] = _iso(ts_status.timestamp)
    entry['timestamp_authority'] = ts_status.signing_cert.subject.human_friendly
    entry['timestamp_authority_name'] = _name_parts(ts_status.signing_cert.subject)['name']
    if not (ts_status.intact and ts_status.valid and ts_status.trusted):
        entry['errors'].append('the timestamp is not valid or not trusted')


def _fill_revocation(entry, status):
    details = status.revocation_details
    if details is not None:
        entry['revoked'] = True
        entry['revoked_at'] = _iso(details.revocation_date)


def _fill_modifications(entry, status):
    level = status.modification_level
    entry['covers_whole_file'] = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    entry['modification_level'] = level.name if level is not None else None
    entry['modified_after_signing'] = not entry['covers_whole_file']
    diff = status.diff_result
    fields = sorted(getattr(diff, 'changed_form_fields', ()) or ())
    if fields:
        entry['changes'] = 'form fields filled or signed later: ' + ', '.join(fields)
    elif diff is not None and not hasattr(diff, 'changed_form_fields'):
        entry['changes'] = str(diff)


def _collect_errors(entry, status):
    errors = entry['errors']
    if not entry['intact']:
        # what matters is the tampering; the certificate was not what failed
        errors.append('the signed bytes were changed or the signature is broken')
    elif entry['revoked']:
        errors.append('the certificate was revoked before signing')
    elif not entry['trusted']:
        errors.append('the certificate does not chain to a trusted root')
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE,
                               SignatureCoverageLevel.ENTIRE_REVISION):
        errors.append('the signature does not cover its whole revision')
    level = status.modification_level
    if level is not None and level not in ACCEPTABLE_CHANGES:
        errors.append(f'the document was changed after signing ({entry["changes"] or level.name})')
    elif getattr(status, 'docmdp_ok', None) is False:
        errors.append('the document was changed after signing (beyond what its lock permits)')


def _level(sig, reader, status, revinfo) -> str:
    """B-B, B-T, B-LT (the DSS holds revocation data about the signer) or B-LTA.

    The DSS may sit in the signature's own revision (validation data gathered
    before signing, so that the signature covers the whole file) or in a later
    one; only what the document itself embeds counts, not what the caller passes.
    """
    if status.timestamp_validity is None:
        return 'B-B'
    if not revinfo.embedded_for(sig.signer_cert):
        return 'B-T'
    later_doc_ts = any(other.sig_object_type == '/DocTimeStamp'
                       and other.signed_revision > sig.signed_revision
                       for other in reader.embedded_signatures)
    return 'B-LTA' if later_doc_ts else 'B-LT'


def _timestamp_time(sig) -> dt.datetime | None:
    """The time the signature timestamp proves, read before validating it."""
    token = _timestamp_token(sig)
    if token is None:
        return None
    return token['encap_content_info']['content'].parsed['gen_time'].native


def _timestamp_token(sig):
    """The SignedData of the signature's timestamp token, if any."""
    attrs = sig.signer_info['unsigned_attrs']
    if not isinstance(attrs, cms.CMSAttributes):  # absent (asn1crypto's Void): no time stamp
        return None
    for attr in attrs:  # (never `.native`: it would decode the whole token, certificates and all)
        if attr['type'].native == 'signature_time_stamp_token':
            return attr['values'][0]['content']
    return None


class _RevocationData:
    """CRLs, OCSP responses and certificates from the DSS plus those the caller passes."""

    def __init__(self, reader, crls, ocsps):
        self.crls = [asn1_crl.CertificateList.load(c) for c in crls]
        self.ocsps = [asn1_ocsp.OCSPResponse.load(o) for o in ocsps]
        self.certs = []
        self.dss_crls, self.dss_ocsps = [], []
        try:
            dss = DocumentSecurityStore.read_dss(reader) if '/DSS' in reader.root else None
            if dss is not None:
                self.dss_crls, self.dss_ocsps = _dss_crls(dss), _dss_ocsps(dss)
                self.certs += list(dss.load_certs())
        except Exception:  # a damaged DSS: validate without it
            self.dss_crls, self.dss_ocsps = [], []
        self.crls += self.dss_crls
        self.ocsps += self.dss_ocsps

    def embedded_for(self, cert) -> bool:
        """Whether the document's DSS holds a CRL or OCSP response that speaks about ``cert``."""
        try:
            return (any(_ocsp_serial(o) == cert.serial_number for o in self.dss_ocsps)
                    or any(c['tbs_cert_list']['issuer'] == cert.issuer for c in self.dss_crls))
        except Exception:  # garbled data speaks about nothing
            return False

    def context(self, roots, allow_fetching, moment=None, serials=None) -> ValidationContext:
        # OCSP responses about other certificates make pyhanko-certvalidator
        # fail instead of soft-failing, so pass only those about this signature.
        ocsps = [o for o in self.ocsps if serials is None or _ocsp_serial(o) in serials]
        return ValidationContext(
            trust_roots=roots, other_certs=self.certs, crls=self.crls, ocsps=ocsps,
            allow_fetching=allow_fetching, moment=moment, retroactive_revinfo=True,
            revocation_mode='soft-fail')


def _ocsp_serial(response) -> int | None:
    try:
        basic = response['response_bytes']['response'].parsed
        return basic['tbs_response_data']['responses'][0]['cert_id']['serial_number'].native
    except Exception:
        return None


def _timestamp_serials(sig) -> set[int]:
    """Serial numbers of the certificates carried by the signature's timestamp token."""
    token = _timestamp_token(sig)
    return {cert.chosen.serial_number for cert in token['certificates']} if token else set()


def _dss_crls(dss) -> list:
    return [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]


def _dss_ocsps(dss) -> list:
    return [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]


def _as_asn1(certificate) -> asn1_x509.Certificate:
    if isinstance(certificate, asn1_x509.Certificate):
        return certificate
    if isinstance(certificate, x509.Certificate):
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    if isinstance(certificate, bytes) and certificate.startswith(b'-----'):
        certificate = x509.load_pem_x509_certificate(certificate).public_bytes(
            serialization.Encoding.DER)
    return asn1_x509.Certificate.load(certificate)


def _signer_names(cert) -> dict:
    """The signer as people name them: CN, title and O of the subject, the issuer's CN, the serial (hex)."""
    subject = _name_parts(cert.subject)
    return {'signer_name': subject['name'], 'signer_title': subject['title'],
            'signer_organisation': subject['organisation'],
            'issuer_name': _issuer_name(cert),
            'signer_serial': format(cert.serial_number, 'x')}


def _issuer_name(cert) -> str | None:
    issuer = _name_parts(cert.issuer)
    return issuer['name'] or issuer['organisation']


def _name_parts(name) -> dict:
    """CN, title and O of an X.509 name (the first value of each), or None for those it lacks."""
    try:
        parts = name.native
    except Exception:  # an undecodable name has no parts worth showing
        parts = {}
    parts = parts if isinstance(parts, dict) else {}

    def first(key):
        value = parts.get(key)
        value = value[0] if isinstance(value, list) and value else value
        return (str(value).strip() or None) if value else None

    return {'name': first('common_name'), 'title': first('title'), 'organisation': first('organization_name')}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None
