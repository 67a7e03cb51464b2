// The watched batch beyond the seed: why it stopped (a banner that stays), its automatic
// retries, the batches it continues or is continued by, its KPIs as bars (optionally next
// to another batch's) and its exports.
'use strict';

(function () {
  const STOPS = {
    circuit_breaker: 'el disyuntor lo detuvo: demasiadas llamadas fallidas o muy cortas',
    window_closed: 'se cerró la ventana de llamadas',
  };
  const OUTCOMES = { failed: 'fallidas', voicemail: 'buzón de voz' };
  // Stops reported by the stream (`error` events), kept per batch: a later status view
  // without `stop_reason` must not hide them.
  const streamStops = {};

  function link(id) {
    return `<a href="?batch=${encodeURIComponent(id)}" data-watch="${esc(id)}"><code>${esc(id)}</code></a>`;
  }

  function renderStop(view) {
    const banner = document.getElementById('stop-banner');
    const stop = view.stop_reason || streamStops[view.batch_id];
    if (!stop) {
      banner.hidden = true;
      banner.innerHTML = '';
      delete banner.dataset.code;
      return;
    }
    const wasHidden = banner.hidden;
    banner.hidden = false;
    banner.dataset.code = stop.code;
    const at = stop.at_unix ? ` <span class="when">(${esc(fmt.at(stop.at_unix))})</span>` : '';
    banner.innerHTML = `<strong>⛔ Lote detenido:</strong> ${esc(STOPS[stop.code] || stop.code)}${at}` +
      (stop.message ? `<br>${esc(stop.message)}` : '');
    if (wasHidden) banner.scrollIntoView({ block: 'nearest' });
  }

  function renderAutoRetry(view) {
    const p = document.getElementById('auto-retry');
    const a = view.auto_retry;
    if (!a) { p.hidden = true; p.textContent = ''; return; }
    const what = (a.outcomes || []).map((o) => OUTCOMES[o] || o).join(' y ');
    // Rounds as the retry batches are named ("· reintento 1" is round 1, attempt 2).
    const next = a.rounds + 1;
    const left = Math.max(0, a.max_attempts - a.rounds - 1);
    const final = FINAL.includes(view.status);
    let text;
    if (a.next_at_unix) {
      const when = a.next_at_unix * 1000 <= Date.now() ? 'empezó a las' : 'a las';
      text = `🔁 Reintento automático ${next} (intento ${next + 1} de ${a.max_attempts}) ${when} ${fmt.at(a.next_at_unix)} (${what})`;
    } else if (left === 0) {
      text = `🔁 Reintentos automáticos: no quedan más (hasta ${a.max_attempts} intentos por destinatario)`;
    } else if (!final) {
      text = `🔁 Reintentos automáticos: ${left === 1 ? 'queda 1 reintento' : `quedan ${left} reintentos`} (${what}), ${fmt.duration(a.spacing_secs)} después de la última llamada`;
    } else {
      text = '🔁 Reintentos automáticos: nadie que reintentar';
    }
    p.textContent = text;
    p.hidden = false;
  }

  const FINAL = ['completed', 'partially_completed', 'failed', 'cancelled'];

  // Recipients a stopped batch never dialled: what "Reanudar" resubmits.
  function undialled(view) {
    return (view.recipients || []).filter((r) => !r.conversation_id &&
      ['pending', 'dispatched', 'cancelled'].includes(r.status)).length;
  }

  function renderContinuation(view) {
    const p = document.getElementById('continuation');
    const parts = [];
    if (view.continues) parts.push(`↩ Este lote continúa el lote ${link(view.continues)}`);
    if (view.continued_by) parts.push(`↪ Los destinatarios pendientes continúan en el lote ${link(view.continued_by)}`);
    const n = undialled(view);
    if (FINAL.includes(view.status) && !view.continued_by && n > 0) {
      parts.push(`<button type="button" class="btn btn-secondary" id="resume-btn" data-batch="${esc(view.batch_id)}" data-count="${n}">▶ Reanudar los ${n} nunca llamados</button>`);
    }
    p.innerHTML = parts.join('<br>');
    p.hidden = !parts.length;
    const btn = document.getElementById('resume-btn');
    if (btn) btn.onclick = () => resumeBatch(btn);
  }

  // A stopped batch's undialled recipients, as a new batch the page then follows.
  async function resumeBatch(btn) {
    const id = btn.dataset.batch;
    const ok = await confirmAction('Reanudar',
      `Los ${btn.dataset.count} destinatarios a los que nunca se llamó irán en un lote nuevo ` +
      '(a la próxima apertura si el horario está cerrado); a los ya llamados no se les vuelve a llamar.',
      'Reanudar');
    if (!ok) return;
    btn.disabled = true;
    try {
      const env = await apiRequest('POST', `/api/batch-calls/${encodeURIComponent(id)}/resume`);
      showNotification('success', env.message);
      cbEmit('action');
      if (typeof watchBatch === 'function') watchBatch(env.data.new_batch_id);
    } catch (e) {
      showNotification('error', e.message);
      btn.disabled = false;
    }
  }

  function renderExtras(view) {
    renderStop(view);
    renderAutoRetry(view);
    renderContinuation(view);
  }
  window.cbRenderBatchExtras = renderExtras;
  cbOn('rendered', renderExtras);

  cbOn('stream-error', (batchId, d) => {
    if (d.code !== 'circuit_breaker' && d.code !== 'window_closed') return;
    streamStops[batchId] = { code: d.code, message: d.message, at_unix: Math.floor(Date.now() / 1000) };
    if (batchId === watchedBatch) renderStop(lastView && lastView.batch_id === batchId ? lastView : { batch_id: batchId });
    cbEmit('action');
  });

  // ---- exports: the routes need the bearer token, so fetch and save a Blob.
  async function exportBatch(format) {
    const id = watchedBatch;
    if (!id) return;
    const btn = document.getElementById('export-' + format);
    btn.disabled = true;
    const path = `/api/batch-calls/${encodeURIComponent(id)}/export?format=${format}`;
    try {
      let blob;
      if (format === 'csv') {
        const r = await apiRequest('GET', path, { raw: true });
        blob = await r.blob();
      } else {
        const env = await apiRequest('GET', path);
        blob = new Blob([JSON.stringify(env.data, null, 2)], { type: 'application/json' });
      }
      const name = `${id}.${format}`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      showNotification('success', `Exportación descargada: ${name}`);
    } catch (e) {
      showNotification('error', `Exportación ${format.toUpperCase()}: ${e.message}`);
    } finally {
      btn.disabled = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('export-csv').onclick = () => exportBatch('csv');
    document.getElementById('export-json').onclick = () => exportBatch('json');
  });

  cbOn('watch', (batchId, changed) => {
    document.getElementById('export-actions').hidden = false;
    if (changed) renderExtras({ batch_id: batchId });
  });
  cbOn('unwatch', () => {
    document.getElementById('export-actions').hidden = true;
    renderExtras({});
  });
})();
