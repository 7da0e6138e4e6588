"""PAdES signing: every signature is ETSI.CAdES.detached with a trusted timestamp.

B-T always; B-LT when ``embed_validation_info``; B-LTA by a later
:func:`archive_timestamp`.  Everything is written as incremental updates that
only add or fill form fields, so earlier signatures stay valid.

Locks.  A signature may lock form fields (:class:`FieldLock`): the fields it
names get a FieldMDP ``/Lock`` on the signature field, so that validators
(pyHanko, Acrobat) flag any later change to them, and a lock on everything also
sets the PDF 2.0 ``/P`` 1 (no changes at all; validation data and document time
stamps stay allowed, as ISO 32000-2 and PAdES permit).

Validation data is given either as a ``ValidationContext`` or as a function of
the document's bytes returning one (:data:`ValidationData`), so that the
revocation data embedded at each step is made for that step, after every time
stamp already in the document.

Validation data (certificates, CRLs, OCSP responses) is gathered *before*
signing and written into the document security store (DSS) in the same
revision as the signature, never in an update after it: the new signature (or
document timestamp) then covers the whole file, as independent validators such
as poppler's ``pdfsig`` expect of the last signature.  The DSS gets the data for
the new signer and its timestamp authority and also for every signature
already in the document (its signer and its timestamp's authority), so that
an earlier B-T signature reaches B-LT too.

Speed: the container size is reserved up front (no dry-run signature), keys
come pre-parsed from the key store, stamps use the prepared font (embedded
whole, never re-subset), and an HTTP timestamper posts over a kept-alive
connection instead of building an aiohttp session per request (:mod:`.tsa`).
"""

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

import aiohttp
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import attributes, signers
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.general import as_signing_certificate_v2, extract_certificate_info, simple_cms_attribute
from pyhanko.sign.signers.pdf_signer import (
    DSSContentSettings,
    PdfTimeStamper,
    SigDSSPlacementPreference,
    TimestampDSSContentSettings,
)
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from . import acroform, placement
from .appearance import INVISIBLE, Appearance
from .errors import NotAPdf, TimestampUnavailable
from .placement import Box, Placement
from .timestamps import keep_alive

log = logging.getLogger(__name__)

ValidationData = ValidationContext | Callable[[bytes], ValidationContext]

DOC_TIMESTAMP_FIELD = 'doc-timestamp'  # document time stamps are doc-timestamp-1, -2, ...
CONTAINER_BASE_BYTES = 10_000
TIMESTAMP_BYTES_RESERVED = 8_000


@dataclass(frozen=True)
class FieldToAdd:
    """A form field to create inside the signed revision (see :mod:`.acroform`)."""

    name: str
    placement: Placement
    kind: str = 'text'  # 'text' or 'signature'
    font_size: float = 13
    lock: 'FieldLock | None' = None  # for a signature field: what signing it will lock


@dataclass(frozen=True)
class FieldLock:
    """What a signature locks: every form field (and then no change at all), or every field that
    exists when it signs except ``spared`` (those a later step is meant to fill)."""

    everything: bool = False
    spared: tuple[str, ...] = ()

    def field_mdp(self, existing_fields) -> sig_fields.FieldMDPSpec:
        if self.everything:
            return sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.ALL)
        return sig_fields.FieldMDPSpec(sig_fields.FieldMDPAction.INCLUDE,
                                       fields=[f for f in existing_fields if f not in self.spared])

    @property
    def doc_mdp(self) -> sig_fields.MDPPerm | None:
        return sig_fields.MDPPerm.NO_CHANGES if self.everything else None

    def dictionary(self, existing_fields) -> generic.DictionaryObject:
        """The ``/Lock`` dictionary of a signature field."""
        lock = self.field_mdp(existing_fields).as_sig_field_lock()
        if self.doc_mdp is not None:
            lock['/P'] = generic.NumberObject(self.doc_mdp.value)
        return lock


LOCK_EVERYTHING = FieldLock(everything=True)


