//! Every word the dashboard shows, in Spanish (default) and English. Kept in one place so
//! screens, help and hints never hard-code text (gitui's `strings.rs`).

use crate::config::Lang;
use crate::domain::{BatchStatus, RecipientStatus};

/// Fixed words and short phrases. Messages with values are the methods below.
#[derive(Debug)]
pub struct Strings {
    pub lang: Lang,
    pub groups: &'static str,
    pub batches: &'static str,
    pub batch: &'static str,
    pub recipients: &'static str,
    pub transcript: &'static str,
    pub help: &'static str,
    pub direct: &'static str,
    pub no_groups: &'static str,
    pub no_batches: &'static str,
    pub no_batch: &'static str,
    pub no_transcript: &'static str,
    pub col_name: &'static str,
    pub col_clients: &'static str,
    pub col_valid: &'static str,
    pub col_last: &'static str,
    pub col_status: &'static str,
    pub col_progress: &'static str,
    pub col_created: &'static str,
    pub col_phone: &'static str,
    pub col_duration: &'static str,
    pub col_summary: &'static str,
    pub elapsed: &'static str,
    pub eta: &'static str,
    pub per_minute: &'static str,
    pub variables: &'static str,
    pub history: &'static str,
    pub summary: &'static str,
    pub verdict: &'static str,
    pub audio: &'static str,
    pub agent: &'static str,
    pub user: &'static str,
    pub confirm_yes_no: &'static str,
    pub phone_to_use: &'static str,
    pub schedule: &'static str,
    pub schedule_hint: &'static str,
    pub now_word: &'static str,
    pub skipped: &'static str,
    pub missing_vars: &'static str,
    pub skip_incomplete: &'static str,
    pub force: &'static str,
    pub filter: &'static str,
    pub sort: &'static str,
    pub marked: &'static str,
    pub none: &'static str,
    pub loading: &'static str,
    pub help_title: &'static str,
    pub help_close: &'static str,
    pub no_player: &'static str,
    pub nothing_to_retry: &'static str,
    pub batch_final: &'static str,
    pub no_batch_selected: &'static str,
    pub no_recording: &'static str,
    pub invalid_time: &'static str,
}

pub static ES: Strings = Strings {
    lang: Lang::Es,
    groups: "Grupos",
    batches: "Lotes",
    batch: "Lote",
    recipients: "Destinatarios",
    transcript: "Conversación",
    help: "ayuda",
    direct: "directo",
    no_groups: "No hay grupos. Importe clientes con `callboard import clients`.",
    no_batches: "Aún no hay lotes.",
    no_batch: "Ningún lote abierto: elija uno en Lotes (enter) o llame a un grupo (c).",
    no_transcript: "Sin transcripción todavía.",
    col_name: "Nombre",
    col_clients: "Clientes",
    col_valid: "Válidos",
    col_last: "Último lote",
    col_status: "Estado",
    col_progress: "Progreso",
    col_created: "Creado",
    col_phone: "Teléfono",
    col_duration: "Duración",
    col_summary: "Resumen",
    elapsed: "transcurrido",
    eta: "fin estimado",
    per_minute: "completadas/min",
    variables: "Variables enviadas",
    history: "Historial de estados",
    summary: "Resumen",
    verdict: "Resultado",
    audio: "Audio",
    agent: "Agente",
    user: "Cliente",
    confirm_yes_no: "y = sí · n/esc = no",
    phone_to_use: "Número que llama (←/→)",
    schedule: "Programar (tab para escribir)",
    schedule_hint: "AAAA-MM-DD HH:MM, vacío = ahora",
    now_word: "ahora",
    skipped: "Omitidos",
    missing_vars: "Variables faltantes",
    skip_incomplete: "o = omitir incompletos",
    force: "f = forzar aunque haya un lote activo",
    filter: "filtro",
    sort: "orden",
    marked: "marcados",
    none: "ninguno",
    loading: "cargando…",
    help_title: "Atajos de teclado",
    help_close: "esc o ? para cerrar",
    no_player: "No hay reproductor de audio en este sistema (instale mpv, ffplay o vlc); el audio está en",
    nothing_to_retry: "No hay llamadas fallidas ni buzones de voz que reintentar.",
    batch_final: "El lote ya terminó; no hay nada que cancelar.",
    no_batch_selected: "Primero abra un lote.",
    no_recording: "Esta llamada no tiene grabación.",
    invalid_time: "Hora no válida: use AAAA-MM-DD HH:MM",
};

