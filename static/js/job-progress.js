// Progress of a background job (bulk signing, reminders, archive timestamps): polls the JSON
// progress endpoint named in data-progress-url until the job has finished. No inline script (CSP).
(function () {
  'use strict';

  function render(box, data) {
    var bar = box.querySelector('.job-progress-bar');
    bar.style.width = data.percent + '%';
    bar.textContent = data.percent + '%';
    box.querySelector('.progress').setAttribute('aria-valuenow', data.percent);
    var labels = {finished: box.dataset.labelDone, running: box.dataset.labelRunning,
                  queued: box.dataset.labelQueued, failed: box.dataset.labelFailed};
    box.querySelector('.job-state').textContent = labels[data.state] || data.state;
    box.querySelector('.job-done').textContent = data.done;
    box.querySelector('.job-failed').textContent = data.failed;
    box.querySelector('.job-total').textContent = data.total;
    box.querySelector('.job-message').textContent = data.message || '';
    var list = box.querySelector('.job-results');
    list.replaceChildren();
    data.results.forEach(function (item) {
      var li = document.createElement('li');
      li.className = 'list-group-item ' + (item.ok ? 'list-group-item-success' : 'list-group-item-danger');
      li.textContent = (item.title || item.file_id) + ' — ' + item.message;
      list.appendChild(li);
    });
  }

  function poll(box) {
    fetch(box.dataset.progressUrl, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        render(box, data);
        if (!data.finished) { setTimeout(function () { poll(box); }, 1000); }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 3000); });
  }

  function ready(fn) {
    if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); }
  }

  ready(function () {
    document.querySelectorAll('.job-progress[data-progress-url]').forEach(poll);
    document.querySelectorAll('.bulk-sign-form .select-all').forEach(function (toggle) {
      toggle.addEventListener('change', function () {
        var form = toggle.closest('form');
        var max = parseInt(form.dataset.max, 10) || 50;
        form.querySelectorAll('input[name=file_ids]').forEach(function (box, index) {
          box.checked = toggle.checked && index < max;
        });
      });
    });
  });
}());
