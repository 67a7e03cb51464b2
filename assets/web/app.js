// callboard's page around the seed's code (seed.js): bearer-token plumbing, the API helper,
// the helpers the seed calls, the recipient table and the watched batch. groups.js,
// preflight.js, batch.js, kpis.js, optouts.js and audit.js add the rest; they use what this
// file defines and talk back through cbOn/cbEmit.
'use strict';

(function () {
  const TOKEN_KEY = 'callboard.token';
  const params = new URLSearchParams(location.search);
  if (params.get('token')) {
    localStorage.setItem(TOKEN_KEY, params.get('token'));
    // The token must not stay visible in the address bar (or in screenshots of it).
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }
  const token = () => localStorage.getItem(TOKEN_KEY) || '';

  // The seed's fetch calls send no token: add it for our own API.
  const plainFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    // A request that brings its own token (auth.js trying a new one) keeps it.
    const own = init && init.headers && (init.headers.Authorization || init.headers.authorization);
    if (token() && !own && url.startsWith('/api/')) {
      init = Object.assign({}, init);
      init.headers = Object.assign({}, init.headers, { Authorization: 'Bearer ' + token() });
    }
    const answer = plainFetch(input, init);
    // A 401 from our API means a token is wanted: the panel asks for it (see auth.js).
    answer.then((r) => {
      if (r.status === 401 && url.startsWith('/api/') && window.cbAuthRejected) window.cbAuthRejected();
    }, () => {});
    return answer;
  };

  // EventSource cannot send headers: the stream route accepts ?access_token=. Every stream
  // also reports a stop by the circuit breaker, which must not pass as a mere toast.
  if (window.EventSource) {
    const PlainEventSource = window.EventSource;
    window.EventSource = function (url, opts) {
      const es = new PlainEventSource(withToken(url), opts);
      const m = /\/api\/batch-calls\/([^/]+)\/status\/stream/.exec(url);
      es.addEventListener('error', (ev) => {
        if (!ev.data || !m) return;
        let d = null;
        try { d = JSON.parse(ev.data); } catch (e) { return; }
        if (d && d.code) cbEmit('stream-error', decodeURIComponent(m[1]), d);
      });
      return es;
    };
    window.EventSource.CONNECTING = 0;
    window.EventSource.OPEN = 1;
    window.EventSource.CLOSED = 2;
  }

  function withToken(url) {
    if (!token()) return url;
    return url + (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token());
  }
  window.cbWithToken = withToken;
})();

// The other scripts listen here: 'watch' (batchId, changed), 'unwatch', 'update' (view),
// 'finished' (view), 'stream-error' (batchId, {code, message}), 'action' (something changed
// that the audit log records), 'reload' (the token changed).
const cbListeners = {};
function cbOn(name, fn) { (cbListeners[name] = cbListeners[name] || []).push(fn); }
function cbEmit(name, ...args) {
  for (const fn of cbListeners[name] || []) {
    try { fn(...args); } catch (e) { console.error('callboard:', name, e); }
  }
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const $ = (sel) => document.querySelector(sel);
let selectedGroup = null;
// The batch on screen and its last status view (the recipient table is rebuilt from it).
let watchedBatch = null;
let lastView = null;
let currentSource = null;

// The campaign's time zone (from /health): every time on the page is in it, and says so.
let cbTz = 'America/Bogota';
const TZ_CITIES = { 'America/Bogota': 'Bogotá', 'America/Mexico_City': 'Ciudad de México', 'America/Lima': 'Lima', 'America/Santiago': 'Santiago', 'Europe/Madrid': 'Madrid', UTC: 'UTC' };
function cbSetTimeZone(tz) {
  try { new Intl.DateTimeFormat('es-CO', { timeZone: tz }); } catch (e) { return; }
  cbTz = tz;
  const note = document.getElementById('tz-note');
  if (note) note.textContent = '🕒 Todas las horas en ' + fmt.zone();
  if (lastView) renderRecipients(lastView);
}

const fmt = {
  zone: () => 'hora de ' + (TZ_CITIES[cbTz] || cbTz.split('/').pop().replace(/_/g, ' ')),
  pct: (x) => (x == null ? '—' : new Intl.NumberFormat('es-CO', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x)),
  num: (x, digits = 1) => (x == null ? '—' : new Intl.NumberFormat('es-CO', { maximumFractionDigits: digits }).format(x)),
  // "19:00"; with the zone: "19:00 hora de Bogotá".
  time: (unix) => new Date(unix * 1000).toLocaleTimeString('es-CO', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: cbTz }),
  at: (unix) => fmt.time(unix) + ' ' + fmt.zone(),
  // "1 dic. 19:00": day, month and time, never a bare "1/12/26, 12:00 a. m.".
  when: (d) => new Date(d).toLocaleString('es-CO', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: cbTz }),
  duration(secs) {
    if (secs == null) return '—';
    const s = Math.round(secs);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    if (h) return `${h} h ${String(m).padStart(2, '0')} min`;
    if (m) return r ? `${m} min ${r} s` : `${m} min`;
    return `${r} s`;
  },
};

