"""The boxes: inbox (kept in the page cache while nothing on it changes), sent, and all files."""
from math import ceil

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ...inbox.pages import inbox_key, seconds_fresh, serve_page
from ...vocabulary import STATUS_LABELS
from ..forms import SearchForm
from ..queries import PAGE_SIZE, list_files
from . import bp

BOX_TITLES = {'inbox': _l('Hộp đến'), 'sent': _l('Đã gửi'), 'all': _l('Tất cả hồ sơ')}


def list_page(box):
    """The context of a list page: the search form, one page of files, the counts."""
    form = SearchForm(request.args)
    form.status.choices = [('', _('Mọi trạng thái'))] + [(k, str(v)) for k, v in STATUS_LABELS.items()]
    form.validate()
    page = form.page.data if isinstance(form.page.data, int) and form.page.data > 0 else 1
    status = form.status.data if form.status.data in STATUS_LABELS else None
    files, total = list_files(current_user, box=box, status=status, q=form.q.data, page=page)
    return dict(files=files, total=total, box=box, form=form, page=page,
                pages=max(1, ceil(total / PAGE_SIZE)), title=BOX_TITLES[box])


def _box(box):
    return render_template('files/list.html', **list_page(box))


def _render_inbox():
    context = list_page('inbox')
    return render_template('files/list.html', **context), seconds_fresh(context['files'])


@bp.get('/')
@login_required
def inbox():
    """The page people reload most: served from the page cache while nothing on it changed."""
    if request.args.get('q'):
        return _box('inbox')  # searches are too varied to keep
    person = current_user._get_current_object()  # once: a kept page costs about a millisecond
    return serve_page(inbox_key(person), _render_inbox)


@bp.get('/sent')
@login_required
def sent():
    return _box('sent')


@bp.get('/files')
@login_required
def all_files():
    return _box('all')
