//! Messages with values (counts, names, times), in both languages.

use crate::domain::Lang;
use crate::domain::{BatchStatus, RecipientStatus};

use super::duration::short_duration;
use super::strings::Strings;

impl Strings {
    fn es(&self) -> bool {
        self.lang == Lang::Es
    }

    pub fn recipient_status(&self, s: &RecipientStatus) -> String {
        if self.es() {
            return s.label_es().to_string();
        }
        match s {
            RecipientStatus::Pending => "queued",
            RecipientStatus::Dispatched => "dispatched",
            RecipientStatus::Initiated => "dialling",
            RecipientStatus::InProgress => "in call",
            RecipientStatus::Completed => "completed",
            RecipientStatus::Failed => "failed",
            RecipientStatus::Cancelled => "cancelled",
            RecipientStatus::Voicemail => "voicemail",
            RecipientStatus::Unknown(s) => s,
        }
        .to_string()
    }

    pub fn batch_status(&self, s: &BatchStatus) -> String {
        if self.es() {
            return s.label_es().to_string();
        }
        match s {
            BatchStatus::Pending => "queued",
            BatchStatus::InProgress => "in progress",
            BatchStatus::Completed => "completed",
            BatchStatus::PartiallyCompleted => "partially completed",
            BatchStatus::Failed => "failed",
            BatchStatus::Cancelled => "cancelled",
            BatchStatus::Unknown(s) => s,
        }
        .to_string()
    }

    /// For the batches list, where the name needs the room: "parcial" for partially
    /// completed, the others as [`Strings::batch_status`] says them.
    pub fn batch_status_short(&self, s: &BatchStatus) -> String {
        match (s, self.es()) {
            (BatchStatus::PartiallyCompleted, true) => "parcial".into(),
            (BatchStatus::PartiallyCompleted, false) => "partial".into(),
            _ => self.batch_status(s),
        }
    }

