//! Runs effects as tokio tasks that report back with actions. Only one batch is followed
//! at a time: a new `Watch` cancels the previous one.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::domain::Lang;

use crate::client::ServiceClient;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::io::source::{WatchConfig, watch};
use crate::tui::text::lang::strings;

pub struct Executor {
    client: ServiceClient,
    tx: mpsc::Sender<Action>,
    cfg: WatchConfig,
    watching: Option<CancellationToken>,
    player: Option<PathBuf>,
}

impl Executor {
    pub fn new(client: ServiceClient, tx: mpsc::Sender<Action>, cfg: WatchConfig) -> Self {
        Self {
            client,
            tx,
            cfg,
            watching: None,
            player: find_player(),
        }
    }

    /// Pretend no audio player exists (tests, and machines where one should not be used).
    pub fn without_player(mut self) -> Self {
        self.player = None;
        self
    }

    pub fn run(&mut self, effect: Effect) {
        let c = self.client.clone();
        let tx = self.tx.clone();
        match effect {
            Effect::LoadGroups => spawn(tx, async move { Action::GroupsLoaded(c.groups().await) }),
            Effect::LoadBatches => {
                spawn(tx, async move { Action::BatchesLoaded(c.batches().await) })
            }
            Effect::LoadPhoneNumbers => spawn(tx, async move {
                Action::PhoneNumbersLoaded(c.phone_numbers().await)
            }),
            Effect::LoadGroupDetail(id) => spawn(tx, async move {
                Action::GroupDetailLoaded(c.group(id).await.map(Box::new))
            }),
            Effect::Watch(batch_id) => {
                if let Some(old) = self.watching.take() {
                    old.cancel();
                }
                let token = CancellationToken::new();
                self.watching = Some(token.clone());
                tokio::spawn(watch(c, batch_id, tx, self.cfg.clone(), token));
            }
            Effect::StartCall { group_id, request } => spawn(tx, async move {
                Action::CallStarted(c.start_call(group_id, &request).await)
            }),
            Effect::Preflight {
                group_id,
                request,
                generation,
            } => spawn(tx, async move {
                Action::PreflightLoaded {
                    group_id,
                    generation,
                    result: c.preflight(group_id, &request).await.map(Box::new),
                }
            }),
            Effect::LoadOptOuts => {
                spawn(tx, async move { Action::OptOutsLoaded(c.optouts().await) })
            }
            Effect::AddOptOut { phone, reason } => spawn(tx, async move {
                Action::OptOutAdded(c.add_optout(&phone, &reason).await)
            }),
            Effect::LoadReport(batch_id) => spawn(tx, async move {
                let result = c.report(&batch_id).await.map(Box::new);
                Action::ReportLoaded { batch_id, result }
            }),
            Effect::Retry(id) => spawn(tx, async move { Action::Retried(c.retry(&id).await) }),
            Effect::Cancel(id) => spawn(tx, async move { Action::Cancelled(c.cancel(&id).await) }),
            Effect::Resume(id) => spawn(tx, async move { Action::Resumed(c.resume(&id).await) }),
            Effect::WriteFile {
                path,
                contents,
                rows,
            } => spawn(tx, write_file(path, contents, rows, c.lang())),
            Effect::PlayAudio {
                conversation_id,
                save_dir,
            } => {
                let player = self.player.clone();
                spawn(tx, async move {
                    match player {
                        Some(p) => play(&c, &p, &conversation_id).await,
                        None => save_instead(&c, &save_dir, &conversation_id).await,
                    }
                });
            }
        }
    }
}

/// Writes an export; the whole path is reported, so the supervisor can find the file.
async fn write_file(path: PathBuf, contents: String, rows: usize, lang: Lang) -> Action {
    let path = std::path::absolute(&path).unwrap_or(path);
    let written = async {
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::write(&path, contents).await
    };
    Action::Exported(
        written
            .await
            .map(|()| (rows, path.clone()))
            .map_err(|e| strings(lang).write_failed(&path.display().to_string(), &e.to_string())),
    )
}

impl Drop for Executor {
    fn drop(&mut self) {
        if let Some(t) = self.watching.take() {
            t.cancel();
        }
    }
}

fn spawn<F>(tx: mpsc::Sender<Action>, fut: F)
where
    F: Future<Output = Action> + Send + 'static,
{
    tokio::spawn(async move {
        let action = fut.await;
        let _ = tx.send(action).await;
    });
}

/// Players tried in order; each is started quiet and without a window, so nothing it
/// prints lands on the dashboard.
const PLAYERS: &[(&str, &[&str])] = &[
    ("mpv", &["--no-video", "--really-quiet"]),
    ("ffplay", &["-nodisp", "-autoexit", "-loglevel", "quiet"]),
    ("cvlc", &["--play-and-exit", "--quiet"]),
    ("mpg123", &["-q"]),
    ("afplay", &[]),
];

/// The first player found on `PATH`.
pub fn find_player() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    PLAYERS.iter().find_map(|(name, _)| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// No player on this machine: the recording goes to `dir` (the export folder) and the
/// notice says which players were looked for and where the file is; if even that fails,
/// the recording's whole URL.
async fn save_instead(c: &ServiceClient, dir: &Path, conversation_id: &str) -> Action {
    let s = strings(c.lang());
    let names: Vec<&str> = PLAYERS.iter().map(|(n, _)| *n).collect();
    let file = std::path::absolute(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .join(format!(
            "callboard-{}.mp3",
            crate::tui::state::export::safe_name(conversation_id)
        ));
    let saved = match c.audio(conversation_id).await {
        Ok(bytes) => {
            let write = async {
                tokio::fs::create_dir_all(dir).await?;
                tokio::fs::write(&file, &bytes).await
            };
            write.await.is_ok()
        }
        Err(_) => false,
    };
    let place = if saved {
        file.display().to_string()
    } else {
        c.audio_url(conversation_id)
    };
    Action::Notice {
        text: s.no_player_found(&names.join(", "), &place, saved),
        error: true,
    }
}

async fn play(c: &ServiceClient, player: &Path, conversation_id: &str) -> Action {
    let s = strings(c.lang());
    let bytes = match c.audio(conversation_id).await {
        Ok(b) => b,
        Err(f) => {
            return Action::Notice {
                text: f.message,
                error: true,
            };
        }
    };
    let file = std::env::temp_dir().join(format!(
        "callboard-{}.mp3",
        crate::tui::state::export::safe_name(conversation_id)
    ));
    if let Err(e) = tokio::fs::write(&file, &bytes).await {
        return Action::Notice {
            text: format!("{}: {e}", file.display()),
            error: true,
        };
    }
    let name = player
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let args = PLAYERS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[][..], |(_, a)| *a);
    let started = tokio::process::Command::new(player)
        .args(args)
        .arg(&file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(false)
        .spawn();
    match started {
        Ok(mut child) => {
            // Reap it when it ends, so no zombie is left behind.
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
            Action::Notice {
                text: s.playing(&name),
                error: false,
            }
        }
        Err(e) => Action::Notice {
            text: format!("{name}: {e}"),
            error: true,
        },
    }
}
