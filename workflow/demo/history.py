"""Three years of work files (2023–2025), built only through the service layer (files.operations).

A plan says what happens to one file (and, for an issued document, to each recipient's copy);
a story is the generator that plays it out on the Timeline, one operation per moment, under
`timeutil.clock_at`. Paper — scanned originals, steps done on paper — is common in 2023 and rare
by 2025, the district's progress the metrics will show.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..deadlines import add_working_days, end_of_day, is_working_day
from ..errors import BadInput
from ..files.operations import (
    add_document,
    assign_file,
    complete_file,
    create_file,
    forward_file,
    issue_file,
    refuse_file,
    register_file,
    register_paper_document,
    reopen_file,
    return_file,
    sign_document,
    start_handling,
)
from ..files.search import fold
from ..timeutil import VN, now, vn, vn_today
from . import catalogue as cat
from .documents import ANNEX, COMMUNE_DRAFT, DISTRICT_DRAFT, PAPER_SCAN, pdf_upload
from .keys import DEMO_PIN
from .organisation import DISTRICT_NAME
from .timeline import Timeline, later, office_moment

FIRST_DAY = date(2023, 1, 3)
LAST_START = date(2025, 12, 24)  # random stories begin by then; the fixed ones fill the last weeks
HORIZON = datetime(2025, 12, 31, 17, 0, tzinfo=VN)

# Chance that a step is done on paper, by year: the district's progress towards paperless work.
PAPER_STEP = {2023: 0.30, 2024: 0.14, 2025: 0.04}
PAPER_DRAFT = {2023: 0.12, 2024: 0.05, 2025: 0.01}
ON_TIME = {2023: 0.70, 2024: 0.80, 2025: 0.90}
# Documents that came in on paper from outside the system are mostly early ones.
PAPER_YEAR_WEIGHTS = ((2023, 0.55), (2024, 0.30), (2025, 0.15))
KIND_WEIGHTS = (('district_outgoing', 30), ('commune_outgoing', 24), ('district_internal', 12),
                ('commune_internal', 8), ('paper_district', 9), ('paper_commune', 13))
URGENCY_WEIGHTS = (('normal', 80), ('urgent', 12), ('very_urgent', 5), ('flash', 3))
RECIPIENT_COUNTS = (1, 1, 2, 3, 4, 6, 10)


@dataclass
class Receipt:
    """What happens to one recipient's copy of an issued document."""
    stop: str | None = None  # None: handled to the end; else the status it stays in
    reply: bool = False  # the handler answers with a report of its own


@dataclass
class Plan:
    kind: str
    template: cat.Template
    start: datetime = None
    commune: object = None  # the commune acting (commune_* and paper_commune)
    recipients: list = field(default_factory=list)  # [(Commune, Receipt)]
    stop: str | None = None
    returned: bool = False
    urgency: str = 'normal'
    sender: str = ''
    sender_number: str = ''
    receipt: Receipt = field(default_factory=Receipt)  # paper documents: how the unit handles them

    @property
    def cost(self):
        """How many work files the plan creates."""
        if self.kind == 'district_outgoing' and self.stop is None:
            return 1 + sum(3 if r.reply else 1 for _c, r in self.recipients)
        if self.kind == 'commune_outgoing' and self.stop is None:
            return 2
        return 1


