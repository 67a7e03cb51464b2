//! Deterministic sample data in the service's contract shapes, for tests, snapshots and
//! benches (no randomness, no clock: the caller passes the time).

use crate::api::{
    BatchListItem, BatchStatusView, ClientView, GroupDetail, GroupSummary, LastBatch,
    PhoneNumberView, RecipientView, TranscriptLine,
};
use crate::domain::{BatchStatus, RecipientStatus, Variables};

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
