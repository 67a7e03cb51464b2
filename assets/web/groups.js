// The header's agent numbers and the group list: choosing a group shows its last batch and
// arms "📞 Llamar" (which opens the pre-flight check of preflight.js).
'use strict';

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
      // Reloaded after a call start: the chosen group stays chosen (with its new last batch).
      if (selectedGroup && selectedGroup.id === g.id) {
        selectedGroup = g;
        li.classList.add('selected');
        li.setAttribute('aria-current', 'true');
      }
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      li.innerHTML = `<span>${esc(g.name)}</span><span class="meta">${g.validPhones}/${g.clientsCount} tel.</span>`;
      li.onclick = () => selectGroup(g, li);
      li.onkeydown = (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); selectGroup(g, li); } };
      ul.appendChild(li);
    }
    if (!groups.length) ul.innerHTML = '<li class="meta">No hay grupos</li>';
  } catch (e) {
    ul.innerHTML = `<li class="meta">⚠ ${esc(e.message)}</li>`;
  }
}

function selectGroup(g, li) {
  selectedGroup = g;
  document.querySelectorAll('#groups li').forEach((x) => { x.classList.remove('selected'); x.removeAttribute('aria-current'); });
  li.classList.add('selected');
  li.setAttribute('aria-current', 'true');
  document.getElementById('group-title').textContent = g.name;
  const vars = Object.entries(g.variables || {}).map(([k, v]) => `${k}=${v}`).join(', ');
  // The group's own campaign (agent, number, country), when it has one.
  const own = [
    g.agentId ? `agente ${g.agentId}` : '',
    g.agentPhoneNumberId ? `número ${g.agentPhoneNumberId}` : '',
    g.country ? `país ${g.country}` : '',
  ].filter(Boolean).join(' · ');
  document.getElementById('group-info').textContent =
    `${g.clientsCount} clientes, ${g.validPhones} con teléfono válido` + (vars ? ` · ${vars}` : '') + (own ? ` · ${own}` : '');
  // The group's own number is preselected (the call body's number wins over the group's).
  const sel = document.getElementById('phone-number');
  if (g.agentPhoneNumberId && [...sel.options].some((o) => o.value === g.agentPhoneNumberId)) {
    sel.value = g.agentPhoneNumberId;
  }
  if (window.cbClosePreflight) window.cbClosePreflight();
  const btn = document.getElementById('call-group-btn');
  btn.innerHTML = '📞 Llamar';
  btn.className = 'btn btn-success';
  btn.disabled = false;
  btn.onclick = () => window.cbOpenPreflight(g);
  if (g.lastBatch) {
    if (['pending', 'in_progress'].includes(g.lastBatch.status)) {
      // As the seed: disabled until onBatchCompleted.
      btn.innerHTML = '📞 Llamadas en Curso';
      btn.className = 'btn btn-warning';
      btn.disabled = true;
    }
    watchBatch(g.lastBatch.batchId);
  } else {
    unwatchBatch();
  }
}

/** The user and agent number the header says, as the call routes want them. */
function callBody() {
  return {
    userId: Number(document.getElementById('user-id').value),
    agentPhoneNumberId: document.getElementById('phone-number').value,
  };
}

// `?auto=GROUP_ID` selects a group and presses "📞 Llamar" once the page is ready (the
// pre-flight check then waits for a confirmation): for kiosk demos.
function autoCall() {
  const id = new URLSearchParams(location.search).get('auto');
  if (!id) return;
  const li = document.querySelector(`#groups li[data-group-id="${CSS.escape(id)}"]`);
  if (!li) return showNotification('error', 'Grupo ' + id + ' no encontrado');
  li.click();
  const btn = document.getElementById('call-group-btn');
  if (!btn.disabled) btn.click();
}

document.addEventListener('DOMContentLoaded', () => {
  Promise.all([loadGroups(), loadPhoneNumbers()]).then(autoCall);
});
cbOn('reload', () => { loadGroups(); loadPhoneNumbers(); });
// After a call start the group's last batch has changed.
cbOn('action', loadGroups);
