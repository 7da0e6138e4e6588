"""What changed in a document after a signature, named in the domain's words.

pyHanko's difference analysis says *whether* a later revision is acceptable
(and enforces FieldMDP locks); this module says *what* each later revision did,
so that a report can tell people "the number and date were filled in again
after issuance" rather than "unexplained xrefs in revision 3".  It compares
plain snapshots of consecutive revisions: the pages (their content streams and
annotations), the form fields (value and appearance) and the DSS.

Each change is ``{'kind': K, 'fields': [...], 'revision': n, 'by': field or None}``
where ``by`` names the signature or document time stamp made in that revision.
Kinds, and whether they are part of normal work:

=================== ======================================================= ========
kind                what happened                                           allowed
=================== ======================================================= ========
issuance            the seal signed its field and filled the number/date    yes [1]
later_signature     another signature filled its own field                  yes [1]
validation_data     DSS or a document time stamp added                      yes
number_or_date      the issuance blanks changed outside issuance            no
form_field          any other field's value or appearance changed           no
annotation          an annotation added, removed or changed                 no
page                pages added or removed                                  no
content             page content (or an object the analysis cannot name)    no
=================== ======================================================= ========

[1] not after a signature that locks everything (the seal, an attachment's).
``signed_bytes`` and ``signature_damaged`` are named by the validator itself.
"""

import hashlib
from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic

ISSUANCE_BLANKS = frozenset({'issue_number', 'issue_day', 'issue_month', 'issue_year'})
ORGANISATION_FIELD = 'organisation'
ALLOWED = frozenset({'issuance', 'later_signature', 'validation_data'})
ALLOWED_WHEN_LOCKED = frozenset({'validation_data'})
KINDS = ('number_or_date', 'form_field', 'annotation', 'page', 'content', 'signed_bytes',
         'signature_damaged', 'later_signature', 'validation_data', 'issuance')

MAX_PAGES = 2_000     # a hostile page tree is not walked further
MAX_FIELDS = 10_000


@dataclass
class Snapshot:
    pages: list = field(default_factory=list)       # [(contents digest, frozenset of annotation ids)]
    fields: dict = field(default_factory=dict)      # name -> (kind, value, appearance digest, widget ids)
    dss: str = ''
    truncated: bool = False


class Revisions:
    """Snapshots of a reader's revisions, each taken once."""

    def __init__(self, reader, made_in: dict[int, tuple[str, str]]):
        """``made_in``: revision -> (field name, '/Sig' or '/DocTimeStamp') of what was signed there."""
        self.reader, self.made_in, self._snapshots = reader, made_in, {}

    def snapshot(self, revision: int) -> Snapshot:
        if revision not in self._snapshots:
            self._snapshots[revision] = _snapshot(self.reader.get_historical_root(revision))
        return self._snapshots[revision]

    def after(self, signed_revision: int) -> list[dict]:
        """Every change made in the revisions after ``signed_revision``, oldest first."""
        changes = []
        total = self.reader.xrefs.total_revisions
        for revision in range(signed_revision + 1, total):
            changes += self._in_revision(revision)
        return changes

    def _in_revision(self, revision: int) -> list[dict]:
        before, after = self.snapshot(revision - 1), self.snapshot(revision)
        by, by_type = self.made_in.get(revision, (None, None))
        found: dict[str, set] = {}

        def note(kind, name=None):
            found.setdefault(kind, set())
            if name:
                found[kind].add(name)

        if len(before.pages) != len(after.pages):
            note('page')
        widget_ids = {i for f in after.fields.values() for i in f[3]}
        for old, new in zip(before.pages, after.pages, strict=False):
            if old[0] != new[0]:
                note('content')
            if old[1] - new[1] or {a for a in new[1] - old[1] if a not in widget_ids}:
                note('annotation')
        for name in sorted(set(before.fields) | set(after.fields)):
            old, new = before.fields.get(name), after.fields.get(name)
            if old == new:
                continue
            note(_field_change(name, old, new, by, by_type, revision_fields=after.fields), name)
        if before.dss != after.dss or by_type == '/DocTimeStamp':
            note('validation_data')
        if by is not None and by_type == '/Sig' and not found:
            note('later_signature', by)
        if before.truncated or after.truncated:
            note('content')  # too large to name every change: not claimed to be clean
        return [{'kind': kind, 'fields': sorted(names), 'revision': revision, 'by': by}
                for kind, names in found.items()]


def _field_change(name, old, new, by, by_type, revision_fields) -> str:
    if by == name:  # the signature (or document time stamp) of this revision filled its own field
        if by_type == '/DocTimeStamp':
            return 'validation_data'
        return 'issuance' if name == ORGANISATION_FIELD else 'later_signature'
    if new is not None and new[0] == '/Sig' and old is None and new[1] is None and by is not None:
        return 'later_signature'  # an empty signature field prepared by a signature's revision
    if name in ISSUANCE_BLANKS:
        if by == ORGANISATION_FIELD and (old is None or not old[1]):
            return 'issuance'  # the blanks filled once, in the seal's own revision
        return 'number_or_date'
    return 'form_field'


