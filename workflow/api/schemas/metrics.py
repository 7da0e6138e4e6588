"""What the API answers about metrics: paperless rates, indicators, dossiers, trend, dashboard,
the files behind a figure, targets and dossier imports."""
from marshmallow import fields, validate

from ...vocabulary import DIRECTIONS, DOC_TYPE_NAMES, INDICATORS, REASONS
from . import ID, Moment, Schema, one_of

RATE = {'allow_none': True, 'metadata': {'description': 'a fraction: 0.8 = 80 %'}}


class PeriodSchema(Schema):
    from_ = fields.String(data_key='from', attribute='from', required=True, metadata={'format': 'date'})
    to = fields.String(required=True, metadata={'format': 'date'})


class NamedPeriodSchema(PeriodSchema):
    label = fields.String(required=True)


class UnitOfFigureSchema(Schema):
    unit_id = fields.Integer(required=True, **ID)
    code = fields.String()
    name = fields.String()
    level = fields.String()


class PaperlessFigureSchema(Schema):
    closed = fields.Integer(required=True)
    fully_electronic = fields.Integer(required=True)
    rate = fields.Float(required=True, **RATE)
    target = fields.Float(required=True, **RATE)
    gap = fields.Float(allow_none=True)


class PaperlessUnitSchema(PaperlessFigureSchema, UnitOfFigureSchema):
    pass


class ReasonSchema(Schema):
    code = fields.String(required=True, **one_of(REASONS))
    label = fields.String(required=True, metadata={'description': 'in the request language'})
    detail = fields.String()


class NotElectronicSchema(Schema):
    file_id = fields.Integer(required=True, **ID)
    reasons = fields.List(fields.String(**one_of(REASONS)), required=True)
    reason_details = fields.List(fields.Nested(ReasonSchema))


class PaperlessSchema(Schema):
    period = fields.Nested(PeriodSchema)
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(PaperlessFigureSchema), required=True)
    units = fields.List(fields.Nested(PaperlessUnitSchema), required=True)
    not_electronic = fields.List(fields.Nested(NotElectronicSchema), required=True)
    not_electronic_total = fields.Integer()


class IndicatorFigureSchema(Schema):
    closed = fields.Integer(required=True)
    issued = fields.Integer(required=True)
    issued_signed = fields.Integer(required=True)
    signed_rate = fields.Float(required=True, **RATE)
    signed_target = fields.Float(required=True, **RATE)
    with_deadline = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    on_time_rate = fields.Float(required=True, **RATE)
    median_handling_seconds = fields.Float(required=True, allow_none=True)
    median_handling_days = fields.Float(required=True, allow_none=True)
    median_handling_approx = fields.Boolean(required=True, metadata={
        'description': 'read from the handling-time histogram: approximate to its bucket'})
    overdue_now = fields.Integer(required=True)


class IndicatorUnitSchema(IndicatorFigureSchema, UnitOfFigureSchema):
    pass


class IndicatorsSchema(Schema):
    period = fields.Nested(PeriodSchema)
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(IndicatorFigureSchema), required=True)
    units = fields.List(fields.Nested(IndicatorUnitSchema), required=True)


class DossierFigureSchema(Schema):
    total = fields.Integer(required=True)
    online = fields.Integer(required=True)
    paid_online = fields.Integer(required=True)
    rate = fields.Float(required=True, **RATE)
    target = fields.Float(required=True, **RATE)
    gap = fields.Float(allow_none=True)


class DossierUnitSchema(DossierFigureSchema, UnitOfFigureSchema):
    pass


class DossiersSchema(Schema):
    period = fields.Nested(PeriodSchema)
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(DossierFigureSchema), required=True)
    units = fields.List(fields.Nested(DossierUnitSchema), required=True)


class TrendSeriesSchema(Schema):
    closed = fields.List(fields.Integer())
    fully_electronic = fields.List(fields.Integer())
    rates = fields.List(fields.Float(allow_none=True))
    targets = fields.List(fields.Float(allow_none=True))


class TrendSchema(Schema):
    months = fields.List(fields.String(), required=True, metadata={'description': 'mm/yyyy, oldest first'})
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(TrendSeriesSchema), required=True)


class DashboardSchema(Schema):
    period = fields.Nested(NamedPeriodSchema, required=True)
    paperless = fields.Nested(PaperlessSchema, required=True)
    indicators = fields.Nested(IndicatorsSchema, required=True)
    trend = fields.Nested(TrendSchema, required=True)
    dossiers = fields.Nested(DossiersSchema, required=True)
    charts = fields.Dict(metadata={'description': 'what the charts draw: percentages, labels in the request '
                                                  'language, the units ranked by rate'})


class MetricsFileSchema(Schema):
    file_id = fields.Integer(required=True, **ID)
    title = fields.String(allow_none=True, metadata={
        'description': 'null for a file the caller may not open (it still counts in the figures)'})
    visible = fields.Boolean(metadata={'description': 'whether the caller may open the file'})
    number = fields.String()
    doc_type = fields.String(**one_of(DOC_TYPE_NAMES))
    direction = fields.String(**one_of(DIRECTIONS))
    unit_id = fields.Integer(**ID)
    unit_name = fields.String()
    level = fields.String()
    created_at = Moment(allow_none=True)
    closed_at = Moment(allow_none=True)
    deadline = Moment(allow_none=True)
    fully_electronic = fields.Boolean(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class MetricsFilesSchema(Schema):
    period = fields.Nested(PeriodSchema)
    total = fields.Integer(required=True)
    files = fields.List(fields.Nested(MetricsFileSchema), required=True)


class TargetSchema(Schema):
    id = fields.Integer(required=True, **ID)
    level = fields.String(required=True, attribute='level_code')
    year = fields.Integer(required=True)
    indicator = fields.String(required=True, **one_of(INDICATORS))
    value = fields.Float(required=True, validate=validate.Range(0, 1),
                         metadata={'description': 'a fraction: 0.8 = 80 %'})


class TargetsSchema(Schema):
    indicators = fields.List(fields.String(**one_of(INDICATORS)))
    targets = fields.List(fields.Nested(TargetSchema), required=True)


class SeededTargetsSchema(Schema):
    added = fields.Integer(required=True)
    targets = fields.List(fields.Nested(TargetSchema), required=True)


class DossierImportSchema(Schema):
    import_id = fields.Integer(attribute='id', required=True, **ID)
    rows = fields.Integer(attribute='row_count', required=True)
    replaced = fields.Integer(required=True)
