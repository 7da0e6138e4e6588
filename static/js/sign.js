// The signing panel: the main PDF drawn by pdf.js, a click on the page chooses where the signature
// goes; until then the automatic placement's box (data-auto-page/-box, from the server) is drawn on its page. An ES module served from 'self' like pdf.js and its worker; pdf.js is told not to try eval
// (isEvalSupported: false), so the page's strict Content-Security-Policy holds without exceptions.
import * as pdfjsLib from '../vendor/pdfjs/pdf.min.mjs';

pdfjsLib.GlobalWorkerOptions.workerSrc = new URL('../vendor/pdfjs/pdf.worker.min.mjs', import.meta.url).href;

const FIELDS = ['page', 'x1', 'y1', 'x2', 'y2'];

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function clamp(value, low, high) {
  return Math.min(Math.max(value, low), Math.max(low, high));
}

function round(value) {
  return Math.round(value * 100) / 100;
}

class SignaturePlacer {
  constructor(root, form) {
    this.root = root;
    this.form = form;
    this.canvas = root.querySelector('.pdf-canvas');
    this.stage = root.querySelector('.pdf-stage');
    this.box = root.querySelector('.sign-box');
    this.autoBox = root.querySelector('.sign-box-auto');
    this.proposal = this.automaticPlacement();
    this.status = root.querySelector('.pdf-status');
    this.label = root.querySelector('.pdf-page-label');
    this.prev = root.querySelector('.pdf-prev');
    this.next = root.querySelector('.pdf-next');
    this.size = [Number(root.dataset.boxWidth), Number(root.dataset.boxHeight)];
    this.inputs = {};
    FIELDS.forEach((name) => { this.inputs[name] = form.querySelector(`input[name$="-${name}"]`); });
    this.manual = form.querySelector('input[type=radio][value=manual]');
    this.auto = form.querySelector('input[type=radio][value=auto]');
    this.pdf = null;
    this.viewport = null;
    this.pageNumber = 1;
    this.task = null;
    this.choice = this.earlierChoice();
  }

  // Where the server would put the signature without a click (absent for a page still to be added).
  automaticPlacement() {
    const page = Number(this.root.dataset.autoPage);
    const box = (this.root.dataset.autoBox || '').split(' ').map(Number);
    if (!page || box.length !== 4 || box.some((v) => Number.isNaN(v))) { return null; }
    return { page, box };
  }

  // A form shown again (say after a wrong PIN) keeps the box chosen before.
  earlierChoice() {
    const values = FIELDS.map((name) => this.inputs[name] && this.inputs[name].value);
    if (!this.manual || !this.manual.checked || values.some((v) => v === '' || v == null)) {
      return null;
    }
    const [page, ...box] = values.map(Number);
    return { page, box };
  }

  async start() {
    this.canvas.addEventListener('click', (event) => this.choose(event));
    this.prev.addEventListener('click', () => this.show(this.pageNumber - 1));
    this.next.addEventListener('click', () => this.show(this.pageNumber + 1));
    this.root.querySelector('.pdf-auto').addEventListener('click', () => this.automatic(true));
    if (this.auto) { this.auto.addEventListener('change', () => this.automatic(false)); }
    let resizing = null;
    window.addEventListener('resize', () => {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(() => { if (this.pdf) { this.show(this.pageNumber); } }, 200);
    });
    try {
      this.pdf = await pdfjsLib.getDocument({
        url: this.root.dataset.pdfUrl, isEvalSupported: false, disableRange: true, disableStream: true,
        disableAutoFetch: true,
      }).promise;
      await this.show(this.choice ? this.choice.page : 1);
      this.say(this.choice ? fill(this.root.dataset.msgChosen, { page: this.choice.page }) : this.root.dataset.msgHint);
    } catch (error) {
      this.root.dataset.state = 'failed';
      this.say(this.root.dataset.msgFailed);
      console.warn('pdf.js could not show the document', error);
    }
  }

