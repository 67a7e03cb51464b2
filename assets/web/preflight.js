// The pre-flight check behind "📞 Llamar": the service's dry run says who would be
// dialled, who is left out and why, the calling window, the estimate and the retry policy.
// Only then can the supervisor confirm, once: the confirm button is disabled from the first
// click, and the start carries an Idempotency-Key, so even a retry after a lost answer
// cannot dial anybody twice.
'use strict';

(function () {
  const REASONS = {
    invalid_phone: 'Teléfono inválido',
    duplicate_phone: 'Teléfono repetido en el grupo',
    opted_out: 'En la lista de no llamar',
    contacted_today: 'Ya contactado hoy',
    reached_this_week: 'Ya contactado con éxito esta semana',
    missing_variables: 'Faltan variables',
  };
  const OUTCOMES = { failed: 'fallidas', voicemail: 'buzón de voz' };
  // { group, loading } while the dry run runs; then { group, body, plan, message, key, sending, done }.
  let state = null;
  const panel = () => document.getElementById('preflight');

  function newKey() {
    if (window.crypto && crypto.randomUUID) return 'web-' + crypto.randomUUID();
    return 'web-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
  }

  function close() {
    state = null;
    panel().hidden = true;
    panel().innerHTML = '';
    // A group whose calls are running keeps "Llamadas en Curso" disabled.
    const btn = document.getElementById('call-group-btn');
    if (selectedGroup && !btn.classList.contains('btn-warning')) btn.disabled = false;
  }

  // The retry choices offered before calling ('' = the service's configured policy).
  function retryPolicyOf(choice) {
    if (!choice) return undefined;
    return { outcomes: ['failed', 'voicemail'], maxAttempts: Number(choice), spacingSecs: 1800 };
  }

  async function open(group, retryChoice = '') {
    if (state && (state.loading || state.sending)) return;
    const btn = document.getElementById('call-group-btn');
    const label = btn.innerHTML;
    btn.disabled = true;
    btn.innerHTML = '⏳ Verificando…';
    const body = callBody();
    const policy = retryPolicyOf(retryChoice);
    if (policy) body.retryPolicy = policy;
    const mine = { group, loading: true };
    state = mine;
    panel().hidden = false;
    panel().setAttribute('aria-busy', 'true');
    panel().innerHTML = '<h3 id="preflight-title">Verificación previa</h3><p class="meta">Verificando destinatarios…</p>';
    try {
      const env = await apiRequest('POST', `/api/groups/${encodeURIComponent(group.id)}/call?dryRun=true`, { json: body });
      if (state !== mine) return; // another group was selected meanwhile
      state = { group, body, retryChoice, plan: env.data, message: env.message, key: newKey(), sending: false, done: false };
      render();
    } catch (e) {
      if (state !== mine) return;
      state = null;
      panel().innerHTML = '<h3 id="preflight-title">Verificación previa</h3>' +
        `<p class="error" role="alert">⚠ ${esc(e.message)}</p>` +
        '<div class="preflight-actions"><button type="button" class="btn btn-light" id="preflight-cancel">Cerrar</button></div>';
      document.getElementById('preflight-cancel').onclick = close;
      showNotification('error', e.message);
      btn.disabled = false;
    } finally {
      panel().removeAttribute('aria-busy');
      // selectGroup has set the button of a group chosen meanwhile: leave that one alone.
      if (selectedGroup && selectedGroup.id === group.id) btn.innerHTML = label;
    }
  }

  function byCode(list) {
    const out = new Map();
    for (const s of list) {
      if (!out.has(s.code)) out.set(s.code, []);
      out.get(s.code).push(s);
    }
    return out;
  }

  function person(s) {
    return `${esc(s.name)} <span class="meta">(${esc(s.phone)})</span>`;
  }

  function skippedHtml(skipped) {
    if (!skipped.length) return '<p class="pf-skipped" data-count="0">Omitidos: ninguno</p>';
    const groups = [...byCode(skipped)].map(([code, list]) =>
      `<li data-code="${esc(code)}" data-count="${list.length}"><strong>${esc(REASONS[code] || code)}: ${list.length}</strong>` +
      `<ul>${list.map((s) => `<li>${person(s)} — ${esc(s.reason)}</li>`).join('')}</ul></li>`).join('');
    return `<div class="pf-skipped" data-count="${skipped.length}"><h4>Omitidos: ${skipped.length}</h4><ul>${groups}</ul></div>`;
  }

  function incompleteHtml(incomplete, n) {
    if (!incomplete.length) return '<p class="pf-incomplete" data-count="0">Todos los destinatarios tienen las variables que usa el agente</p>';
    const rows = incomplete.map((s) =>
      `<li data-missing="${esc((s.missing || []).join(','))}">${person(s)} — faltan: ${(s.missing || []).map((m) => `<code>${esc(m)}</code>`).join(', ')}</li>`).join('');
    return `<div class="pf-incomplete" data-count="${incomplete.length}"><h4>Sin todas las variables: ${incomplete.length}</h4><ul>${rows}</ul>` +
      `<label><input type="checkbox" id="pf-skip-incomplete"${n ? '' : ' disabled'}> Llamar solo a los ${n} completos y omitir a estos ${incomplete.length}</label></div>`;
  }

  function windowHtml(w) {
    const pack = w.rulePack ? ` <span class="meta">(reglas: ${esc(w.rulePack)})</span>` : '';
    if (w.openAtStart) {
      const until = w.closesAt ? ` hasta el ${esc(fmt.when(w.closesAt))} (${esc(fmt.zone())})` : '';
      return `<p class="pf-window" data-open="true">🟢 Ventana de llamadas abierta${until}${pack}</p>`;
    }
    const why = w.reason ? ` — ${esc(w.reason)}` : '';
    return `<p class="pf-window" data-open="false">🕒 Fuera del horario de llamadas: se programará para el ${esc(fmt.when(w.startAt))} (${esc(fmt.zone())})${why}${pack}</p>`;
  }

  function estimateHtml(e) {
    if (!e) return '';
    let cost = '';
    if (e.costMin != null && e.costMax != null) cost = ` · costo estimado: ${fmt.num(e.costMin, 0)}–${fmt.num(e.costMax, 0)} créditos`;
    const warn = e.exceedsWindow ? ' · <strong>⚠ probablemente no termina antes del cierre de la ventana</strong>' : '';
    const basis = e.basedOnBatches ? `según ${e.basedOnBatches} batches anteriores` : 'valores por defecto, sin historial';
    return `<p class="pf-estimate">⏱ Duración estimada: ${esc(fmt.duration(e.durationSecs))} · terminaría hacia el ${esc(fmt.when(e.finishAt))} (${esc(fmt.zone())})` +
      `${cost}${warn} <span class="meta">(${basis})</span></p>`;
  }

  function retryHtml(p) {
    // The service echoes the policy the batch would get; none means no automatic retries.
    if (!p || p.maxAttempts <= 1) return '<p class="pf-retry">🔁 Sin reintentos automáticos</p>';
    const what = (p.outcomes || []).map((o) => OUTCOMES[o] || o).join(' y ');
    return `<p class="pf-retry">🔁 Reintento automático de ${esc(what)}: hasta ${p.maxAttempts} intentos por destinatario, cada ${esc(fmt.duration(p.spacingSecs))}</p>`;
  }

  // How many are ready now, of those with a valid phone: "Válidos 8" must not read as
  // eight calls when the agent's data is missing for some.
  function readyHtml(n, incomplete) {
    const total = n + incomplete;
    const head = incomplete
      ? `Listos para llamar ahora: ${n} de ${total}`
      : `Se llamará a ${n} destinatario${n === 1 ? '' : 's'}`;
    const why = incomplete
      ? (n
        ? ` <span class="meta">— a ${incomplete} les faltan datos que usa el agente: márquelo abajo para llamar solo a los listos, o complete esos datos</span>`
        : ` <span class="meta">— a todos les faltan datos que usa el agente: complete esos datos del grupo o de sus clientes</span>`)
      : '';
    return `<p class="pf-count" data-count="${n}"><strong>${head}</strong>${why}</p>`;
  }

  function confirmLabel() {
    const n = state.plan.recipients.length;
    return state.plan.window.openAtStart ? `✅ Confirmar y llamar a ${n}` : `✅ Confirmar y programar ${n} llamadas`;
  }

  function render() {
    const p = state.plan;
    const n = p.recipients.length;
    const vars = p.agentVariables || [];
    panel().innerHTML =
      `<h3 id="preflight-title">Verificación previa — ${esc(state.group.name)}</h3>` +
      `<p class="meta">${esc(state.message)}</p>` +
      readyHtml(n, (p.incomplete || []).length) +
      skippedHtml(p.skipped || []) +
      incompleteHtml(p.incomplete || [], n) +
      `<p class="pf-vars">Variables del agente: ${vars.length ? vars.map((v) => `<code>${esc(v)}</code>`).join(' ') : 'ninguna'}</p>` +
      windowHtml(p.window) + estimateHtml(p.estimate) + retryHtml(p.retryPolicy) +
      '<p><label for="pf-retry">Reintentos automáticos:</label> <select id="pf-retry">' +
      [['', 'según la configuración del servicio'], ['1', 'no'], ['2', 'hasta 2 intentos'], ['3', 'hasta 3 intentos']]
        .map(([v, t]) => `<option value="${v}"${v === (state.retryChoice || '') ? ' selected' : ''}>${t}</option>`).join('') +
      '</select></p>' +
      (n ? '' : '<p class="error">⚠ Nadie está listo para llamar todavía</p>') +
      '<p id="pf-error" class="error" role="alert" hidden></p>' +
      '<div class="preflight-actions">' +
      `<button type="button" id="preflight-confirm" class="btn btn-success">${esc(confirmLabel())}</button> ` +
      '<button type="button" id="preflight-cancel" class="btn btn-light">Cancelar</button></div>';
    const skip = document.getElementById('pf-skip-incomplete');
    const confirm = document.getElementById('preflight-confirm');
    const allowed = () => n > 0 && (!(p.incomplete || []).length || (skip && skip.checked));
    confirm.disabled = !allowed();
    if (skip) skip.onchange = () => { if (!state.sending && !state.done) confirm.disabled = !allowed(); };
    confirm.onclick = send;
    // Another retry choice is checked again: what is confirmed is what the service echoed.
    document.getElementById('pf-retry').onchange = (ev) => open(state.group, ev.target.value);
    document.getElementById('preflight-cancel').onclick = close;
    confirm.focus();
  }

  async function send() {
    if (!state || state.sending || state.done) return;
    const s = state;
    s.sending = true;
    const confirm = document.getElementById('preflight-confirm');
    const cancel = document.getElementById('preflight-cancel');
    const skip = document.getElementById('pf-skip-incomplete');
    confirm.disabled = true;
    cancel.disabled = true;
    if (skip) skip.disabled = true;
    confirm.textContent = '⏳ Iniciando llamadas...';
    const errBox = document.getElementById('pf-error');
    errBox.hidden = true;
    // What was checked is what is sent: the same user and number as the dry run.
    const body = Object.assign({}, s.body, { skipIncomplete: !!(skip && skip.checked) });
    try {
      const env = await apiRequest('POST', `/api/groups/${encodeURIComponent(s.group.id)}/call`, {
        json: body,
        headers: { 'Idempotency-Key': s.key },
      });
      s.done = true;
      showNotification('success', env.message);
      showBatchDetails(env.data);
      if (state === s) close();
      // As the seed's startGroupCall: the button stays disabled, "Llamadas en Curso",
      // until onBatchCompleted.
      const btn = document.getElementById('call-group-btn');
      btn.innerHTML = '📞 Llamadas en Curso';
      btn.className = 'btn btn-warning';
      btn.disabled = true;
      watchBatch(env.data.batchId);
      cbEmit('action');
    } catch (e) {
      s.sending = false;
      // The seed's words for a failed start, then the service's reason.
      const why = 'Error iniciando las llamadas: ' + e.message;
      if (state !== s) return showNotification('error', why);
      errBox.innerHTML = `⚠ ${esc(why)}`;
      errBox.hidden = false;
      if (e.details && e.details.batchId) {
        errBox.innerHTML += ` <a href="?batch=${esc(e.details.batchId)}" data-watch="${esc(e.details.batchId)}">Ver el lote en curso</a>`;
      }
      showNotification('error', why);
      confirm.textContent = confirmLabel();
      confirm.disabled = !(s.plan.recipients.length && (!(s.plan.incomplete || []).length || (skip && skip.checked)));
      cancel.disabled = false;
      if (skip) skip.disabled = false;
    }
  }

  window.cbOpenPreflight = open;
  window.cbClosePreflight = close;
})();
