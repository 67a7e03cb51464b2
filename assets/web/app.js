// callboard's page around the seed's code (seed.js): the helpers the seed calls, the
// group list, the recipient table with transcripts and audio, and bearer-token plumbing.
'use strict';

(function () {
  const TOKEN_KEY = 'callboard.token';
  const params = new URLSearchParams(location.search);
  if (params.get('token')) localStorage.setItem(TOKEN_KEY, params.get('token'));
  const token = () => localStorage.getItem(TOKEN_KEY) || '';

  // The seed's fetch calls send no token: add it for our own API.
  const plainFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    if (token() && url.startsWith('/api/')) {
      init = Object.assign({}, init);
      init.headers = Object.assign({}, init.headers, { Authorization: 'Bearer ' + token() });
    }
    return plainFetch(input, init);
  };

  // EventSource cannot send headers: the stream route accepts ?access_token=.
  if (window.EventSource) {
    const PlainEventSource = window.EventSource;
    window.EventSource = function (url, opts) {
      return new PlainEventSource(withToken(url), opts);
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

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
let selectedGroup = null;

function showNotification(type, message) {
  const box = document.getElementById('notifications');
  const div = document.createElement('div');
  div.className = 'note ' + type;
  div.textContent = message;
  box.appendChild(div);
  setTimeout(() => div.remove(), 6000);
}

function showBatchDetails(data) {
  const skipped = (data.skipped || []).map((s) => `<li>${esc(s.name)} (${esc(s.phone)}): ${esc(s.reason)}</li>`).join('');
  document.getElementById('batch-details').innerHTML =
    `<p><strong>${esc(data.callName)}</strong> — batch <code>${esc(data.batchId)}</code>, ` +
    `${esc(data.recipientsCount)} destinatarios</p>` +
    (skipped ? `<ul class="skipped">${skipped}</ul>` : '');
  document.body.dataset.batchId = data.batchId;
}

function statusBadge(s) {
  return `<span class="status ${esc(s)}">${esc(s)}</span>`;
}

function renderRecipients(batch) {
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
    return `<tr data-status="${esc(r.status)}"><td>${esc(name)}</td><td>${esc(r.phone_number)}</td>` +
      `<td>${statusBadge(r.status)}${dur}</td><td>${conv}</td></tr>`;
  });
  document.querySelector('#recipients tbody').innerHTML = rows.join('');
  document.getElementById('batch-status').innerHTML = `Estado del batch: ${statusBadge(batch.status)}`;
  document.body.dataset.batchStatus = batch.status;
}

function showBatchResults(batch) {
  renderRecipients(batch);
  document.body.dataset.batchState = 'done';
  showNotification('success', 'Batch finalizado: ' + batch.status);
}

// Keep the seed's functions and add the recipient table to every progress update.
const seedUpdateBatchProgress = window.updateBatchProgress;
window.updateBatchProgress = function (batch) {
  seedUpdateBatchProgress(batch);
  renderRecipients(batch);
};

// Browsers without EventSource use the seed's 5-second polling instead.
const seedStartSSE = window.startBatchMonitoringSSE;
window.startBatchMonitoringSSE = function (batchId) {
  if (!('EventSource' in window)) return startBatchMonitoringPolling(batchId);
  return seedStartSSE(batchId);
};

async function api(path) {
  const r = await fetch(path);
  const body = await r.json();
  if (!body.success) throw new Error(body.message);
  return body.data;
}

async function loadPhoneNumbers() {
  const sel = document.getElementById('phone-number');
  try {
    const nums = await api('/api/phone-numbers');
    sel.innerHTML = nums.map((n) => `<option value="${esc(n.phone_number_id)}">${esc(n.label || n.phone_number)} (${esc(n.phone_number)})</option>`).join('');
    if (!nums.length) sel.innerHTML = '<option value="">(sin números)</option>';
  } catch (e) {
    sel.innerHTML = '<option value="">(no disponible)</option>';
    showNotification('warning', 'Números telefónicos: ' + e.message);
  }
}

async function loadGroups() {
  const ul = document.getElementById('groups');
  try {
    const groups = await api('/api/groups');
    ul.innerHTML = '';
    for (const g of groups) {
      const li = document.createElement('li');
      li.dataset.groupId = g.id;
      li.innerHTML = `<span>${esc(g.name)}</span><span class="meta">${g.validPhones}/${g.clientsCount} tel.</span>`;
      li.onclick = () => selectGroup(g, li);
      ul.appendChild(li);
    }
    if (!groups.length) ul.innerHTML = '<li class="meta">No hay grupos</li>';
  } catch (e) {
    ul.innerHTML = `<li class="meta">${esc(e.message)}</li>`;
  }
}

function selectGroup(g, li) {
  selectedGroup = g;
  document.querySelectorAll('#groups li').forEach((x) => x.classList.remove('selected'));
  li.classList.add('selected');
  document.getElementById('group-title').textContent = g.name;
  const vars = Object.entries(g.variables || {}).map(([k, v]) => `${k}=${v}`).join(', ');
  document.getElementById('group-info').textContent =
    `${g.clientsCount} clientes, ${g.validPhones} con teléfono válido` + (vars ? ` · ${vars}` : '');
  const btn = document.getElementById('call-group-btn');
  btn.innerHTML = '📞 Llamar';
  btn.className = 'btn btn-success';
  btn.disabled = false;
  btn.onclick = () => startGroupCall(g.id, Number(document.getElementById('user-id').value), document.getElementById('phone-number').value);
  const active = g.lastBatch && ['pending', 'in_progress'].includes(g.lastBatch.status);
  if (active) {
    btn.innerHTML = '📞 Llamadas en Curso';
    btn.className = 'btn btn-warning';
    document.body.dataset.batchId = g.lastBatch.batchId;
    startBatchMonitoringSSE(g.lastBatch.batchId);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const t = document.getElementById('token');
  t.value = localStorage.getItem('callboard.token') || '';
  t.onchange = () => { localStorage.setItem('callboard.token', t.value.trim()); loadGroups(); loadPhoneNumbers(); };
  Promise.all([loadGroups(), loadPhoneNumbers()]).then(autoCall);
});

// `?auto=GROUP_ID` selects a group and presses "📞 Llamar" once the page is ready: for
// kiosk demos and the headless-browser test.
function autoCall() {
  const id = new URLSearchParams(location.search).get('auto');
  if (!id) return;
  const li = document.querySelector(`#groups li[data-group-id="${CSS.escape(id)}"]`);
  if (!li) return showNotification('error', 'Grupo ' + id + ' no encontrado');
  li.click();
  const btn = document.getElementById('call-group-btn');
  if (!btn.disabled && btn.innerHTML.includes('Llamar')) btn.click();
}