  say(text) {
    this.status.textContent = text;
  }

  async show(number) {
    if (!this.pdf || number < 1 || number > this.pdf.numPages) { return; }
    const page = await this.pdf.getPage(number);
    const natural = page.getViewport({ scale: 1 });
    const width = Math.max(this.stage.clientWidth || 0, 240);
    const viewport = page.getViewport({ scale: width / natural.width });
    const ratio = window.devicePixelRatio || 1;
    if (this.task) { this.task.cancel(); }
    this.canvas.width = Math.floor(viewport.width * ratio);
    this.canvas.height = Math.floor(viewport.height * ratio);
    this.canvas.style.width = `${Math.floor(viewport.width)}px`;
    this.canvas.style.height = `${Math.floor(viewport.height)}px`;
    this.task = page.render({
      canvasContext: this.canvas.getContext('2d'), viewport,
      transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    });
    try {
      await this.task.promise;
    } catch (error) {
      if (error && error.name === 'RenderingCancelledException') { return; }
      throw error;
    }
    this.viewport = viewport;
    this.pageNumber = number;
    this.label.textContent = fill(this.root.dataset.msgPage, { page: number, pages: this.pdf.numPages });
    this.prev.disabled = number <= 1;
    this.next.disabled = number >= this.pdf.numPages;
    this.drawBox();
    this.root.dataset.page = String(number);
    this.root.dataset.rendered = 'true';
  }

  // The click is the centre of the signature box; the box is kept inside the page. PDF points,
  // origin at the bottom left, as the viewport converts them (rotation and crop box included).
  choose(event) {
    if (!this.viewport) { return; }
    const rect = this.canvas.getBoundingClientRect();
    const scale = this.viewport.width / rect.width;
    const [px, py] = this.viewport.convertToPdfPoint((event.clientX - rect.left) * scale,
      (event.clientY - rect.top) * scale);
    const [left, bottom, right, top] = this.viewport.viewBox;
    const [w, h] = this.size;
    const x1 = clamp(px - w / 2, left, right - w);
    const y1 = clamp(py - h / 2, bottom, top - h);
    this.choice = { page: this.pageNumber, box: [x1, y1, x1 + w, y1 + h].map(round) };
    this.inputs.page.value = String(this.pageNumber);
    ['x1', 'y1', 'x2', 'y2'].forEach((name, i) => { this.inputs[name].value = String(this.choice.box[i]); });
    if (this.manual) { this.manual.checked = true; }
    this.drawBox();
    this.say(fill(this.root.dataset.msgChosen, { page: this.pageNumber }));
  }

  automatic(goToProposal) {
    this.choice = null;
    FIELDS.forEach((name) => { this.inputs[name].value = ''; });
    if (this.auto) { this.auto.checked = true; }
    this.drawBox();
    this.say(this.root.dataset.msgAuto);
    if (goToProposal && this.pdf) { this.show(this.proposal ? this.proposal.page : this.pdf.numPages); }
  }

  drawBox() {
    const automatic = this.choice ? null : this.proposal;
    this.place(this.box, this.choice);
    this.place(this.autoBox, automatic);
  }

  place(element, where) {
    if (!element) { return; }
    if (!where || !this.viewport || where.page !== this.pageNumber) {
      element.classList.add('d-none');
      return;
    }
    const [a, b, c, d] = this.viewport.convertToViewportRectangle(where.box);
    element.style.left = `${Math.min(a, c)}px`;
    element.style.top = `${Math.min(b, d)}px`;
    element.style.width = `${Math.abs(c - a)}px`;
    element.style.height = `${Math.abs(d - b)}px`;
    element.classList.remove('d-none');
  }
}

const root = document.querySelector('.pdf-signer');
const form = document.getElementById('form-sign');
if (root && form) {
  new SignaturePlacer(root, form).start();
}
