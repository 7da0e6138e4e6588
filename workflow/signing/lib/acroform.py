"""Form fields that let later steps write on a signed document without breaking it.

A signature covers the revision it was made on.  After that, an incremental
update may only fill form fields or add signatures (pyHanko's difference
analysis rates this FORM_FILLING); new page content would void the earlier
signature.  So the first signing adds, inside its own signed revision:

* empty text fields over the blanks for the number ("Số:    /QĐ-UBND") and the
  date ("ngày    tháng    năm"), and
* an empty signature field for the organisation, where the seal will go.

At issuance the clerk's update only fills those fields.  A filled blank is drawn
at the document's own size: the field box spans the line's font height and
the value is set at the line's font size on the line's baseline, centred in
the blank (Liberation Serif, Times metrics, for digits; DejaVu Serif for
anything Liberation lacks).
"""

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sig_fields

from . import fonts
from .errors import FieldNotFound
from .placement import Placement, field_baseline

PRINT_FLAG = 4
CENTRED = 1


def add_text_field(writer: IncrementalPdfFileWriter, name: str, placement: Placement,
                   font_size: float):
    """An empty, printable single-line text field with a blank appearance."""
    page_ref = writer.find_page_for_modification(placement.page)[0]
    form = _acroform(writer)
    widget = generic.DictionaryObject({
        pdf_name('/FT'): pdf_name('/Tx'), pdf_name('/T'): pdf_string(name),
        pdf_name('/Type'): pdf_name('/Annot'), pdf_name('/Subtype'): pdf_name('/Widget'),
        pdf_name('/F'): generic.NumberObject(PRINT_FLAG),
        pdf_name('/Rect'): generic.ArrayObject(generic.FloatObject(v) for v in placement.box),
        pdf_name('/P'): page_ref,
        pdf_name('/Q'): generic.NumberObject(CENTRED),
        pdf_name('/DA'): pdf_string(f'/Helv {font_size:g} Tf 0 g'),
    })
    widget_ref = writer.add_object(widget)
    widget['/AP'] = generic.DictionaryObject({pdf_name('/N'): _blank_appearance(writer, placement)})
    form['/Fields'].append(widget_ref)
    writer.update_container(form['/Fields'])
    writer.register_annotation(page_ref, widget_ref)


def add_signature_field(writer: IncrementalPdfFileWriter, name: str, placement: Placement):
    """An empty visible signature field, to be signed later (e.g. by the organisation)."""
    spec = sig_fields.SigFieldSpec(sig_field_name=name, on_page=placement.page,
                                   box=placement.box, empty_field_appearance=False)
    sig_fields.append_signature_field(writer, spec)


def fill_text_fields(writer: IncrementalPdfFileWriter, values: dict[str, str]) -> list[str]:
    """Set value and appearance of the named text fields; returns the names filled."""
    by_name = {str(f.get_object().get('/T')): f for f in _fields(writer)}
    missing = [name for name in values if name not in by_name]
    if missing:
        raise FieldNotFound(f'no text field named {", ".join(missing)}')
    for name, value in values.items():
        _fill(writer, by_name[name], value)
    return list(values)


def text_field_names(writer_or_reader) -> list[str]:
    return [str(f.get_object().get('/T')) for f in _fields(writer_or_reader)
            if f.get_object().get('/FT') == '/Tx']


def _fill(writer, field_ref, value: str):
    field = field_ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in field['/Rect'])
    field['/V'] = pdf_string(value)
    field['/AP'] = generic.DictionaryObject({pdf_name('/N'): _value_appearance(
        writer, value, abs(x2 - x1), abs(y2 - y1), _font_size(field))})
    writer.update_container(field)


def _value_appearance(writer, value: str, width: float, height: float, size: float):
    """The filled blank: ``value`` centred, at ``size`` on the line's baseline, no frame.

    Only shrunk if it would not fit the blank's width (a number of 4+ digits).
    """
    name = fonts.times_or_dejavu(value)
    natural = fonts.stamp_text_width(value, size, name)
    if natural > width:
        size = size * width / natural
    engine = fonts.SerifFont(name=name, font_size=size).create_font_engine(writer)
    shaped = engine.shape(value)
    x = (width - fonts.stamp_text_width(value, size, name)) / 2
    y = field_baseline(height, size)
    content = b'/Tx BMC q BT /F1 %s Tf 1 0 0 1 %s %s Tm %s ET Q EMC' % (
        _num(size), _num(x), _num(y), shaped.graphics_ops)
    stream = generic.StreamObject({
        pdf_name('/Type'): pdf_name('/XObject'), pdf_name('/Subtype'): pdf_name('/Form'),
        pdf_name('/BBox'): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height)),
        pdf_name('/Resources'): generic.DictionaryObject({
            pdf_name('/Font'): generic.DictionaryObject({pdf_name('/F1'): engine.as_resource()})}),
    }, stream_data=content)
    return writer.add_object(stream)


def _num(value: float) -> bytes:
    return (b'%.3f' % value).rstrip(b'0').rstrip(b'.')


def _font_size(field) -> float:
    parts = str(field.get('/DA', '/Helv 12 Tf')).split()
    return float(parts[parts.index('Tf') - 1]) if 'Tf' in parts else 12.0


def _blank_appearance(writer, placement: Placement):
    stream = generic.StreamObject({
        pdf_name('/Type'): pdf_name('/XObject'), pdf_name('/Subtype'): pdf_name('/Form'),
        pdf_name('/BBox'): generic.ArrayObject(
            generic.FloatObject(v) for v in (0, 0, placement.width, placement.height)),
    }, stream_data=b'')
    return writer.add_object(stream)


def _acroform(writer) -> generic.DictionaryObject:
    root = writer.root
    if '/AcroForm' not in root:
        form = generic.DictionaryObject({pdf_name('/Fields'): generic.ArrayObject()})
        root[pdf_name('/AcroForm')] = writer.add_object(form)
        writer.update_root()
    form = root['/AcroForm']
    if '/DR' not in form:
        form[pdf_name('/DR')] = generic.DictionaryObject({pdf_name('/Font'): generic.DictionaryObject({
            pdf_name('/Helv'): generic.DictionaryObject({
                pdf_name('/Type'): pdf_name('/Font'), pdf_name('/Subtype'): pdf_name('/Type1'),
                pdf_name('/BaseFont'): pdf_name('/Helvetica'),
                pdf_name('/Encoding'): pdf_name('/WinAnsiEncoding')})})})
        _update_form(writer, root)
    return form


def _update_form(writer, root):
    raw = root.raw_get('/AcroForm')
    if isinstance(raw, generic.IndirectObject):
        writer.update_container(raw.get_object())
    else:
        writer.update_root()


def _fields(pdf) -> list:
    if '/AcroForm' not in pdf.root:
        return []
    return list(pdf.root['/AcroForm'].get('/Fields', []))