/** A failed request: the service's Spanish message, its code and details. */
class ApiError extends Error {
  constructor(message, code, status, details) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/**
 * Calls the API and returns its envelope; throws ApiError with the service's message when
 * `success` is false, and a Spanish message of our own when the service cannot be reached
 * or does not answer with the envelope. `raw: true` returns the Response of a 2xx answer.
 */
async function apiRequest(method, path, opts = {}) {
  const init = { method, headers: Object.assign({}, opts.headers) };
  if (opts.json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    init.body = opts.body;
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    throw new ApiError('No se pudo contactar el servicio; revise la conexión e intente de nuevo', 'network');
  }
  if (opts.raw && r.ok) return r;
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!body || typeof body !== 'object') {
    throw new ApiError(`Respuesta inesperada del servicio (HTTP ${r.status})`, 'bad_response', r.status);
  }
  if (!body.success) throw new ApiError(body.message || `Error del servicio (HTTP ${r.status})`, body.code, r.status, body.details);
  return body;
}

async function api(path) {
  return (await apiRequest('GET', path)).data;
}

function showNotification(type, message) {
  // While the page asks for a token, the sections behind the panel only fail with 401s.
  if (type !== 'success' && window.cbAuthNeeded && window.cbAuthNeeded()) return;
  const box = document.getElementById('notifications');
  const div = document.createElement('div');
  div.className = 'note ' + type;
  div.setAttribute('role', type === 'error' ? 'alert' : 'status');
  const icon = { success: '✔', error: '⚠', warning: '⚠', info: 'ℹ' }[type] || '';
  div.textContent = (icon ? icon + ' ' : '') + message;
  box.appendChild(div);
  // A few at a time: older ones would only cover the page.
  while (box.children.length > 4) box.firstElementChild.remove();
  setTimeout(() => div.remove(), type === 'error' ? 12000 : 6000);
}

/** Asks in a modal dialog; resolves true only when the user presses the confirm button. */
// The confirmation still waiting for its `close` event, if any (see confirmAction).
let settleConfirm = null;
function confirmAction(title, text, okLabel) {
  const dlg = $('#confirm-dialog');
  // `close` is dispatched a moment after the dialog closes. A confirmation answered just
  // before this one opened is settled now, with its own answer: its late event must not
  // answer this one.
  if (settleConfirm) settleConfirm();
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = okLabel;
  dlg.returnValue = '';
  return new Promise((resolve) => {
    const settle = () => {
      dlg.removeEventListener('close', onClose);
      if (settleConfirm === settle) settleConfirm = null;
      resolve(dlg.returnValue === 'ok');
    };
    // An earlier confirmation's late event arrives while this one shows: not ours.
    const onClose = () => { if (!dlg.open) settle(); };
    dlg.addEventListener('close', onClose);
    settleConfirm = settle;
    dlg.showModal();
    $('#confirm-cancel').focus();
  });
}

function showBatchDetails(data) {
  const skipped = (data.skipped || []).map((s) => `<li>${esc(s.name)} (${esc(s.phone)}): ${esc(s.reason)}</li>`).join('');
  document.getElementById('batch-details').innerHTML =
    `<p><strong>${esc(data.callName)}</strong> — lote <code>${esc(data.batchId)}</code>, ` +
    `${esc(data.recipientsCount)} destinatarios</p>` +
    (skipped ? `<ul class="skipped">${skipped}</ul>` : '');
  document.body.dataset.batchId = data.batchId;
}