def context_for(validation_data: ValidationData | None, pdf_bytes: bytes) -> ValidationContext | None:
    """The validation context for a step on ``pdf_bytes`` (made now, when given as a function)."""
    if validation_data is None or isinstance(validation_data, ValidationContext):
        return validation_data
    return validation_data(pdf_bytes)


def sign_pdf(pdf_bytes: bytes, signer: signers.Signer, *, field_name: str,
             box: Box | None = None, page: int = 0, appearance: Appearance = INVISIBLE,
             timestamper: TimeStamper | None,
             validation_context: ValidationContext | None = None,
             embed_validation_info: bool = False,
             add_fields: tuple[FieldToAdd, ...] = (), fill_fields: dict[str, str] | None = None,
             lock: FieldLock | None = None,
             reason: str | None = None, location: str | None = None) -> bytes:
    """Sign ``pdf_bytes`` in field ``field_name`` and return the new PDF.

    The field is created at ``page``/``box`` unless it already exists (then it is
    filled).  ``add_fields`` are created and ``fill_fields`` filled in the same
    revision, before signing; then ``lock`` is set on the field (see
    :class:`FieldLock`; a field that already carries a lock keeps it).  With
    ``embed_validation_info`` the validation
    data for this signature and for every earlier one also goes into that
    revision (see the module docstring), drawn from ``validation_context`` (its
    CRLs and OCSP responses, and whatever it may fetch).  Raises
    TimestampUnavailable rather than sign without a timestamp.
    """
    if timestamper is None:
        raise TimestampUnavailable('no timestamp authority configured')
    if not embed_validation_info:
        validation_context = None  # given to pyHanko, it would insist on validating the signer
    writer = open_for_update(pdf_bytes)
    _direct_page_lookup(writer, pdf_bytes)
    _prepare_fields(writer, add_fields, fill_fields)
    new_field = _field_spec(writer, field_name, box, page, lock)
    if new_field is None and lock is not None:
        _lock_existing_field(writer, field_name, lock)
    if embed_validation_info and validation_context is not None:
        embed_earlier_validation_info(writer, validation_context,
                                      embed_roots=signer.embed_roots)
    pdf_signer = signers.PdfSigner(
        _metadata(field_name, validation_context, embed_validation_info, reason, location,
                  lock.doc_mdp if lock and lock.doc_mdp else sig_fields.MDPPerm.FILL_FORMS),
        signer=_with_encoded_certificate_attribute(signer), timestamper=keep_alive(timestamper),
        stamp_style=appearance.style,
        new_field_spec=new_field,
    )
    with _timestamp_errors():
        output = pdf_signer.sign_pdf(writer, bytes_reserved=_reserved_bytes(signer),
                                     appearance_text_params=appearance.text_params or None)
    return output.getvalue()


def archive_timestamp(pdf_bytes: bytes, timestamper: TimeStamper | None,
                      validation_context: ValidationData) -> bytes:
    """Add validation data and a document timestamp (PAdES B-LTA).

    The validation data (revocation data for every signature in the document
    and for the timestamp authority, made now -- after every time stamp in the
    document -- when ``validation_context`` is a function of the bytes) goes
    into the same revision as the document timestamp, which therefore covers
    the whole file.
    """
    if timestamper is None:
        raise TimestampUnavailable('no timestamp authority configured')
    validation_context = context_for(validation_context, pdf_bytes)
    writer = open_for_update(pdf_bytes)
    timestamper = keep_alive(timestamper)
    with _timestamp_errors():
        embed_earlier_validation_info(writer, validation_context)
        output = PdfTimeStamper(timestamper, field_name=_free_name(writer, DOC_TIMESTAMP_FIELD)).timestamp_pdf(
            writer, 'sha256', validation_context=validation_context,
            bytes_reserved=TIMESTAMP_BYTES_RESERVED, dss_settings=_DSS_BEFORE_TIMESTAMP)
    return output.getvalue()


