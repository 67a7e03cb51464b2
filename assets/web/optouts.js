// The do-not-call list: "🚫 No llamar" on a recipient of the batch, and a section to list,
// add, import (CSV) and remove opt-outs. Removing and marking ask first; the service's own
// message is shown, and what the supervisor typed is kept when the service refuses it.
'use strict';

(function () {
  let phones = new Set();
  window.cbIsOptedOut = (phone) => phones.has(phone);

  function say(kind, text, extra) {
    const m = document.getElementById('optout-msg');
    m.className = kind;
    m.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    m.innerHTML = `${kind === 'error' ? '⚠' : '✔'} ${esc(text)}${extra || ''}`;
  }

  async function load() {
    try {
      const list = await api('/api/optouts');
      phones = new Set(list.map((o) => o.phoneNumber));
      document.getElementById('optout-count').textContent = `(${list.length})`;
      document.querySelector('#optouts tbody').innerHTML = list.length
        ? list.map((o) => `<tr data-phone="${esc(o.phoneNumber)}"><td>${esc(o.phoneNumber)}</td><td>${esc(o.reason)}</td>` +
          `<td>${esc(o.source)}</td><td><time datetime="${esc(o.addedAt)}">${esc(fmt.when(o.addedAt))}</time></td>` +
          `<td><button type="button" class="btn btn-small optout-remove" data-phone="${esc(o.phoneNumber)}" ` +
          `aria-label="Quitar ${esc(o.phoneNumber)} de la lista de no llamar">Quitar</button></td></tr>`).join('')
        : '<tr><td colspan="5" class="meta">La lista está vacía</td></tr>';
      if (lastView) renderRecipients(lastView);
    } catch (e) {
      if (e.status === 403) {
        // Only the admin reads the whole list; a supervisor still adds to it, and the
        // batch marks its own opted-out recipients.
        document.getElementById('optout-count').textContent = '';
        document.querySelector('#optouts tbody').innerHTML =
          '<tr><td colspan="5" class="meta">Solo el administrador puede ver y quitar números de la lista; usted puede agregarlos</td></tr>';
        return;
      }
      say('error', 'Lista de no llamar: ' + e.message);
    }
  }

  async function add(ev) {
    ev.preventDefault();
    const input = document.getElementById('optout-phone');
    const reason = document.getElementById('optout-reason');
    const btn = document.getElementById('optout-add');
    const phone = input.value.trim();
    if (!phone) {
      input.setAttribute('aria-invalid', 'true');
      say('error', 'Escriba el teléfono que no se debe llamar');
      input.focus();
      return;
    }
    btn.disabled = true;
    try {
      const body = { phone };
      if (reason.value.trim()) body.reason = reason.value.trim();
      const env = await apiRequest('POST', '/api/optouts', { json: body });
      input.value = '';
      reason.value = '';
      input.removeAttribute('aria-invalid');
      say('success', env.message);
      if (env.data && env.data.phoneNumber) phones.add(env.data.phoneNumber);
      await load();
      cbEmit('action');
    } catch (e) {
      input.setAttribute('aria-invalid', 'true');
      say('error', e.message);
      input.focus();
    } finally {
      btn.disabled = false;
    }
  }

  async function importCsv(ev) {
    ev.preventDefault();
    const input = document.getElementById('optout-file');
    const btn = document.getElementById('optout-import');
    const file = input.files && input.files[0];
    if (!file) {
      say('error', 'Elija primero un archivo CSV');
      input.focus();
      return;
    }
    btn.disabled = true;
    try {
      const env = await apiRequest('POST', '/api/optouts/import', { body: file, headers: { 'Content-Type': 'text/csv' } });
      const rejected = (env.data && env.data.rejected) || [];
      const list = rejected.length
        ? '<ul class="rejected">' + rejected.map((r) => `<li>Línea ${esc(r.line)}: ${esc(r.reason)}</li>`).join('') + '</ul>'
        : '';
      say('success', env.message, list);
      input.value = '';
      await load();
      cbEmit('action');
    } catch (e) {
      say('error', e.message);
    } finally {
      btn.disabled = false;
    }
  }

  async function remove(phone, btn) {
    const ok = await confirmAction('Quitar de la lista de no llamar',
      `¿Quitar ${phone} de la lista de no llamar? Podrá volver a ser llamado en los próximos batches.`, 'Quitar');
    if (!ok) return;
    btn.disabled = true;
    try {
      const env = await apiRequest('DELETE', `/api/optouts/${encodeURIComponent(phone)}`);
      say('success', env.message);
      if (env.data && env.data.phoneNumber) phones.add(env.data.phoneNumber);
      await load();
      cbEmit('action');
    } catch (e) {
      say('error', e.message);
      btn.disabled = false;
    }
  }

  // "🚫 No llamar" on a recipient row of the batch.
  window.cbOptOutRecipient = async function (phone, name, btn) {
    const ok = await confirmAction('No llamar',
      `¿Agregar a ${name} (${phone}) a la lista de no llamar? No se le llamará en los próximos batches.`, '🚫 No llamar');
    if (!ok) return;
    btn.disabled = true;
    try {
      const body = { phone, reason: watchedBatch ? `pidió no ser llamado (lote ${watchedBatch})` : 'pidió no ser llamado' };
      const env = await apiRequest('POST', '/api/optouts', { json: body });
      showNotification('success', env.message);
      say('success', env.message);
      if (env.data && env.data.phoneNumber) phones.add(env.data.phoneNumber);
      await load();
      cbEmit('action');
    } catch (e) {
      showNotification('error', e.message);
      btn.disabled = false;
    }
  };

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('optout-form').addEventListener('submit', add);
    document.getElementById('optout-import-form').addEventListener('submit', importCsv);
    document.getElementById('optout-phone').addEventListener('input', (ev) => ev.target.removeAttribute('aria-invalid'));
    document.querySelector('#optouts tbody').addEventListener('click', (ev) => {
      const b = ev.target.closest('.optout-remove');
      if (b) remove(b.dataset.phone, b);
    });
    load();
  });
  cbOn('reload', load);
})();