pub static EN: Strings = Strings {
    lang: Lang::En,
    groups: "Groups",
    batches: "Batches",
    batch: "Batch",
    recipients: "Recipients",
    transcript: "Conversation",
    help: "help",
    direct: "direct",
    no_groups: "No groups. Import clients with `callboard import clients`.",
    no_batches: "No batches yet.",
    no_batch: "No batch open: pick one in Batches (enter) or call a group (c).",
    no_transcript: "No transcript yet.",
    col_name: "Name",
    col_clients: "Clients",
    col_valid: "Valid",
    col_last: "Last batch",
    col_status: "Status",
    col_progress: "Progress",
    col_created: "Created",
    col_phone: "Phone",
    col_duration: "Duration",
    col_summary: "Summary",
    elapsed: "elapsed",
    eta: "ETA",
    per_minute: "completed/min",
    variables: "Variables sent",
    history: "Status history",
    summary: "Summary",
    verdict: "Outcome",
    audio: "Audio",
    agent: "Agent",
    user: "Client",
    confirm_yes_no: "y = yes · n/esc = no",
    phone_to_use: "Calling number (←/→)",
    schedule: "Schedule (tab to type)",
    schedule_hint: "YYYY-MM-DD HH:MM, empty = now",
    now_word: "now",
    skipped: "Skipped",
    missing_vars: "Missing variables",
    skip_incomplete: "o = skip incomplete",
    force: "f = force although a batch is active",
    filter: "filter",
    sort: "sort",
    marked: "marked",
    none: "none",
    loading: "loading…",
    help_title: "Keyboard shortcuts",
    help_close: "esc or ? to close",
    no_player: "No audio player on this system (install mpv, ffplay or vlc); the audio is at",
    nothing_to_retry: "No failed or voicemail calls to retry.",
    batch_final: "The batch has ended; there is nothing to cancel.",
    no_batch_selected: "Open a batch first.",
    no_recording: "This call has no recording.",
    invalid_time: "Invalid time: use YYYY-MM-DD HH:MM",
};

pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

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
            format!("¿Llamar al grupo «{group}»? Se marcará a {n} destinatarios.")
        } else {
            format!("Call group “{group}”? {n} recipients will be dialled.")
        }
    }
    pub fn confirm_retry(&self, batch: &str, n: usize) -> String {
        if self.es() {
            format!(
                "¿Reintentar el lote «{batch}»? Se volverá a marcar a {n} destinatarios (fallidas y buzón de voz)."
            )
        } else {
            format!(
                "Retry batch “{batch}”? {n} recipients (failed and voicemail) will be dialled again."
            )
        }
    }
    pub fn confirm_cancel(&self, batch: &str, stop: usize, running: usize) -> String {
        if self.es() {
            format!(
                "¿Cancelar el lote «{batch}»? No se marcará a {stop} destinatarios que aún esperan; las {running} llamadas en curso terminarán solas."
            )
        } else {
            format!(
                "Cancel batch “{batch}”? {stop} waiting recipients will not be dialled; the {running} calls in progress will finish on their own."
            )
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
            format!("Reintento enviado: {n} llamadas se marcarán de nuevo.")
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
    pub fn showing(&self, shown: usize, total: usize) -> String {
        if self.es() {
            format!("{shown} de {total}")
        } else {
            format!("{shown} of {total}")
        }
    }
}

/// `1h02m`, `3m05s`, `42s`: compact, for headers and tables.
pub fn short_duration(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}
