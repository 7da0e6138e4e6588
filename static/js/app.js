// Small behaviours for the office pages. Loaded from 'self' only: the pages carry no inline script.
(function () {
  'use strict';

  function ready(fn) {
    if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); }
  }

  ready(function () {
    // Filters that apply as soon as they change (status, unit, year).
    document.querySelectorAll('select.auto-submit').forEach(function (select) {
      select.addEventListener('change', function () { if (select.form) { select.form.submit(); } });
    });

    // Registers: print button.
    document.querySelectorAll('.print-button').forEach(function (button) {
      button.addEventListener('click', function () { window.print(); });
    });

    // A deadline is a date or a number of working days: typing one clears the other.
    document.querySelectorAll('.deadline-fields').forEach(function (group) {
      var date = group.querySelector('input[type=date]');
      var days = group.querySelector('input[name$=deadline_days]');
      if (!date || !days) { return; }
      date.addEventListener('input', function () { if (date.value) { days.value = ''; } });
      days.addEventListener('input', function () { if (days.value) { date.value = ''; } });
    });

    // Forward: a person or a unit, not both.
    document.querySelectorAll('#form-forward').forEach(function (form) {
      var user = form.querySelector('select[name$=to_user]');
      var unit = form.querySelector('select[name$=to_unit]');
      if (!user || !unit) { return; }
      user.addEventListener('change', function () { if (user.value !== '0') { unit.value = '0'; } });
      unit.addEventListener('change', function () { if (unit.value !== '0') { user.value = '0'; } });
    });

    // Do not send a form twice on a slow connection.
    document.querySelectorAll('form[method=post]').forEach(function (form) {
      form.addEventListener('submit', function () {
        window.setTimeout(function () {
          form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  });
}());

// Coming back to a page from the history: its buttons work again.
window.addEventListener('pageshow', function () {
  document.querySelectorAll('form[method=post] button[type=submit]').forEach(function (b) { b.disabled = false; });
});
