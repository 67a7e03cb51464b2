//! Deterministic sample data in the service's contract shapes, for tests, snapshots and
//! benches (no randomness, no clock: the caller passes the time).

use crate::api::{
    BatchListItem, BatchStatusView, ClientView, GroupDetail, GroupSummary, LastBatch,
    PhoneNumberView, RecipientView, TranscriptLine,
};
use crate::domain::policy::RetryPolicy;
use crate::domain::preflight::{Estimate, Preflight, WindowCheck};
use crate::domain::{BatchStatus, RecipientStatus, SkippedClient, SubmittedRecipient, Variables};

const NAMES: &[&str] = &[
    "Dr. García",
    "Dra. Pérez",
    "Dr. Rodríguez",
    "Dra. Martínez",
    "Dr. Gómez",
    "Dra. López",
    "Dr. Díaz",
    "Dra. Torres",
    "Dr. Ramírez",
    "Dra. Vargas",
    "Dr. Rojas",
    "Dra. Castro",
];

/// The status of recipient `i` when `done` of every 12 have finished.
fn status_of(i: usize) -> RecipientStatus {
    match i % 12 {
        0..=4 => RecipientStatus::Completed,
        5 => RecipientStatus::Failed,
        6 => RecipientStatus::Voicemail,
        7 | 8 => RecipientStatus::InProgress,
        9 => RecipientStatus::Initiated,
        _ => RecipientStatus::Pending,
    }
}

pub fn recipient(i: usize, status: RecipientStatus, now_unix: i64) -> RecipientView {
    let name = format!("{} {}", NAMES[i % NAMES.len()], i + 1);
    let mut variables = Variables::new();
    variables.insert("name".into(), name.clone());
    variables.insert("especialidad".into(), "cardiología".into());
    let finished = status.is_final() && status != RecipientStatus::Cancelled;
    let talked = status == RecipientStatus::Completed;
    RecipientView {
        id: format!("rcp_{i:05}"),
        phone_number: format!("+5730{:08}", 1_000_000 + i * 7),
        status,
        variables,
        name: Some(name.clone()),
        conversation_id: finished.then(|| format!("conv_{i:05}")),
        summary: talked.then(|| {
            format!("{name} confirmó la cita del jueves y pidió recibir la información por correo.")
        }),
        duration_secs: finished.then_some(30 + (i as u64 * 13) % 200),
        call_duration: None,
        transcript: talked.then(|| {
            vec![
                TranscriptLine {
                    role: "agent".into(),
                    message: format!("Buenos días, ¿hablo con {name}?"),
                    time_in_call_secs: Some(0),
                },
                TranscriptLine {
                    role: "user".into(),
                    message: "Sí, con él habla.".into(),
                    time_in_call_secs: Some(3),
                },
                TranscriptLine {
                    role: "agent".into(),
                    message: "Le llamo para confirmar su cita del jueves a las 10.".into(),
                    time_in_call_secs: Some(5),
                },
                TranscriptLine {
                    role: "user".into(),
                    message: "Perfecto, ahí estaré. Envíeme los datos por correo.".into(),
                    time_in_call_secs: Some(11),
                },
            ]
        }),
        audio_url: finished.then(|| format!("/api/conversations/conv_{i:05}/audio")),
        call_successful: talked.then(|| "success".into()),
        termination_reason: None,
        enrichment_error: None,
        updated_at_unix: now_unix - (i as i64 * 37) % 1500,
        cost: None,
        data_collection: Default::default(),
        attempts: 1,
        opted_out: false,
    }
}

/// A batch of `n` recipients in a mix of states, created 25 minutes before `now_unix`.
pub fn batch_view(id: &str, n: usize, now_unix: i64) -> BatchStatusView {
    let recipients: Vec<RecipientView> = (0..n)
        .map(|i| recipient(i, status_of(i), now_unix))
        .collect();
    BatchStatusView {
        batch_id: id.into(),
        id: id.into(),
        name: "Llamada Cardiología - 24/8/2025".into(),
        status: BatchStatus::InProgress,
        agent_id: "agent_67890".into(),
        group_id: Some(56),
        group_name: Some("Cardiología Bogotá".into()),
        created_at_unix: now_unix - 25 * 60,
        scheduled_time_unix: 0,
        last_updated_at_unix: now_unix - 2,
        retry_count: 0,
        counts: BatchStatusView::count(&recipients),
        total_recipients: recipients.len(),
        recipients,
        stop_reason: None,
        auto_retry: None,
        continued_by: None,
        continues: None,
        planned: None,
    }
}

pub fn groups() -> Vec<GroupSummary> {
    vec![
        GroupSummary {
            id: 55,
            name: "Médicos Test".into(),
            variables: Default::default(),
            clients_count: 15,
            valid_phones: 14,
            last_batch: None,
            owner_id: Some(19),
            ..Default::default()
        },
        GroupSummary {
            id: 56,
            name: "Cardiología Bogotá".into(),
            variables: Default::default(),
            clients_count: 40,
            valid_phones: 40,
            last_batch: Some(LastBatch {
                batch_id: "batch_777".into(),
                status: BatchStatus::InProgress,
                created_at: "2025-08-24T15:05:00Z".into(),
            }),
            owner_id: Some(19),
            ..Default::default()
        },
    ]
}