def _snapshot(root) -> Snapshot:
    snap = Snapshot()
    try:
        snap.pages = _pages(root.get('/Pages'), snap)
    except Exception:  # noqa: BLE001 -- a broken page tree is a change we cannot name
        snap.truncated = True
    try:
        snap.fields = _fields(root.get('/AcroForm'), snap)
    except Exception:  # noqa: BLE001
        snap.truncated = True
    try:
        snap.dss = _digest(root.get('/DSS')) if '/DSS' in root else ''
    except Exception:  # noqa: BLE001
        snap.dss = 'unreadable'
    return snap


def _pages(node, snap) -> list:
    pages, stack = [], [node]
    while stack:
        if len(pages) >= MAX_PAGES:
            snap.truncated = True
            break
        node = _resolve(stack.pop())
        if not isinstance(node, generic.DictionaryObject):
            continue
        if node.get('/Type') == '/Pages' or '/Kids' in node:
            stack.extend(reversed(list(node.get('/Kids') or [])))
            continue
        annots = node.get('/Annots') or []
        pages.append((_digest(node.get('/Contents')), frozenset(_ident(a) for a in _resolve(annots))))
    return pages


def _fields(form, snap) -> dict:
    fields = {}
    form = _resolve(form)
    if not isinstance(form, generic.DictionaryObject):
        return fields
    stack = [(ref, '', None) for ref in (_resolve(form.get('/Fields')) or [])]
    while stack:
        if len(fields) >= MAX_FIELDS:
            snap.truncated = True
            break
        ref, parent, inherited_type = stack.pop()
        node = _resolve(ref)
        if not isinstance(node, generic.DictionaryObject):
            continue
        partial = str(node.get('/T', ''))
        name = f'{parent}.{partial}' if parent and partial else (partial or parent)
        kind = node.get('/FT', inherited_type)
        kids = [k for k in (node.get('/Kids') or [])]
        named = [k for k in kids if '/T' in _resolve(k)]
        if named:
            stack.extend((k, name, kind) for k in named)
            continue
        widgets = kids or [ref]
        value = node.get('/V')
        fields[name] = (str(kind), _value(value, kind),
                        tuple(_appearance(_resolve(w)) for w in widgets),
                        frozenset(_ident(w) for w in widgets))
    return fields


def _value(value, kind):
    if value is None:
        return None
    if kind == '/Sig':
        return _ident(value)  # which signature dictionary fills it
    return str(_resolve(value))


def _appearance(widget) -> tuple:
    if not isinstance(widget, generic.DictionaryObject):
        return ()
    rect = tuple(round(float(v), 2) for v in (widget.get('/Rect') or ()))
    return rect, _digest(widget.get('/AP')), str(widget.get('/F', ''))


def _digest(obj, depth=0) -> str:
    """A digest of an object as stored: streams by their encoded bytes, containers recursively."""
    sha = hashlib.sha256()
    _feed(sha, obj, depth, set())
    return sha.hexdigest()[:16]


def _feed(sha, obj, depth, seen):
    if depth > 12:
        return
    if isinstance(obj, generic.IndirectObject):
        key = (obj.idnum, obj.generation)
        if key in seen:
            sha.update(b'@%d' % obj.idnum)
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, generic.StreamObject):
        sha.update(b'S' + obj.encoded_data)
        obj = generic.DictionaryObject({k: v for k, v in obj.items() if k != '/Length'})
    if isinstance(obj, generic.DictionaryObject):
        for key in sorted(obj.keys()):
            if key == '/Parent' or key == '/P':
                continue
            sha.update(b'K' + str(key).encode())
            _feed(sha, obj.raw_get(key), depth + 1, seen)
    elif isinstance(obj, generic.ArrayObject):
        sha.update(b'[')
        for item in obj:
            _feed(sha, item, depth + 1, seen)
        sha.update(b']')
    else:
        sha.update(b'V' + repr(obj).encode())


def _ident(ref):
    return (ref.idnum, ref.generation) if isinstance(ref, generic.IndirectObject) else id(ref)


def _resolve(obj):
    return obj.get_object() if isinstance(obj, generic.IndirectObject) else obj


def unexpected(changes: list[dict], *, locked: bool) -> list[dict]:
    """The changes a signature does not allow (after one that locks everything, only validation data)."""
    allowed = ALLOWED_WHEN_LOCKED if locked else ALLOWED
    return [c for c in changes if c['kind'] not in allowed]
