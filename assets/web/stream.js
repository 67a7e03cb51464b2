// The watched batch's live stream as callboard's own page follows it: delta events
// (`?view=delta`: the whole view once, then only the recipients that changed, each event
// with an id to resume from), handed to the functions the seed's SSE code calls
// (updateBatchProgress, onBatchCompleted, showNotification). A stream the service refuses
// (the batch does not exist or is not yours: 404) or ends with a fatal `error` event is not
// opened again. seed.js's own startBatchMonitoringSSE stays as the seed wrote it, and the
// service still sends its full events to anyone who, like it, asks for nothing.
'use strict';

(function () {
  if (!window.EventSource) return; // app.js falls back to the seed's polling
  const FATAL = ['upstream_not_found', 'batch_not_found'];
  const REOPEN_MS = 5000;

  // Recipients of a delta, put where the whole view has them; false when they do not fit.
  function merge(view, d) {
    const pos = d.positions || [];
    const rs = (d.data && d.data.recipients) || [];
    if (!view || pos.length !== rs.length) return null;
    const all = (view.recipients || []).slice();
    for (let i = 0; i < pos.length; i++) {
      if (!all[pos[i]] || all[pos[i]].id !== rs[i].id) return null;
      all[pos[i]] = rs[i];
    }
    return Object.assign({}, d.data, { recipients: all });
  }

  function follow(batchId) {
    const st = { batchId, es: null, view: null, lastId: null, stopped: false, timer: null };
    const control = {
      batchId,
      close() {
        st.stopped = true;
        clearTimeout(st.timer);
        if (st.es) st.es.close();
      },
      get readyState() { return st.stopped ? 2 : (st.es ? st.es.readyState : 0); },
    };
    const reopen = (ms) => {
      if (st.es) st.es.close();
      clearTimeout(st.timer);
      st.timer = setTimeout(() => { if (!st.stopped) open(); }, ms);
    };
    // Refused (an HTTP error, which EventSource cannot read): the status route says why.
    async function refused() {
      let r = null, body = null;
      try {
        r = await fetch(`/api/batch-calls/${encodeURIComponent(batchId)}/status`);
        body = await r.json();
      } catch (e) { /* unreachable: try again later */ }
      if (st.stopped) return;
      if (r && [401, 403, 404].includes(r.status)) {
        control.close();
        showNotification('error', (body && body.message) || 'El lote no existe o no es suyo');
        document.body.dataset.streamState = 'stopped';
        return;
      }
      showNotification('error', 'Error de conexión con el servidor');
      reopen(REOPEN_MS);
    }
    function open() {
      let url = `/api/batch-calls/${encodeURIComponent(batchId)}/status/stream?view=delta`;
      if (st.lastId) url += '&lastEventId=' + encodeURIComponent(st.lastId);
      // app.js's EventSource adds the token and reports stops (circuit breaker) to the page.
      const es = new EventSource(url);
      st.es = es;
      document.body.dataset.streamState = 'open';
      es.addEventListener('connected', () => showNotification('info', 'Monitoreo en tiempo real iniciado'));
      es.addEventListener('status-update', (ev) => {
        const d = JSON.parse(ev.data);
        st.view = d.data;
        st.lastId = ev.lastEventId || null;
        if (d.success) updateBatchProgress(st.view);
      });
      es.addEventListener('status-delta', (ev) => {
        const d = JSON.parse(ev.data);
        const view = d.base === st.lastId ? merge(st.view, d) : null;
        if (!view) {
          // It does not fit what we hold: the whole view again.
          st.view = null;
          st.lastId = null;
          reopen(0);
          return;
        }
        st.view = view;
        st.lastId = ev.lastEventId || null;
        if (d.success) updateBatchProgress(view);
      });
      es.addEventListener('batch-completed', (ev) => {
        const d = JSON.parse(ev.data);
        control.close();
        document.body.dataset.streamState = 'done';
        onBatchCompleted(d.data || st.view);
      });
      es.addEventListener('error', (ev) => {
        if (!ev.data) return; // a connection error: onerror below
        let d = {};
        try { d = JSON.parse(ev.data); } catch (e) { /* keep the generic message */ }
        showNotification('error', d.message || 'Error en el monitoreo');
        if (d.fatal || FATAL.includes(d.code)) {
          control.close();
          document.body.dataset.streamState = 'stopped';
        }
      });
      es.addEventListener('timeout', () => {
        showNotification('warning', 'Conexión cerrada por timeout');
        reopen(0);
      });
      es.onerror = () => {
        if (st.stopped || es !== st.es) return;
        // CONNECTING: the browser reconnects by itself, sending the last id it saw.
        if (es.readyState === EventSource.CLOSED) refused();
      };
    }
    open();
    return control;
  }

  // One stream at a time, the watched batch's (app.js's rules), now with delta events.
  window.startBatchMonitoringSSE = function (batchId) {
    if (watchedBatch && batchId !== watchedBatch) return null;
    if (currentSource) currentSource.close();
    currentSource = follow(batchId);
    return currentSource;
  };
  window.cbMergeDelta = merge;
})();
