// The seed document's own frontend code («Implementación en Frontend»), unchanged.
// app.js supplies the helpers it calls (showNotification, showBatchDetails, showBatchResults).

async function startGroupCall(groupId, userId, phoneNumberId) {
  try {
    // Mostrar loading
    const btn = document.getElementById('call-group-btn');
    const originalText = btn.innerHTML;
    btn.innerHTML = '⏳ Iniciando llamadas...';
    btn.disabled = true;

    // Iniciar batch call
    const response = await fetch(`/api/groups/${groupId}/call`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({
        userId: userId,
        agentPhoneNumberId: phoneNumberId
      })
    });

    const result = await response.json();

    if (result.success) {
      showNotification('success', result.message);
      
      // Mostrar detalles del batch
      showBatchDetails(result.data);
      
      // Cambiar botón a "Llamadas en Curso"
      btn.innerHTML = '📞 Llamadas en Curso';
      btn.classList.remove('btn-success');
      btn.classList.add('btn-warning');
      
      // Iniciar monitoreo del progreso con SSE
      startBatchMonitoringSSE(result.data.batchId);
      
    } else {
      showNotification('error', result.message);
      btn.innerHTML = originalText;
      btn.disabled = false;
    }

  } catch (error) {
    console.error('Error:', error);
    showNotification('error', 'Error iniciando las llamadas');
    
    // Restaurar botón
    const btn = document.getElementById('call-group-btn');
    btn.innerHTML = '📞 Llamar';
    btn.disabled = false;
  }
}

// Monitorear progreso del batch call con Server-Sent Events (RECOMENDADO)
function startBatchMonitoringSSE(batchId) {
  console.log(`🔄 Iniciando monitoreo SSE para batch: ${batchId}`);
  
  // Crear conexión EventSource
  const eventSource = new EventSource(`/api/batch-calls/${batchId}/status/stream`);
  
  // Manejar conexión establecida
  eventSource.addEventListener('connected', (event) => {
    const data = JSON.parse(event.data);
    console.log('✅ Conexión SSE establecida:', data.message);
    showNotification('info', 'Monitoreo en tiempo real iniciado');
  });
  
  // Manejar actualizaciones de estado
  eventSource.addEventListener('status-update', (event) => {
    const data = JSON.parse(event.data);
    console.log('📊 Actualización de estado recibida:', data);
    
    if (data.success) {
      updateBatchProgress(data.data);
    }
  });
  
  // Manejar finalización del batch
  eventSource.addEventListener('batch-completed', (event) => {
    const data = JSON.parse(event.data);
    console.log('✅ Batch completado:', data);
    
    onBatchCompleted(data.data);
    eventSource.close();
  });
  
  // Manejar errores
  eventSource.addEventListener('error', (event) => {
    const data = JSON.parse(event.data);
    console.error('❌ Error en SSE:', data);
    showNotification('error', data.message || 'Error en el monitoreo');
  });
  
  // Manejar timeout
  eventSource.addEventListener('timeout', (event) => {
    const data = JSON.parse(event.data);
    console.log('⏰ Timeout SSE:', data.message);
    showNotification('warning', 'Conexión cerrada por timeout');
    eventSource.close();
  });
  
  // Manejar errores de conexión
  eventSource.onerror = (error) => {
    console.error('❌ Error de conexión SSE:', error);
    showNotification('error', 'Error de conexión con el servidor');
    
    // Reconectar después de 5 segundos si es necesario
    setTimeout(() => {
      if (eventSource.readyState === EventSource.CLOSED) {
        console.log('🔄 Reintentando conexión SSE...');
        startBatchMonitoringSSE(batchId);
      }
    }, 5000);
  };
  
  // Cerrar conexión cuando se cierre la página
  window.addEventListener('beforeunload', () => {
    eventSource.close();
  });
  
  return eventSource;
}

// Monitorear progreso del batch call (versión tradicional con polling)
async function startBatchMonitoringPolling(batchId) {
  const interval = setInterval(async () => {
    try {
      const response = await fetch(`/api/batch-calls/${batchId}/status`);
      const result = await response.json();
      
      if (result.success) {
        updateBatchProgress(result.data);
        
        // Detener monitoreo si está completado
        if (['completed', 'cancelled', 'failed'].includes(result.data.status)) {
          clearInterval(interval);
          onBatchCompleted(result.data);
        }
      }
    } catch (error) {
      console.error('Error monitoreando batch:', error);
    }
  }, 5000); // Consultar cada 5 segundos
}

function updateBatchProgress(batchData) {
  // Actualizar UI con progreso
  const progressBar = document.getElementById('batch-progress');
  const completed = batchData.recipients.filter(r => r.status === 'completed').length;
  const total = batchData.recipients.length;
  const percentage = (completed / total) * 100;
  
  progressBar.style.width = `${percentage}%`;
  progressBar.textContent = `${completed}/${total} completadas`;
}

function onBatchCompleted(batchData) {
  // Restaurar botón y mostrar resultados
  const btn = document.getElementById('call-group-btn');
  btn.innerHTML = '✅ Llamadas Completadas';
  btn.classList.remove('btn-warning');
  btn.classList.add('btn-success');
  btn.disabled = false;
  
  showBatchResults(batchData);
}
