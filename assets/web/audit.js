// The audit log's latest entries, newest first: when, who, what, on what. Reloaded after
// every action of this page and on demand (others act too: the CLI, the TUI, the
// circuit breaker).
'use strict';

(function () {
  const LIMIT = 50;
  const ACTIONS = {
    'batch.start': 'Inicio de llamadas',
    'batch.retry': 'Reintento',
    'batch.cancel': 'Cancelación',
    'batch.circuit_breaker': 'Detenido por el disyuntor',
    'optout.add': 'Agregado a no llamar',
    'optout.remove': 'Retirado de no llamar',
    'optout.import': 'Importación a no llamar',
  };
  let seq = 0;

  function who(actor) {
    if (actor.startsWith('user:')) return 'Usuario ' + actor.slice(5);
    return { admin: 'Administrador', local: 'Local (sin autenticación)', system: 'Sistema (automático)', cli: 'Línea de comandos' }[actor] || actor;
  }

  function details(d) {
    if (!d || typeof d !== 'object') return '';
    return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`).join(', ');
  }

  async function load() {
    const mine = ++seq;
    const msg = document.getElementById('audit-msg');
    const btn = document.getElementById('audit-refresh');
    btn.disabled = true;
    try {
      const list = await api(`/api/audit?limit=${LIMIT}`);
      if (mine !== seq) return;
      const rows = list.slice().reverse().map((e) =>
        `<tr data-action="${esc(e.action)}" data-target="${esc(e.target)}">` +
        `<td><time datetime="${esc(e.at)}">${esc(fmt.when(e.at))}</time></td><td>${esc(who(e.actor))}</td>` +
        `<td>${esc(ACTIONS[e.action] || e.action)} <code>${esc(e.action)}</code></td><td><code>${esc(e.target)}</code></td>` +
        `<td class="meta">${esc(details(e.details))}</td></tr>`);
      document.querySelector('#audit tbody').innerHTML = rows.join('') ||
        '<tr><td colspan="5" class="meta">Sin acciones registradas todavía</td></tr>';
      msg.className = 'meta';
      msg.textContent = list.length ? `Últimas ${list.length} acciones` : '';
      document.getElementById('audit-section').dataset.loads = String(seq);
    } catch (e) {
      if (mine !== seq) return;
      msg.className = 'error';
      msg.textContent = '⚠ ' + e.message;
    } finally {
      if (mine === seq) btn.disabled = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('audit-refresh').onclick = load;
    load();
  });
  cbOn('action', load);
  cbOn('finished', load);
  cbOn('reload', load);
})();