def embed_earlier_validation_info(writer: IncrementalPdfFileWriter,
                                  validation_context: ValidationContext, *,
                                  embed_roots: bool = True) -> None:
    """Put into ``writer``'s DSS the validation data of every signature already in the document.

    For each signature and document timestamp: the signer's chain and its
    timestamp authority's, with the revocation data the context holds or
    fetches for them (the app's context holds the current CRL and fetches
    nothing).  A certificate that no longer validates (revoked since it signed,
    expired, foreign) still gets its certificates and whatever revocation data
    was found -- a CRL showing a revocation after the signing time is what a
    later validator needs -- and never stops the new signature.
    """
    try:
        signed_datas = [signed for signature in writer.prev.embedded_signatures
                        for signed in _signed_data_and_timestamps(signature)]
    except Exception as error:  # noqa: BLE001 -- a damaged earlier signature: nothing to add
        log.info('earlier signatures could not be read for validation data: %s', error)
        return
    if not signed_datas:
        return
    paths, certs = _run(_collect(signed_datas, validation_context), validation_context)
    DocumentSecurityStore.supply_dss_in_writer(
        writer, None, certs=certs, paths=paths, validation_context=validation_context,
        embed_roots=embed_roots)


def certificates_in_signatures(pdf_bytes: bytes) -> list[asn1_x509.Certificate]:
    """The signers' certificates of every signature and document time stamp in the document, and
    those of their time stamps' authorities (what validation data must speak about)."""
    if b'/ByteRange' not in pdf_bytes:  # never signed: nothing to parse the document for
        return []
    try:
        reader = open_for_update(pdf_bytes).prev
        signed_datas = [signed for signature in reader.embedded_signatures
                        for signed in _signed_data_and_timestamps(signature)]
    except Exception:  # noqa: BLE001 -- unreadable: nothing to speak about
        return []
    found = {}
    for signed_data in signed_datas:
        try:
            info = extract_certificate_info(signed_data)
        except Exception:  # noqa: BLE001
            continue
        for cert in (info.signer_cert, *info.other_certs):
            if cert is not None:
                found.setdefault((cert.issuer.dump(), cert.serial_number), cert)
    return list(found.values())


def _signed_data_and_timestamps(signature) -> list:
    """The signature's SignedData and those of its timestamp tokens."""
    signer_info = signature.signer_info
    return [signature.signed_data,
            *(tst for signed in (False, True)
              for tst in extract_tst_data_iter(signer_info, signed=signed))]


async def _collect(signed_datas, validation_context):
    """Validation paths (or, failing validation, the bare certificates) of each signer."""
    paths, certs = [], []
    for signed_data in signed_datas:
        try:
            info = extract_certificate_info(signed_data)
        except Exception:  # noqa: BLE001 -- garbled certificates: nothing to add
            continue
        try:
            validator = CertificateValidator(info.signer_cert,
                                             intermediate_certs=info.other_certs,
                                             validation_context=validation_context)
            paths.append(await validator.async_validate_usage(key_usage=set()))
        except Exception as error:  # noqa: BLE001 -- revoked, expired, untrusted, odd
            log.info('validation data for an earlier signature is incomplete: %s', error)
            certs += [c for c in (info.signer_cert, *info.other_certs) if c is not None]
    return paths, certs


def _run(coroutine, validation_context: ValidationContext):
    """Run ``coroutine``, then close any HTTP session the context opened, in the same loop.

    (What pyHanko's own synchronous entry points do: the context stays usable.)
    """
    async def run_and_release():
        try:
            return await coroutine
        finally:
            await validation_context.aclose()
    return asyncio.run(run_and_release())


# Validation data in the signed revision (no VRI: it would need the finished signature).
_DSS_WITH_SIGNATURE = DSSContentSettings(
    placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False)
_DSS_BEFORE_TIMESTAMP = TimestampDSSContentSettings(update_before_ts=True, include_vri=False)


def _metadata(field_name, validation_context, embed_validation_info, reason, location, docmdp):
    return signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm='sha256', docmdp_permissions=docmdp,
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        embed_validation_info=embed_validation_info, validation_context=validation_context,
        dss_settings=_DSS_WITH_SIGNATURE, reason=reason, location=location,
    )


