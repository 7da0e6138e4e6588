"""The file page: the file, its documents and timeline, and the forms of what the viewer may do now."""
from flask import render_template
from flask_login import current_user, login_required

from ... import page_parts, policy
from ...vocabulary import PURPOSE_LABELS
from .. import transitions
from ..forms import (
    AddDocumentForm,
    AssignForm,
    CompleteForm,
    ForwardForm,
    IssueForm,
    RefuseForm,
    RegisterForm,
    ReopenForm,
    ReplacementForm,
    ReturnForm,
    SignForm,
    StartForm,
)
from ..queries import replacements_of, visible_file_or_404
from ..transitions import available_actions
from . import bp

FORWARD_ACTIONS = ('forward_sign', 'forward_handle', 'forward_info')
SIGNABLE = ('awaiting_signature', 'sign_failed')  # a signed file may be signed again, but not from the panel


def _blank(form_class, **kwargs):
    """A fresh form for display: never filled from the current request."""
    return form_class(formdata=None, **kwargs)


def _action_forms(file, actions):
    """The forms the page shows, one per action the user may take now."""
    forms = {}
    if actions & set(FORWARD_ACTIONS):
        forms['forward'] = _blank(ForwardForm, prefix='forward', actor=current_user)
        forms['forward'].purpose.choices = [(p, label) for p, label in PURPOSE_LABELS.items()
                                            if 'forward_' + p in actions]
        forms['forward'].purpose.data = forms['forward'].purpose.choices[0][0]
    simple = {'return': ReturnForm, 'refuse': RefuseForm, 'start': StartForm,
              'complete': CompleteForm, 'reopen': ReopenForm, 'add_document': AddDocumentForm}
    for name, form_class in simple.items():
        if name in actions:
            forms[name] = _blank(form_class, prefix=name)
    if 'register' in actions:
        forms['register'] = _blank(RegisterForm, prefix='register',
                                   signature_invalid=file.signature_check == 'invalid')
    if 'issue' in actions:
        forms['issue'] = _blank(IssueForm, prefix='issue', actor=current_user)
    if 'assign' in actions:
        forms['assign'] = _blank(AssignForm, prefix='assign', unit_id=current_user.unit_id)
    if 'sign' in actions and file.main_document is not None and file.status in SIGNABLE:
        forms['sign'] = _blank(SignForm, prefix='sign')
    return forms


def render_file_page(file, *, failed=None, error=None, status=200):
    """The file page; `failed` is (action, form) for a form to show again with what was typed, and
    `error` the message of its refusal. Other rooms add their parts (page_parts.py: signing)."""
    actions = available_actions(file, current_user)
    forms = _action_forms(file, actions)
    if failed is not None:
        name, form = failed
        forms[name] = form
    if transitions.is_issued(file) and current_user.unit_id in (file.owner_unit_id, file.issuing_unit_id) \
            and policy.may_create_files(current_user):
        forms.setdefault('replacement', ReplacementForm(formdata=None, prefix='replacement'))
    linked = {'source': file.source_file, 'reply': file.reply_file, 'replaces': file.replaces}
    visible_links = {key: f for key, f in linked.items() if f is not None and policy.may_view_file(current_user, f)}
    parts = page_parts.build('file', file=file, viewer=current_user, actions=actions, forms=forms,
                             failed=failed[0] if failed else None, error=error)
    replacements = [f for f in replacements_of(file) if policy.may_view_file(current_user, f)]
    return render_template('files/show.html', file=file, forms=forms, actions=actions, error=error,
                           failed=failed[0] if failed else None, links=visible_links, parts=parts,
                           replacements=replacements), status


@bp.get('/files/<int:file_id>')
@login_required
def show(file_id):
    return render_file_page(visible_file_or_404(file_id, current_user))
