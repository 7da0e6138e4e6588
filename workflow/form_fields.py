"""Form pieces every room's pages use: a list of checkboxes, and a form that is only a button."""
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multi-select on a phone."""
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ButtonForm(FlaskForm):
    """A button that posts (marks notifications read, starts a job): CSRF only."""