def _template(pool, prefix):
    return next(t for t in pool if t.title.startswith(prefix))


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class History:
    def __init__(self, org, people, rng):
        self.org, self.people, self.rng = org, people, rng
        self.timeline = Timeline(HORIZON)
        self.paper_steps = 0

    # ------------------------------------------------------------ planning

    def plan(self, file_count):
        """Plans whose files add up to `file_count`, with start dates in order."""
        fixed = self._fixed_plans()
        budget = file_count - sum(p.cost for p in fixed)
        plans = []
        while budget > 0:
            plan = self._random_plan(budget)
            plans.append(plan)
            budget -= plan.cost
        for plan in plans:
            plan.start = self._start_moment(plan.kind)
        return sorted(plans + fixed, key=lambda p: p.start)

    def _random_plan(self, budget):
        rng = self.rng
        kind = _weighted(rng, KIND_WEIGHTS)
        if kind == 'district_outgoing' and budget < 2:
            kind = 'district_internal'
        if kind == 'commune_outgoing' and budget < 2:
            kind = 'commune_internal'
        pool = {'district_outgoing': cat.DISTRICT_OUTGOING, 'commune_outgoing': cat.COMMUNE_OUTGOING,
                'district_internal': cat.DISTRICT_INTERNAL, 'commune_internal': cat.COMMUNE_INTERNAL}
        plan = Plan(kind=kind, template=None, urgency=_weighted(rng, URGENCY_WEIGHTS),
                    returned=rng.random() < 0.15, commune=rng.choice(self.org.communes))
        if kind in pool:
            plan.template = rng.choice(pool[kind])
        else:
            senders = cat.PAPER_TO_DISTRICT if kind == 'paper_district' else cat.PAPER_TO_COMMUNE
            plan.sender, plan.sender_number, plan.template = rng.choice(senders)
        if kind == 'district_outgoing':
            plan.recipients = self._random_recipients(plan.template, budget - 1)
        return plan

    def _random_recipients(self, template, budget):
        rng = self.rng
        count = min(rng.choice(RECIPIENT_COUNTS), budget)
        recipients = []
        for commune in rng.sample(self.org.communes, count):
            receipt = Receipt(stop='refused' if rng.random() < 0.03 else None)
            receipt.reply = bool(template.reply) and receipt.stop is None and rng.random() < 0.5 and budget >= 3
            budget -= 3 if receipt.reply else 1
            if budget < 0:
                break
            recipients.append((commune, receipt))
        return recipients or [(rng.choice(self.org.communes), Receipt())]

    def _start_moment(self, kind):
        rng = self.rng
        if kind.startswith('paper_'):
            year = _weighted(rng, PAPER_YEAR_WEIGHTS)
            first, last = max(FIRST_DAY, date(year, 1, 2)), min(LAST_START, date(year, 12, 31))
        else:
            first, last = FIRST_DAY, LAST_START
        while True:
            day = first + timedelta(days=rng.randrange((last - first).days + 1))
            if is_working_day(day):
                return office_moment(day, rng)

    def _fixed_plans(self):
        """A few stories placed at the end of 2025, so that every status shows up even in a small demo."""
        org = self.org
        c = {commune.slug: commune for commune in org.communes}
        paper_sender, paper_number, paper_template = cat.PAPER_TO_COMMUNE[0]

        def out(prefix):
            return _template(cat.DISTRICT_OUTGOING, prefix)

        def at(month, day, hour=9):
            return datetime(2025, month, day, hour, 0, tzinfo=VN)

        return [
            Plan('district_outgoing', out('V/v báo cáo kết quả chuyển đổi số'), at(9, 15),
                 recipients=[(c['donghiep'], Receipt(reply=True))]),
            Plan('district_outgoing', out('Thông báo triển khai thu phí'), at(10, 6), recipients=[
                (c['thoihung'], Receipt(stop='refused')), (c['trungan'], Receipt())]),
            Plan('paper_commune', paper_template, at(10, 13), commune=c['donghiep'], sender=paper_sender,
                 sender_number=paper_number),
            Plan('district_outgoing', out('Kế hoạch tổ chức lớp tập huấn'), at(12, 15), recipients=[
                (c['dongthang'], Receipt(stop='delivered')), (c['thanhphu'], Receipt(stop='registered')),
                (c['thoidong'], Receipt(stop='assigned')), (c['thoixuan'], Receipt(stop='in_progress'))]),
            Plan('district_outgoing', out('Kế hoạch chuyển đổi số huyện'), at(12, 16, 10), stop='returned',
                 returned=True, recipients=[(c['codo'], Receipt())]),
            Plan('district_internal', cat.DISTRICT_INTERNAL[0], at(12, 17, 14), stop='in_progress'),
            Plan('commune_outgoing', cat.COMMUNE_OUTGOING[0], at(12, 18, 8), commune=c['donghiep'],
                 stop='awaiting_signature'),
            Plan('district_outgoing', out('Quyết định giao chỉ tiêu'), at(12, 22, 15), stop='draft',
                 recipients=[(c['trunghung'], Receipt())]),
        ]

    # ------------------------------------------------------------ running

    def run(self, plans):
        stories = {'district_outgoing': self.district_outgoing, 'commune_outgoing': self.commune_outgoing,
                   'district_internal': self.district_internal, 'commune_internal': self.commune_internal,
                   'paper_district': self.paper_incoming, 'paper_commune': self.paper_incoming}
        for plan in plans:
            self.timeline.start(stories[plan.kind](plan), plan.start)
        self.timeline.run()

    # ------------------------------------------------------------ small helpers

    def _year(self):
        return vn(now()).year

    def _on_paper(self, unit, factor=1.0):
        """Whether this step is done on paper; communes lag behind the district."""
        chance = PAPER_STEP.get(self._year(), 0.04) * factor * (1.5 if unit.level_code == 'commune' else 1.0)
        on_paper = self.rng.random() < chance
        self.paper_steps += on_paper
        return on_paper

    def _fill(self, text, commune=None):
        today = vn_today()
        first_half = 3 <= today.month <= 8
        report_year = today.year - 1 if today.month <= 2 else today.year
        return text.format(year=today.year, next_year=today.year + 1, month=today.month,
                           quarter=(today.month - 1) // 3 + 1, half='6 tháng đầu năm' if first_half else 'năm',
                           report_year=report_year, place=commune.full_place if commune else '',
                           place_name=commune.place if commune else '')

    def _upload(self, template_pdf, title, author, version=1):
        slug = fold(title).replace('v/v ', '').replace('/', '-')
        slug = ''.join(ch if ch.isalnum() else '-' for ch in slug).strip('-')
        slug = '-'.join(filter(None, slug.split('-')))[:70]
        suffix = f'-v{version}' if version > 1 else ''
        return pdf_upload(template_pdf, title=title, author=author, filename=f'{slug}{suffix}.pdf', version=version)

    def _draft(self, drafter, plan, title, template_pdf, author, summary=''):
        paper = self.rng.random() < PAPER_DRAFT.get(self._year(), 0.01)
        upload = self._upload(PAPER_SCAN if paper else template_pdf, title, author)
        file, _duplicate = create_file(drafter, title=title, doc_type=plan.template.doc_type, upload=upload,
                                       urgency=plan.urgency, summary=summary, paper_origin=paper)
        if plan.template.annex:
            add_document(file, drafter, kind='attachment',
                         upload=self._upload(ANNEX, f'Phụ lục kèm theo {title[:1].lower()}{title[1:]}', author))
        return file

    def _revise(self, file, reviser, title, template_pdf, author):
        add_document(file, reviser, kind='main', upload=self._upload(template_pdf, title, author, version=2))

    def _leader_signs(self, file, leader):
        """The leader signs the main document with their own key (automatic placement under the title,
        or the lower right of the last page when the draft's printed title is someone else's)."""
        try:
            sign_document(file, leader, document=file.main_document, pin=DEMO_PIN)
        except BadInput:
            sign_document(file, leader, document=file.main_document, pin=DEMO_PIN,
                          page=file.main_document.pages - 1, box=(330, 90, 540, 190))

    def _deadline(self):
        days = self.rng.choice((3, 5, 5, 7, 10, 10, 15))
        return end_of_day(add_working_days(vn_today(), days))

    def _finish_moment(self, deadline):
        """When the handler completes: mostly on time, less often late — more on time each year."""
        rng = self.rng
        if rng.random() < ON_TIME.get(self._year(), 0.9):
            span = (deadline - now()).total_seconds()
            moment = now() + timedelta(seconds=span * rng.uniform(0.15, 0.7))
            return later(rng, min_hours=0.1, max_hours=1, start=moment)
        return later(rng, min_hours=4, max_hours=70, start=deadline)

    # ------------------------------------------------------------ stories

    def district_outgoing(self, plan):
        """A department drafts, its head reviews, the UBND leader signs, the clerk issues to communes."""
        rng, district = self.rng, self.people.district
        dept = plan.template.dept
        drafter, head = district.officers[dept], district.heads[dept]
        signer = district.chairman if plan.template.doc_type in ('QĐ', 'CT', 'QC') or rng.random() < 0.4 \
            else district.vice_chairman
        title = self._fill(plan.template.title)
        summary = self._fill(plan.template.summary)
        file = self._draft(drafter, plan, title, DISTRICT_DRAFT, DISTRICT_NAME, summary)
        if plan.stop == 'draft':
            return
        yield later(rng, min_hours=1, max_hours=16)
        forward_file(file, drafter, purpose='handle', to_user=head, note='Kính trình Trưởng phòng xem xét, cho ý kiến.')
        yield later(rng, min_hours=1, max_hours=12)
        forward_file(file, head, purpose='sign', to_user=signer, on_paper=self._on_paper(head.unit),
                     note='Kính trình lãnh đạo UBND huyện xem xét, ký ban hành.')
        if plan.stop == 'awaiting_signature':
            return
        yield later(rng, min_hours=1, max_hours=20)
        if plan.returned:
            return_file(file, signer, note=rng.choice(cat.RETURN_NOTES))
            if plan.stop == 'returned':
                return
            yield later(rng, min_hours=3, max_hours=24)
            self._revise(file, head, title, DISTRICT_DRAFT, DISTRICT_NAME)
            forward_file(file, head, purpose='sign', to_user=signer,
                         note='Đã chỉnh sửa theo ý kiến chỉ đạo, kính trình ký ban hành.')
            yield later(rng, min_hours=1, max_hours=8)
        self._leader_signs(file, signer)
        forward_file(file, signer, purpose='handle', to_user=district.clerk, note='Chuyển Văn thư phát hành.')
        if plan.stop == 'in_progress':
            return
        yield later(rng, min_hours=0.5, max_hours=6)
        deliveries = issue_file(file, district.clerk, recipient_units=[c.unit for c, _r in plan.recipients],
                                pin=DEMO_PIN, on_paper=self._on_paper(district.unit, factor=0.5))
        for delivery, (_commune, receipt) in zip(deliveries, plan.recipients, strict=True):
            self.timeline.start(self.incoming(delivery.file, plan.template, receipt),
                                later(rng, min_hours=0.5, max_hours=20))

    def commune_outgoing(self, plan, drafter=None, template=None):
        """A commune officer drafts, the chairman signs, the commune clerk issues to the district.
        Returns the issued file (None if the story stops before issuance)."""
        rng, commune = self.rng, plan.commune
        staff = self.people.communes[commune.unit.id]
        template = template or plan.template
        drafter = drafter or rng.choice(staff.specialists)
        signer = staff.chairman if rng.random() < 0.6 else staff.vice_chairman
        title = self._fill(template.title, commune)
        author = commune.unit.name
        file = self._draft(drafter, Plan(plan.kind, template, urgency=plan.urgency), title, COMMUNE_DRAFT, author)
        if plan.stop == 'draft':
            return None
        yield later(rng, min_hours=1, max_hours=16)
        forward_file(file, drafter, purpose='sign', to_user=signer, on_paper=self._on_paper(commune.unit),
                     note='Kính trình lãnh đạo UBND xã xem xét, ký ban hành.')
        if plan.stop == 'awaiting_signature':
            return None
        yield later(rng, min_hours=1, max_hours=20)
        if plan.returned:
            return_file(file, signer, note=rng.choice(cat.RETURN_NOTES))
            if plan.stop == 'returned':
                return None
            yield later(rng, min_hours=3, max_hours=24)
            self._revise(file, drafter, title, COMMUNE_DRAFT, author)
            forward_file(file, drafter, purpose='sign', to_user=signer, note='Đã chỉnh sửa, kính trình ký lại.')
            yield later(rng, min_hours=1, max_hours=8)
        self._leader_signs(file, signer)
        forward_file(file, signer, purpose='handle', to_user=staff.clerk, note='Chuyển Văn thư phát hành.')
        if plan.stop == 'in_progress':
            return None
        yield later(rng, min_hours=0.5, max_hours=6)
        deliveries = issue_file(file, staff.clerk, recipient_units=[self.org.district], pin=DEMO_PIN,
                                on_paper=self._on_paper(commune.unit, factor=0.5))
        self.timeline.start(self.incoming(deliveries[0].file, template, Receipt()),
                            later(rng, min_hours=0.5, max_hours=20))
        return file

    def district_internal(self, plan):
        """A department's proposal or report, decided by the UBND leadership and closed there."""
        rng, district = self.rng, self.people.district
        dept = plan.template.dept
        drafter, head = district.officers[dept], district.heads[dept]
        leader = district.chairman if rng.random() < 0.4 else district.vice_chairman
        title = self._fill(plan.template.title)
        file = self._draft(drafter, plan, title, DISTRICT_DRAFT, DISTRICT_NAME)
        yield later(rng, min_hours=1, max_hours=16)
        forward_file(file, drafter, purpose='handle', to_user=head, note='Kính trình Trưởng phòng cho ý kiến.')
        if plan.stop == 'in_progress':
            return
        yield later(rng, min_hours=1, max_hours=16)
        forward_file(file, head, purpose='handle', to_user=leader, on_paper=self._on_paper(head.unit),
                     note='Kính trình lãnh đạo UBND huyện xem xét, quyết định.')
        yield later(rng, min_hours=2, max_hours=30)
        complete_file(file, leader, note=rng.choice(cat.APPROVAL_NOTES))
        if rng.random() < 0.06:
            yield later(rng, min_hours=8, max_hours=60)
            reopen_file(file, leader, note='Mở lại để bổ sung ý kiến của Phòng Tài chính - Kế hoạch.')
            yield later(rng, min_hours=4, max_hours=30)
            complete_file(file, leader, note='Đã bổ sung ý kiến; thống nhất nội dung trình.')

    def commune_internal(self, plan):
        rng, commune = self.rng, plan.commune
        staff = self.people.communes[commune.unit.id]
        drafter = rng.choice(staff.specialists)
        title = self._fill(plan.template.title, commune)
        file = self._draft(drafter, plan, title, COMMUNE_DRAFT, commune.unit.name)
        yield later(rng, min_hours=1, max_hours=16)
        forward_file(file, drafter, purpose='handle', to_user=staff.chairman, on_paper=self._on_paper(commune.unit),
                     note='Kính trình Chủ tịch xem xét, cho ý kiến.')
        yield later(rng, min_hours=2, max_hours=24)
        complete_file(file, staff.chairman, note=rng.choice(cat.APPROVAL_NOTES))

    def paper_incoming(self, plan):
        """A document that arrived on paper from outside the system, registered from its scan."""
        rng = self.rng
        commune = plan.commune if plan.kind == 'paper_commune' else None
        staff = self.people.staff_of(commune.unit) if commune else self.people.district
        title = self._fill(plan.template.title, commune)
        sender = self._fill(plan.sender, commune)
        file, _duplicate = register_paper_document(
            staff.clerk, title=title, doc_type=plan.template.doc_type, sender_name=sender, urgency=plan.urgency,
            number=plan.sender_number.format(n=rng.randint(12, 480)),
            upload=self._upload(PAPER_SCAN, title, sender))
        yield later(rng, min_hours=0.5, max_hours=8)
        yield from self._handle(file, staff, plan.template, plan.receipt)

    def incoming(self, file, template, receipt):
        """A recipient unit's copy of an issued document: register (or refuse), assign, handle, complete."""
        staff = self.people.staff_of(file.owner_unit)
        if receipt.stop == 'delivered':
            return
        if receipt.stop == 'refused':
            refuse_file(file, staff.clerk, note=self.rng.choice(cat.REFUSE_NOTES))
            return
        register_file(file, staff.clerk, received_on_paper=self._on_paper(staff.unit, factor=0.7))
        if receipt.stop == 'registered':
            return
        yield later(self.rng, min_hours=0.5, max_hours=8)
        yield from self._handle(file, staff, template, receipt)

    def _handle(self, file, staff, template, receipt):
        """From the clerk's register to the leader, to the handlers, to completion."""
        rng = self.rng
        leader = staff.chairman if rng.random() < 0.5 else staff.vice_chairman
        forward_file(file, staff.clerk, purpose='handle', to_user=leader, on_paper=self._on_paper(staff.unit),
                     note='Kính trình lãnh đạo cho ý kiến chỉ đạo.')
        yield later(rng, min_hours=1, max_hours=16)
        if template.for_information and receipt.stop is None:
            complete_file(file, leader, note=rng.choice(cat.NOTED_NOTES))
            return
        lead, cooperate, inform = self._handlers(staff, template, leader)
        deadline = self._deadline()
        assign_file(file, leader, lead=lead, cooperate=cooperate, inform=inform, deadline=deadline,
                    note=f'Giao đồng chí {lead.full_name} chủ trì tham mưu thực hiện.')
        if receipt.stop == 'assigned':
            return
        yield later(rng, min_hours=0.5, max_hours=16)
        start_handling(file, lead)
        if receipt.stop == 'in_progress':
            return
        finish = self._finish_moment(deadline)
        reply = None
        if receipt.reply and template.reply:
            commune = next(c for c in self.org.communes if c.unit.id == staff.unit.id)
            reply_plan = Plan('commune_outgoing', template.reply, commune=commune, urgency=file.urgency)
            yield later(rng, min_hours=2, max_hours=16)
            reply = yield from self.commune_outgoing(reply_plan, drafter=lead)
        yield max(finish, later(rng, min_hours=0.5, max_hours=4))
        note = f'Đã báo cáo tại văn bản số {reply.number}.' if reply else rng.choice(cat.COMPLETE_NOTES)
        complete_file(file, lead, note=note, reply_file=reply)

    def _handlers(self, staff, template, leader):
        rng = self.rng
        if staff is self.people.district:
            dept = template.dept
            lead = staff.officers[dept] if rng.random() < 0.7 else staff.heads[dept]
            cooperate = [staff.officers['VP']] if dept != 'VP' and rng.random() < 0.3 else []
            inform = [staff.heads[dept]] if lead is not staff.heads[dept] and rng.random() < 0.5 else []
            return lead, cooperate, inform
        officer, culture = staff.specialists
        lead, other = (culture, officer) if template.dept in ('VHTT', 'GDĐT', 'YT', 'LĐTBXH') else (officer, culture)
        cooperate = [other] if rng.random() < 0.4 else []
        others = [u for u in staff.leaders if u is not leader]
        inform = others if others and rng.random() < 0.3 else []
        return lead, cooperate, inform