def _field_spec(writer, field_name, box, page, lock: FieldLock | None = None):
    if box is None or field_name in _signature_field_names(writer):
        return None
    return sig_fields.SigFieldSpec(
        sig_field_name=field_name, on_page=page, box=tuple(box),
        # the new field itself is locked too: its own appearance may not change afterwards
        field_mdp_spec=lock.field_mdp([*form_field_names(writer), field_name]) if lock else None,
        doc_mdp_update_value=lock.doc_mdp if lock else None)


def _lock_existing_field(writer, field_name: str, lock: FieldLock):
    for name, _value, field_ref in sig_fields.enumerate_sig_fields(writer):
        if name != field_name:
            continue
        field = field_ref.get_object()
        if '/Lock' not in field:
            field['/Lock'] = writer.add_object(lock.dictionary(form_field_names(writer)))
            writer.update_container(field)
        return


def form_field_names(writer_or_reader) -> list[str]:
    """Fully qualified names of the terminal form fields (as FieldMDP names them)."""
    try:
        fields = writer_or_reader.root['/AcroForm']['/Fields']
    except (KeyError, TypeError):
        return []
    names, stack = [], [(f, '') for f in fields]
    seen = 0
    while stack and seen < 10_000:  # hostile forms: bounded
        seen += 1
        ref, parent = stack.pop()
        field = ref.get_object()
        if not isinstance(field, generic.DictionaryObject):
            continue
        partial = str(field.get('/T', ''))
        name = f'{parent}.{partial}' if parent and partial else (partial or parent)
        kids = field.get('/Kids')
        named_kids = [k for k in kids if '/T' in k.get_object()] if kids else []
        if named_kids:
            stack.extend((k, name) for k in named_kids)
        elif name:
            names.append(name)
    return sorted(set(names))


def _free_name(writer, stem: str) -> str:
    taken, n = _signature_field_names(writer), 1
    while f'{stem}-{n}' in taken:
        n += 1
    return f'{stem}-{n}'


def _signature_field_names(writer) -> set[str]:
    return {name for name, _, _ in sig_fields.enumerate_sig_fields(writer)}


def _prepare_fields(writer, add_fields, fill_fields):
    for field in add_fields:
        if field.kind == 'signature':
            acroform.add_signature_field(writer, field.name, field.placement)
            if field.lock is not None:
                _lock_existing_field(writer, field.name, field.lock)
        else:
            acroform.add_text_field(writer, field.name, field.placement, field.font_size)
    if fill_fields:
        acroform.fill_text_fields(writer, fill_fields)


def _reserved_bytes(signer: signers.Signer) -> int:
    """Room for the CMS container: chain + signature + timestamp token, with margin."""
    certificates = [signer.signing_cert, *signer.cert_registry]
    size = CONTAINER_BASE_BYTES + sum(len(c.dump()) for c in certificates)
    return size + size % 2  # pyHanko wants an even number


def _direct_page_lookup(writer: IncrementalPdfFileWriter, pdf_bytes: bytes):
    """Find pages by the object numbers placement already knows, not by walking the tree.

    pyHanko locates page ``n`` (for each new field and for the signature
    widget) by loading every page object before it, e.g. ~8 ms to reach the
    last page of a 50-page document.  When this thread has just parsed the same
    bytes for placement, the page's object number is known: the page is
    fetched directly (and checked to be a page); otherwise pyHanko walks.
    """
    references = placement.known_page_references(pdf_bytes)
    if references is None:
        return
    walk = writer.find_page_for_modification

    def find_page_for_modification(page_ix):
        if 0 <= page_ix < len(references):
            found = _page_and_resources(writer, *references[page_ix])
            if found is not None:
                return found
        return walk(page_ix)

    writer.find_page_for_modification = find_page_for_modification


