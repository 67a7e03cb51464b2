// KPIs of the watched batch from `GET /api/batch-calls/:id/report`: one bar per rate with
// its value written next to it (a bar alone would say it with colour and length only),
// and with "Comparar con…" the other batch's bar (striped) and the difference.
'use strict';

(function () {
  const RATES = [
    ['pickup_rate', 'Contestadas'],
    ['voicemail_rate', 'Buzón de voz'],
    ['failure_rate', 'Fallidas'],
    ['success_rate', 'Exitosas (de las contestadas)'],
    ['coverage', 'Cobertura de la lista'],
  ];
  // Seconds the throttle waits between reports while a batch runs.
  const LIVE_REFRESH_MS = 3000;
  let seq = 0;
  let timer = null;
  let loads = 0;

  const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const val = (k, key) => (k ? (k[key] ?? k[camel(key)] ?? null) : null);
  const section = () => document.getElementById('kpi-section');

  function deltaText(d, unit) {
    if (d == null) return '';
    const sign = d > 0 ? '▲ +' : d < 0 ? '▼ −' : '= ';
    const abs = Math.abs(d);
    return unit === 'pts' ? `${sign}${fmt.num(abs * 100, 1)} pts` : `${sign}${fmt.duration(abs)}`;
  }

  function bar(v, label, cls) {
    const now = v == null ? 'aria-valuetext="sin datos"' : `aria-valuenow="${(v * 100).toFixed(1)}" aria-valuetext="${esc(fmt.pct(v))}"`;
    const width = v == null ? 0 : Math.max(0, Math.min(100, v * 100));
    return `<div class="bar ${cls}" role="meter" aria-label="${esc(label)}" aria-valuemin="0" aria-valuemax="100" ${now}>` +
      `<div class="fill" style="width:${width}%"></div></div>`;
  }

  function render(data) {
    const cmp = data && data.a && data.b ? data : null;
    const k = cmp ? cmp.b : data;
    const o = cmp ? cmp.a : null;
    const legend = o
      ? `<p class="kpi-legend"><span class="swatch this"></span> Este lote (${esc(k.name)}) · <span class="swatch other"></span> Comparado: ${esc(o.name)}</p>`
      : '';
    const rows = RATES.map(([key, label]) => {
      const v = val(k, key);
      const ov = o ? val(o, key) : null;
      let d = null;
      if (cmp) d = val(cmp, key + '_delta') ?? (v != null && ov != null ? v - ov : null);
      const attrs = `data-kpi="${key}" data-value="${v ?? ''}"` + (o ? ` data-compare-value="${ov ?? ''}" data-delta="${d ?? ''}"` : '');
      const text = fmt.pct(v) + (o ? ` <span class="kpi-other">vs ${esc(fmt.pct(ov))}</span> <span class="kpi-delta">${esc(deltaText(d, 'pts'))}</span>` : '');
      return `<div class="kpi-row" ${attrs}><span class="kpi-label">${esc(label)}</span><div class="kpi-bars">` +
        bar(v, `${label}: este lote`, 'this') + (o ? bar(ov, `${label}: ${o.name}`, 'other') : '') +
        `</div><span class="kpi-value">${text}</span></div>`;
    }).join('');
    document.getElementById('kpi-bars').innerHTML = legend + rows;

    const numbers = [
      ['finished', 'Finalizadas', (x) => `${x.finished ?? 0}/${x.total ?? 0}`, null],
      ['average_duration_secs', 'Duración media', (x) => fmt.duration(val(x, 'average_duration_secs')), 'average_duration_delta_secs'],
      ['calls_per_hour', 'Llamadas por hora', (x) => fmt.num(val(x, 'calls_per_hour'), 1), null],
      ['retry_count', 'Reintentos', (x) => String(val(x, 'retry_count') ?? 0), null],
    ];
    if (val(k, 'cost_total') != null || (o && val(o, 'cost_total') != null)) {
      numbers.push(['cost_total', 'Costo total', (x) => (val(x, 'cost_total') == null ? 'desconocido'
        : `${fmt.num(val(x, 'cost_total'), 2)} créditos (conocido para ${val(x, 'cost_known_for') ?? 0} llamadas)`), null]);
    }
    document.getElementById('kpi-numbers').innerHTML = numbers.map(([key, label, show, deltaKey]) => {
      let dd = esc(show(k));
      if (o) {
        dd += ` <span class="kpi-other">vs ${esc(show(o))}</span>`;
        if (deltaKey) dd += ` <span class="kpi-delta">${esc(deltaText(val(cmp, deltaKey), 'secs'))}</span>`;
      }
      return `<div data-kpi="${key}" data-value="${val(k, key) ?? ''}"><dt>${esc(label)}</dt><dd>${dd}</dd></div>`;
    }).join('');
  }

  async function load() {
    clearTimeout(timer);
    timer = null;
    const id = watchedBatch;
    if (!id) return;
    const other = document.getElementById('kpi-compare').value;
    const mine = ++seq;
    const final = document.body.dataset.batchState === 'done';
    const msg = document.getElementById('kpi-msg');
    const path = `/api/batch-calls/${encodeURIComponent(id)}/report` + (other ? `?compare=${encodeURIComponent(other)}` : '');
    try {
      const env = await apiRequest('GET', path);
      if (mine !== seq || id !== watchedBatch) return; // a newer request, or another batch
      render(env.data);
      msg.className = 'meta';
      msg.textContent = final ? '' : 'Lote en curso: los indicadores se actualizan solos';
      const s = section();
      s.dataset.kpiFor = id;
      s.dataset.compareWith = other;
      s.dataset.final = String(final);
      s.dataset.loads = String(++loads);
    } catch (e) {
      if (mine !== seq) return;
      msg.className = 'error';
      msg.textContent = '⚠ ' + e.message;
    }
  }

  async function loadChoices() {
    const sel = document.getElementById('kpi-compare');
    const keep = sel.value;
    try {
      const list = await api('/api/batch-calls');
      const others = list.filter((b) => b.batch_id !== watchedBatch);
      sel.innerHTML = '<option value="">(ninguno)</option>' + others.map((b) =>
        `<option value="${esc(b.batch_id)}">${esc(b.call_name)} — ${esc(fmt.when(b.created_at))} · ${esc(BATCH_STATUS_ES[b.status] || b.status)}` +
        `${b.stop_reason ? ' · detenido' : ''}</option>`).join('');
      sel.value = others.some((b) => b.batch_id === keep) ? keep : '';
      if (sel.value !== keep) load();
    } catch (e) {
      const msg = document.getElementById('kpi-msg');
      msg.className = 'error';
      msg.textContent = '⚠ Lista de batches: ' + e.message;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('kpi-compare').onchange = load;
    document.getElementById('kpi-refresh').onclick = load;
  });
  cbOn('watch', (batchId, changed) => {
    section().hidden = false;
    if (changed) {
      seq++;
      document.getElementById('kpi-compare').value = '';
      document.getElementById('kpi-bars').innerHTML = '';
      document.getElementById('kpi-numbers').innerHTML = '';
      delete section().dataset.kpiFor;
      delete section().dataset.final;
    }
    load();
    loadChoices();
  });
  cbOn('unwatch', () => {
    seq++;
    section().hidden = true;
  });
  // While the batch runs, at most one report every few seconds; once more at its end.
  cbOn('update', () => {
    if (!timer) timer = setTimeout(load, LIVE_REFRESH_MS);
  });
  cbOn('finished', () => {
    load();
    loadChoices();
  });
})();