// Status chips in Spanish (the wire value stays in the class, for colours and tests).
const STATUS_ES = {
  pending: 'en cola', dispatched: 'despachada', initiated: 'marcando', in_progress: 'en curso',
  completed: 'completada', failed: 'fallida', cancelled: 'cancelada', voicemail: 'buzón de voz',
  partially_completed: 'parcialmente completado',
};
const BATCH_STATUS_ES = Object.assign({}, STATUS_ES, { pending: 'en cola', completed: 'completado', failed: 'fallido', cancelled: 'cancelado' });
function statusBadge(s, labels = STATUS_ES) {
  return `<span class="status ${esc(s)}" data-status="${esc(s)}">${esc(labels[s] || s)}</span>`;
}
// Whether the call achieved its goal (ElevenLabs' evaluation), in words.
const VERDICT_ES = { success: 'logrado', failure: 'no logrado', unknown: 'sin evaluar' };
function verdictCell(r) {
  if (!r.call_successful) return '';
  const v = VERDICT_ES[r.call_successful] ? r.call_successful : 'unknown';
  return `<span class="verdict-${esc(v)}">${esc(VERDICT_ES[v])}</span>`;
}

function recipientActions(r) {
  if (r.opted_out || (window.cbIsOptedOut && window.cbIsOptedOut(r.phone_number))) {
    return '<span class="optout-tag">🚫 En lista de no llamar</span>';
  }
  const name = r.name || (r.variables && r.variables.name) || r.phone_number;
  return `<button type="button" class="btn btn-small optout-btn" data-phone="${esc(r.phone_number)}" data-name="${esc(name)}" ` +
    `aria-label="No llamar a ${esc(name)}">🚫 No llamar</button>`;
}

function renderRecipients(batch) {
  lastView = batch;
  const rows = (batch.recipients || []).map((r) => {
    let conv = '';
    if (r.summary) conv += `<div>${esc(r.summary)}</div>`;
    if (r.transcript && r.transcript.length) {
      conv += '<details class="transcript"><summary>Transcripción (' + r.transcript.length + ')</summary>' +
        r.transcript.map((t) => `<p class="role-${esc(t.role)}"><b>${esc(t.role)}:</b> ${esc(t.message)}</p>`).join('') +
        '</details>';
    }
    if (r.audio_url) conv += `<audio controls preload="none" src="${esc(window.cbWithToken(r.audio_url))}"></audio>`;
    if (r.enrichment_error) conv += `<div class="meta">${esc(r.enrichment_error)}</div>`;
    const name = r.name || (r.variables && r.variables.name) || '';
    const dur = r.duration_secs != null ? ` ${r.duration_secs}s` : '';
    return `<tr data-status="${esc(r.status)}" data-phone="${esc(r.phone_number)}"><td>${esc(name)}</td><td>${esc(r.phone_number)}</td>` +
      `<td>${statusBadge(r.status)}${dur}</td><td class="verdict">${verdictCell(r)}</td><td class="attempts">${esc(r.attempts ?? 1)}</td><td>${conv}</td>` +
      `<td>${recipientActions(r)}</td></tr>`;
  });
  document.querySelector('#recipients tbody').innerHTML = rows.join('');
  document.getElementById('batch-status').innerHTML = `Estado del lote: ${statusBadge(batch.status, BATCH_STATUS_ES)}`;
  document.body.dataset.batchStatus = batch.status;
  cbEmit('rendered', batch);
}

function showBatchResults(batch) {
  progressAsTheCountsSay(batch);
  renderRecipients(batch);
  document.body.dataset.batchState = 'done';
  showNotification('success', 'Lote terminado: ' + (BATCH_STATUS_ES[batch.status] || batch.status));
  cbEmit('finished', batch);
}

// Keep the seed's functions and add the recipient table to every progress update.
const seedUpdateBatchProgress = window.updateBatchProgress;
window.updateBatchProgress = function (batch) {
  if (watchedBatch && batch.batch_id && batch.batch_id !== watchedBatch) return;
  seedUpdateBatchProgress(batch);
  progressAsTheCountsSay(batch);
  renderRecipients(batch);
  cbEmit('update', batch);
};