def _page_and_resources(writer, idnum: int, generation: int):
    page_ref = generic.IndirectObject(idnum, generation, writer.prev)
    try:
        node = page = page_ref.get_object()
    except Exception:
        return None
    if not isinstance(page, generic.DictionaryObject) or page.get('/Type') != '/Page':
        return None
    for _ in range(64):  # inherited /Resources, as pyHanko's walk would find them
        if '/Resources' in node:
            return page_ref, node.raw_get('/Resources')
        node = node.get('/Parent')
        if not isinstance(node, generic.DictionaryObject):
            break
    return page_ref, generic.DictionaryObject()


def _with_encoded_certificate_attribute(signer: signers.Signer) -> signers.Signer:
    """``signer``, but with its signing-certificate-v2 attribute encoded once, not per signature.

    asn1crypto rebuilds that attribute (a hash of the certificate plus its
    issuer's name) from Python values every time and then re-encodes the name
    part by part: ~5 ms of every signature.  The view below signs with the same
    key and certificates and asks pyHanko for the same attributes, except that
    this one is parsed from DER encoded once per certificate.  Only applied to
    in-memory keys (PKCS#11 signers are left as they are).
    """
    if not isinstance(signer, signers.SimpleSigner) or signer.signing_cert is None \
            or signer.signed_attr_prov_spec is not None:
        return signer
    try:
        return _signer_views[signer]
    except KeyError:
        view = _signer_views[signer] = _EncodedAttributeSigner(signer)
        return view


_signer_views: 'weakref.WeakKeyDictionary[signers.Signer, signers.Signer]' = \
    weakref.WeakKeyDictionary()


class _EncodedAttributeSigner(signers.Signer):
    def __init__(self, inner: signers.Signer):
        super().__init__(prefer_pss=inner.prefer_pss, embed_roots=inner.embed_roots,
                         signature_mechanism=inner.signature_mechanism,
                         signing_cert=inner.signing_cert, cert_registry=inner.cert_registry,
                         attribute_certs=inner.attribute_certs)
        self.unsigned_attr_prov_spec = inner.unsigned_attr_prov_spec
        self._inner = inner

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        return await self._inner.async_sign_raw(data, digest_algorithm, dry_run=dry_run)

    # pyHanko 0.38's hook choosing the signed-attribute providers (PAdES: CAdES spec)
    def _signed_attr_provider_spec(self, *args, **kwargs):
        return _EncodedCertificateSpec(super()._signed_attr_provider_spec(*args, **kwargs))


class _EncodedCertificateSpec(attributes.SignedAttributeProviderSpec):
    def __init__(self, inner: attributes.SignedAttributeProviderSpec):
        self._inner = inner

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str):
        for provider in self._inner.signed_attr_providers(data_digest=data_digest,
                                                          digest_algorithm=digest_algorithm):
            if type(provider) is attributes.SigningCertificateV2Provider:
                provider = _EncodedSigningCertificateV2(provider.signing_cert)
            yield provider


class _EncodedSigningCertificateV2(attributes.SigningCertificateV2Provider):
    async def get_attribute(self, dry_run=False) -> cms.CMSAttribute:
        return cms.CMSAttribute.load(_signing_certificate_v2(self.signing_cert.dump()))


@lru_cache(maxsize=256)
def _signing_certificate_v2(certificate_der: bytes) -> bytes:
    certificate = asn1_x509.Certificate.load(certificate_der)
    return simple_cms_attribute('signing_certificate_v2',
                                as_signing_certificate_v2(certificate)).dump()


def open_for_update(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    except Exception as error:
        raise NotAPdf(str(error)) from error
    if writer.security_handler is not None:
        raise NotAPdf('the PDF is encrypted')
    return writer


class _timestamp_errors:
    """Turn a failed timestamp request (anywhere in the exception chain) into TimestampUnavailable."""

    UNREACHABLE = (TimestampRequestError, aiohttp.ClientError, ConnectionError,
                   asyncio.TimeoutError, TimeoutError)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None:
            return False
        cause = error
        while cause is not None:
            if isinstance(cause, self.UNREACHABLE):
                raise TimestampUnavailable(f'timestamp request failed: {cause}') from error
            cause = cause.__cause__ or cause.__context__
        return False