pub fn batches() -> Vec<BatchListItem> {
    let item = |id: &str, name: &str, status, at: &str, n, done| BatchListItem {
        batch_id: id.into(),
        call_name: name.into(),
        status,
        created_at: at.into(),
        recipients_count: n,
        finished_count: done,
        group_id: Some(56),
        group_name: Some("Cardiología Bogotá".into()),
        agent_id: "agent_67890".into(),
        stop_reason: None,
        continued_by: None,
    };
    vec![
        item(
            "batch_555",
            "Llamada Cardiología - 23/8/2025",
            BatchStatus::PartiallyCompleted,
            "2025-08-23T14:00:00Z",
            38,
            38,
        ),
        item(
            "batch_777",
            "Llamada Cardiología - 24/8/2025",
            BatchStatus::InProgress,
            "2025-08-24T15:05:00Z",
            40,
            28,
        ),
    ]
}

pub fn phone_numbers() -> Vec<PhoneNumberView> {
    let p = |id: &str, num: &str, label: &str| PhoneNumberView {
        phone_number_id: id.into(),
        phone_number: num.into(),
        label: label.into(),
        provider: "twilio".into(),
        assigned_agent_id: None,
    };
    vec![
        p("ph_67890", "+5716001234", "Bogotá principal"),
        p("ph_67891", "+5746005678", "Medellín"),
    ]
}

pub fn group_detail() -> GroupDetail {
    let client = |id: u64, name: &str, phone: &str, ok: bool| ClientView {
        id,
        name: name.into(),
        email: None,
        empresa: None,
        cargo: None,
        phone: phone.into(),
        phone_number: ok.then(|| format!("+57{phone}")),
        phone_error: (!ok).then(|| "número demasiado corto".into()),
        variables: Variables::new(),
    };
    GroupDetail {
        summary: groups().remove(0),
        clients: vec![
            client(1, "Dr. García", "3001112223", true),
            client(2, "Dra. Pérez", "3004445556", true),
            client(3, "Dr. Sin Número", "12345", false),
        ],
    }
}

/// A client the pre-flight leaves out, with its reason.
fn skip(id: u64, name: &str, phone: &str, code: &str, reason: &str) -> SkippedClient {
    SkippedClient {
        client_id: id,
        name: name.into(),
        phone: phone.into(),
        reason: reason.into(),
        code: code.into(),
        missing: Vec::new(),
    }
}

/// A pre-flight of "Médicos Test" asked at `now_unix` (10:30 in Bogotá in the tests): 11
/// to dial, three left out for three reasons, one lacking a variable, and the window
/// closed until 08:00 the next day.
pub fn preflight(now_unix: i64) -> Preflight {
    let at = |unix: i64| chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default();
    let recipients = (0..11)
        .map(|i| SubmittedRecipient {
            client_id: i as u64 + 1,
            name: format!("{} {}", NAMES[i % NAMES.len()], i + 1),
            phone_number: format!("+5730{:08}", 1_000_000 + i * 7),
            variables: Variables::new(),
            prior_attempts: 0,
        })
        .collect();
    let mut incomplete = skip(
        13,
        "Dra. Pérez",
        "3004445556",
        "missing_variables",
        "faltan variables",
    );
    incomplete.missing = vec!["especialidad".into()];
    // 08:00 tomorrow in Bogotá is 13:00 UTC; the day starts at the day of `now_unix`.
    let tomorrow_8 = (now_unix.div_euclid(86_400) + 1) * 86_400 + 13 * 3600;
    Preflight {
        recipients,
        skipped: vec![
            skip(
                20,
                "Dr. Sin Número",
                "12345",
                "invalid_phone",
                "número demasiado corto",
            ),
            skip(
                21,
                "Dra. Rojas",
                "3005550001",
                "opted_out",
                "pidió no ser llamado",
            ),
            skip(
                22,
                "Dr. Sin Número",
                "12",
                "invalid_phone",
                "número demasiado corto",
            ),
            skip(
                23,
                "Dr. García",
                "3001112223",
                "duplicate",
                "mismo teléfono que Dr. García",
            ),
        ],
        incomplete: vec![incomplete],
        agent_variables: vec!["name".into(), "especialidad".into()],
        window: WindowCheck {
            open_at_start: false,
            reason: Some("fuera del horario L-V 08:00-19:00".into()),
            start_at: at(tomorrow_8),
            closes_at: Some(at(tomorrow_8 + 11 * 3600)),
            rule_pack: Some("co".into()),
        },
        estimate: Estimate {
            duration_secs: 1_500,
            finish_at: at(tomorrow_8 + 1_500),
            exceeds_window: false,
            cost_min: Some(12.5),
            cost_max: Some(20.0),
            based_on_batches: 3,
        },
        retry_policy: Some(RetryPolicy::default()),
    }
}