// The seed's bar counts only "completed": next to "Finalizadas 14/14" it read "13/14".
// The bar shows calls that ended (cancelled ones apart), and how many were completed.
function progressAsTheCountsSay(batch) {
  const rs = batch.recipients || [];
  const FINAL = ['completed', 'failed', 'voicemail'];
  const ended = rs.filter((r) => FINAL.includes(r.status)).length;
  const completed = rs.filter((r) => r.status === 'completed').length;
  const cancelled = rs.filter((r) => r.status === 'cancelled').length;
  const bar = document.getElementById('batch-progress');
  bar.style.width = rs.length ? `${(ended / rs.length) * 100}%` : '0%';
  bar.textContent = `${ended}/${rs.length} terminadas · ${completed} completadas` +
    (cancelled ? ` · ${cancelled} canceladas` : '');
}

// One stream at a time: the watched batch's. Browsers without EventSource use the seed's
// 5-second polling instead.
const seedStartSSE = window.startBatchMonitoringSSE;
window.startBatchMonitoringSSE = function (batchId) {
  // The seed reconnects after errors: never for a batch no longer on screen.
  if (watchedBatch && batchId !== watchedBatch) return null;
  if (!('EventSource' in window)) return pollBatch(batchId);
  if (currentSource) currentSource.close();
  currentSource = seedStartSSE(batchId);
  return currentSource;
};

/** Puts a batch on screen: its live status, its KPIs, its exports. */
function watchBatch(batchId) {
  if (!batchId) return;
  const changed = watchedBatch !== batchId;
  watchedBatch = batchId;
  document.body.dataset.batchId = batchId;
  if (changed) clearBatchView();
  cbEmit('watch', batchId, changed);
  startBatchMonitoringSSE(batchId);
}

// Without EventSource the page polls, as the seed's fallback does every 5 s; but the
// seed's stops only at completed, cancelled or failed, so a batch that ends
// partially_completed was polled for ever. This one stops at every final status, and when
// another batch is put on screen.
const FINAL_STATUSES = ['completed', 'partially_completed', 'cancelled', 'failed'];
let pollTimer = null;
function pollBatch(batchId) {
  if (pollTimer) clearInterval(pollTimer);
  const timer = setInterval(async () => {
    if (watchedBatch !== batchId) return stopPolling(timer);
    try {
      const view = await api(`/api/batch-calls/${encodeURIComponent(batchId)}/status`);
      if (watchedBatch !== batchId) return stopPolling(timer);
      updateBatchProgress(view);
      if (FINAL_STATUSES.includes(view.status)) {
        stopPolling(timer);
        onBatchCompleted(view);
      }
    } catch (error) {
      console.error('Error monitoreando batch:', error);
    }
  }, 5000);
  pollTimer = timer;
  return null;
}
function stopPolling(timer) {
  clearInterval(timer);
  if (pollTimer === timer) pollTimer = null;
}

/** Nothing on screen any more (a group without batches was selected). */
function unwatchBatch() {
  if (pollTimer) stopPolling(pollTimer);
  if (currentSource) currentSource.close();
  currentSource = null;
  watchedBatch = null;
  delete document.body.dataset.batchId;
  document.getElementById('batch-details').innerHTML = '';
  clearBatchView();
  cbEmit('unwatch');
}

function clearBatchView() {
  lastView = null;
  delete document.body.dataset.batchState;
  delete document.body.dataset.batchStatus;
  document.querySelector('#recipients tbody').innerHTML = '';
  document.getElementById('batch-status').textContent = '';
  const bar = document.getElementById('batch-progress');
  bar.style.width = '0%';
  bar.textContent = '0/0 terminadas';
}
document.addEventListener('DOMContentLoaded', () => {
  // Clicking a "No llamar" button in the table, whatever row it is (rows are rebuilt).
  document.querySelector('#recipients tbody').addEventListener('click', (ev) => {
    const b = ev.target.closest('.optout-btn');
    if (b && window.cbOptOutRecipient) window.cbOptOutRecipient(b.dataset.phone, b.dataset.name, b);
  });
  // Links to other batches (continuations) open them here.
  document.body.addEventListener('click', (ev) => {
    const a = ev.target.closest('a[data-watch]');
    if (!a) return;
    ev.preventDefault();
    history.pushState(null, '', '?batch=' + encodeURIComponent(a.dataset.watch));
    watchBatch(a.dataset.watch);
  });
  const asked = new URLSearchParams(location.search).get('batch');
  if (asked) watchBatch(asked);
  // A batch opened by link, before any group was chosen: say whose it is.
  cbOn('rendered', (view) => {
    if (!selectedGroup && view.group_name) {
      document.getElementById('group-title').textContent = view.group_name + ' — ' + (view.name || view.batch_id);
    }
  });
});
