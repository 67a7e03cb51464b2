// The access token, asked once and in one place. /health says whether the service wants
// one; without a working token the page shows only the panel that asks for it (no list of
// red errors behind it), and once it works everything loads. "🔑 Token" in the header
// changes it later. Also the campaign's time zone, for every time the page shows.
'use strict';

(function () {
  const KEY = 'callboard.token';
  let needed = false;

  /** Whether `token` opens the API: a 401 means it does not. */
  async function works(token) {
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    try {
      const r = await fetch('/api/phone-numbers', { headers, cache: 'no-store' });
      return r.status !== 401 && r.status !== 403;
    } catch (e) {
      return true; // the service is down: other sections say so.
    }
  }

  function show(message) {
    document.body.dataset.auth = 'needed';
    const panel = document.getElementById('auth-panel');
    panel.hidden = false;
    document.getElementById('auth-msg').textContent = message || '';
    document.getElementById('auth-token').focus();
  }

  function hide() {
    delete document.body.dataset.auth;
    document.getElementById('auth-panel').hidden = true;
  }

  async function submit(ev) {
    ev.preventDefault();
    const input = document.getElementById('auth-token');
    const value = input.value.trim();
    if (!value) return show('Pegue el token para continuar.');
    if (!(await works(value))) {
      input.setAttribute('aria-invalid', 'true');
      return show('Ese token no es válido para este servicio. Revise que esté completo.');
    }
    input.removeAttribute('aria-invalid');
    input.value = '';
    localStorage.setItem(KEY, value);
    hide();
    showNotification('success', 'Token guardado en este navegador');
    cbEmit('reload');
    if (watchedBatch) {
      const id = watchedBatch;
      watchedBatch = null;
      watchBatch(id);
    }
  }

  // While the page waits for a token, errors of the sections behind the panel are noise.
  window.cbAuthNeeded = () => needed && document.body.dataset.auth === 'needed';

  // Any 401 from the API means a token is wanted, whether or not /health has answered yet
  // (the sections behind the panel may ask first) or the saved token was revoked since.
  window.cbAuthRejected = () => {
    needed = true;
    document.getElementById('auth-change').hidden = false;
    if (document.body.dataset.auth === 'needed') return;
    show(localStorage.getItem(KEY) ? 'El token guardado ya no sirve: pegue uno nuevo.' : '');
  };

  document.addEventListener('DOMContentLoaded', async () => {
    document.getElementById('auth-form').addEventListener('submit', submit);
    document.getElementById('auth-change').onclick = () => show('');
    let health = null;
    try { health = (await (await fetch('/health', { cache: 'no-store' })).json()).data; } catch (e) { health = null; }
    if (health && health.timezone) cbSetTimeZone(health.timezone);
    needed = needed || !!(health && health.auth);
    document.getElementById('auth-change').hidden = !needed;
    if (!needed || document.body.dataset.auth === 'needed') return;
    const saved = localStorage.getItem(KEY) || '';
    if (!saved) return show('');
    if (!(await works(saved))) show('El token guardado ya no sirve: pegue uno nuevo.');
  });
})();