    pub fn conn_live(&self) -> &'static str {
        if self.es() { "en vivo" } else { "live" }
    }
    pub fn conn_connecting(&self) -> &'static str {
        if self.es() {
            "conectando"
        } else {
            "connecting"
        }
    }
    pub fn conn_reconnecting(&self, attempt: u32) -> String {
        if self.es() {
            format!("reconectando (intento {attempt})")
        } else {
            format!("reconnecting (attempt {attempt})")
        }
    }
    pub fn conn_polling(&self) -> &'static str {
        if self.es() {
            "consultando cada 5 s"
        } else {
            "polling every 5 s"
        }
    }
    pub fn conn_offline(&self) -> &'static str {
        if self.es() {
            "sin conexión"
        } else {
            "offline"
        }
    }
    pub fn conn_ended(&self) -> &'static str {
        if self.es() { "terminado" } else { "ended" }
    }
    pub fn conn_idle(&self) -> &'static str {
        if self.es() { "en espera" } else { "idle" }
    }
    pub fn age(&self, secs: i64) -> String {
        if self.es() {
            format!("hace {}", short_duration(secs))
        } else {
            format!("{} ago", short_duration(secs))
        }
    }

    pub fn confirm_call(&self, group: &str, n: usize) -> String {
        if self.es() {
            format!("¿Llamar al grupo «{group}»? Se llamará a {n} destinatarios.")
        } else {
            format!("Call group “{group}”? {n} recipients will be dialled.")
        }
    }
    pub fn confirm_retry(&self, batch: &str, n: usize) -> String {
        if self.es() {
            format!(
                "¿Reintentar el lote «{batch}»? Se volverá a llamar a {n} destinatarios (fallidas y buzón de voz)."
            )
        } else {
            format!(
                "Retry batch “{batch}”? {n} recipients (failed and voicemail) will be dialled again."
            )
        }
    }
    pub fn confirm_cancel(&self, batch: &str, stop: usize, running: usize) -> String {
        let es = self.es();
        let waiting = match (es, stop) {
            (true, 0) => "Ya no queda nadie por llamar".to_string(),
            (true, 1) => "No se llamará al destinatario que aún espera".to_string(),
            (true, n) => format!("No se llamará a los {n} destinatarios que aún esperan"),
            (false, 0) => "Nobody is left to call".to_string(),
            (false, 1) => "The waiting recipient will not be called".to_string(),
            (false, n) => format!("The {n} waiting recipients will not be called"),
        };
        let live = match (es, running) {
            (true, 0) => ". No hay llamadas en curso.".to_string(),
            (true, 1) => "; la llamada en curso terminará normalmente.".to_string(),
            (true, n) => format!("; las {n} llamadas en curso terminarán normalmente."),
            (false, 0) => ". No call is in progress.".to_string(),
            (false, 1) => "; the call in progress will end normally.".to_string(),
            (false, n) => format!("; the {n} calls in progress will end normally."),
        };
        if es {
            format!("¿Cancelar el lote «{batch}»? {waiting}{live}")
        } else {
            format!("Cancel batch “{batch}”? {waiting}{live}")
        }
    }
    pub fn confirm_resume(&self, batch: &str, n: usize) -> String {
        if self.es() {
            format!(
                "¿Reanudar el lote «{batch}»? Los {n} destinatarios a los que nunca se llamó irán en un lote nuevo (a la próxima apertura si el horario está cerrado); a los ya llamados no se les vuelve a llamar."
            )
        } else {
            format!(
                "Resume batch “{batch}”? The {n} recipients never dialled go into a new batch (at the next opening when calling hours are closed); those already dialled are not called again."
            )
        }
    }
    pub fn resumed(&self, n: usize, batch: &str, at: Option<String>) -> String {
        match (self.es(), at) {
            (true, Some(at)) => {
                format!("Reanudado: {n} destinatarios en el lote {batch}, programado para el {at}.")
            }
            (true, None) => format!("Reanudado: {n} destinatarios en el lote {batch}."),
            (false, Some(at)) => {
                format!("Resumed: {n} recipients in batch {batch}, scheduled for {at}.")
            }
            (false, None) => format!("Resumed: {n} recipients in batch {batch}."),
        }
    }
    pub fn resume_running(&self) -> &'static str {
        if self.es() {
            "El lote sigue en curso: cancélelo (x) o espere a que termine para reanudar."
        } else {
            "The batch is still running: cancel it (x) or wait for it to end before resuming."
        }
    }
    pub fn already_continued(&self, next: &str) -> String {
        if self.es() {
            format!("Este lote ya continúa en {next} (g para abrirlo).")
        } else {
            format!("This batch already continues in {next} (g to open it).")
        }
    }
    pub fn nothing_to_resume(&self) -> &'static str {
        if self.es() {
            "A todos los destinatarios de este lote ya se los llamó: no hay nada que reanudar."
        } else {
            "Every recipient of this batch was dialled: nothing to resume."
        }
    }
    pub fn started(&self, n: usize, batch: &str) -> String {
        if self.es() {
            format!("Llamadas iniciadas: {n} destinatarios en el lote {batch}.")
        } else {
            format!("Calls started: {n} recipients in batch {batch}.")
        }
    }
    pub fn retried(&self, n: usize) -> String {
        if self.es() {
            format!("Reintento enviado: se volverá a llamar a {n} destinatarios.")
        } else {
            format!("Retry sent: {n} calls will be dialled again.")
        }
    }
    pub fn cancelled(&self, n: usize) -> String {
        if self.es() {
            format!("Lote cancelado: {n} llamadas no se harán.")
        } else {
            format!("Batch cancelled: {n} calls will not be made.")
        }
    }
    pub fn exported(&self, n: usize, path: &str) -> String {
        if self.es() {
            format!("Exportados {n} destinatarios a {path}")
        } else {
            format!("Exported {n} recipients to {path}")
        }
    }
    /// No player found: which were looked for, and the saved file (or the URL).
    pub fn no_player_found(&self, players: &str, place: &str, saved: bool) -> String {
        match (self.es(), saved) {
            (true, true) => format!(
                "No hay reproductor de audio (se buscan {players}); grabación guardada en {place}"
            ),
            (true, false) => format!(
                "No hay reproductor de audio (se buscan {players}); la grabación está en {place}"
            ),
            (false, true) => {
                format!("No audio player (looked for {players}); recording saved to {place}")
            }
            (false, false) => {
                format!("No audio player (looked for {players}); the recording is at {place}")
            }
        }
    }
    pub fn playing(&self, player: &str) -> String {
        if self.es() {
            format!("Reproduciendo con {player}…")
        } else {
            format!("Playing with {player}…")
        }
    }
    pub fn finished(&self, status: &str) -> String {
        if self.es() {
            format!("El lote terminó: {status}.")
        } else {
            format!("The batch ended: {status}.")
        }
    }
    /// The gauge: calls that ended (any way but cancelled) of all recipients.
    pub fn gauge_label(&self, done: usize, total: usize, percent: u32) -> String {
        if self.es() {
            format!("{done}/{total} terminadas ({percent}%)")
        } else {
            format!("{done}/{total} ended ({percent}%)")
        }
    }
    pub fn cancelled_count(&self, n: usize) -> String {
        match (self.es(), n) {
            (true, 1) => "1 cancelada".into(),
            (true, n) => format!("{n} canceladas"),
            (false, n) => format!("{n} cancelled"),
        }
    }
    /// `at` as [`Strings::at_time`] writes it.
    pub fn starts_at(&self, at: &str) -> String {
        if self.es() {
            format!("programado: empieza {at}")
        } else {
            format!("scheduled: starts {at}")
        }
    }
    pub fn ended_at(&self, at: &str) -> String {
        if self.es() {
            format!("terminó {at}")
        } else {
            format!("ended {at}")
        }
    }
    pub fn showing(&self, shown: usize, total: usize) -> String {
        if self.es() {
            format!("{shown} de {total}")
        } else {
            format!("{shown} of {total}")
        }
    }

    /// An export could not be written.
    pub fn write_failed(&self, path: &str, error: &str) -> String {
        if self.es() {
            format!("No se pudo escribir {path}: {error}")
        } else {
            format!("Could not write {path}: {error}")
        }
    }

    pub fn needs_terminal(&self) -> &'static str {
        if self.es() {
            "callboard tui necesita una terminal (la salida no es una TTY)"
        } else {
            "callboard tui needs a terminal (stdout is not a TTY)"
        }
    }

    /// Raw mode or the alternate screen could not be set up.
    pub fn terminal_failed(&self) -> &'static str {
        "no se pudo preparar la terminal"
    }
}
