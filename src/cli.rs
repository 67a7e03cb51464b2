//! The command line: one binary, one subcommand per face.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::domain::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "callboard",
    version,
    about = "Start, watch, retry and cancel ElevenLabs batch calls",
    long_about = "callboard starts ElevenLabs batch calls for a group of clients, watches them \
live, retries or cancels them, and opens every recipient's transcript, summary and audio.\n\n\
First time? Run `callboard demo`: no key and no network needed.",
    after_help = "Settings: flags > environment (ELEVENLABS_API_KEY, ELEVENLABS_BASE_URL, \
CALLBOARD_ADMIN_TOKEN, CALLBOARD_DATA_DIR, ...) > config file > defaults. See config.example.toml."
)]
pub struct Cli {
    /// Config file (default: the platform's config dir, e.g. ~/.config/callboard/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory of the store (env CALLBOARD_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL store instead of the data directory's: postgres://user:pass@host/db
    /// (env CALLBOARD_DATABASE_URL; several `serve` instances may share one).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<crate::secret::Secret>,
    /// Language of messages and screens.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything at once with demo data: simulator, service and dashboard. Start here.
    Demo(DemoArgs),
    /// The supervisor's terminal dashboard.
    Tui(TuiArgs),
    /// The batch-calling HTTP service: REST API, live stream and a web page for
    /// supervisors. Needs ELEVENLABS_API_KEY (any value against `callboard sim`).
    Serve(ServeArgs),
    /// An offline ElevenLabs twin for demos and tests.
    Sim(SimArgs),
    /// Import data into the store.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage users (supervisors) and their tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// The do-not-call list: people who must not be called.
    #[command(subcommand)]
    Optout(OptoutCommand),
    /// The calling rules in force: hours per weekday and festivos (`[campaign] rules`).
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The store itself: copy a sled store into PostgreSQL.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Who started, retried, cancelled batches or changed opt-outs, and when.
    Audit {
        /// Only entries about this batch id or phone.
        #[arg(long)]
        target: Option<String>,
        /// How many of the most recent entries.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Export a batch's results (variables, status, attempts, duration, summary, success,
    /// data collection) from a running service, as CSV or JSON.
    Export(ExportArgs),
    /// ElevenLabs' post-call webhooks: create the workspace webhook, send a test one.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Print shell completions.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// How fast simulated time runs (10 = a one-minute call lasts six seconds). Every
    /// time on screen is the demo's clock, marked "demo ×10" in the header.
    #[arg(long, default_value_t = 10.0)]
    pub speed: f64,
    /// Seed of the simulated timings and of the calls the demo does not script (the
    /// first batch always has unanswered and voicemail calls for its automatic retry).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// URL of a running `callboard serve` (env CALLBOARD_SERVER).
    #[arg(long, value_name = "URL", conflicts_with = "direct")]
    pub server: Option<String>,
    /// Bearer token for the service (env CALLBOARD_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// No separate service: poll ElevenLabs directly with the configured key (the same
    /// monitor core, run in-process on loopback), groups from the local store.
    #[arg(long)]
    pub direct: bool,
    /// With --direct: the user (supervisor) who starts calls (default: the first user with
    /// an agent in the local store).
    #[arg(long, value_name = "ID", requires = "direct")]
    pub user: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one; the first stdout line says which).
    #[arg(long, value_name = "ADDR")]
    pub addr: Option<SocketAddr>,
    /// ElevenLabs base URL (env ELEVENLABS_BASE_URL), e.g. a `callboard sim`.
    #[arg(long, value_name = "URL")]
    pub elevenlabs_url: Option<String>,
    /// Load the demo workspace `callboard demo` uses (user 19, whose token is printed and
    /// kept in DATA_DIR/demo-user-19.token; group 55 "Médicos Test" and three more).
    #[arg(long)]
    pub demo_data: bool,
    /// Accept requests without a token. Only allowed on a loopback address.
    #[arg(long)]
    pub no_auth: bool,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free one; the first stdout line says which).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Seed of the outcomes: the same seed and speed give the same results.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Time scale (60 = a one-minute call lasts a second).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// The only API key accepted (default: any non-empty key).
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Share of calls answered by a person (0..1).
    #[arg(long, default_value_t = 0.7)]
    pub pickup_rate: f64,
    /// Share of calls that reach voicemail (0..1).
    #[arg(long, default_value_t = 0.15)]
    pub voicemail_rate: f64,
    /// `/retry` re-dials failed calls only, not voicemail (ElevenLabs leaves it open).
    #[arg(long)]
    pub no_voicemail_retry: bool,
    /// Share of requests answered with a 5xx (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share of requests answered with a 429 (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub rate_limit_rate: f64,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Calls in flight at once per batch when the batch sets no limit.
    #[arg(long, default_value_t = 10)]
    pub concurrency: usize,
    /// Post each call's webhook (post_call_transcription, call_initiation_failure) here,
    /// e.g. http://127.0.0.1:8080/api/webhooks/elevenlabs.
    #[arg(long, value_name = "URL", requires = "webhook_secret")]
    pub webhook_url: Option<String>,
    /// The secret the webhooks are signed with (the service's ELEVENLABS_WEBHOOK_SECRET).
    #[arg(
        long,
        value_name = "SECRET",
        env = "CALLBOARD_SIM_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// Share of webhooks never sent (0..1), as upstream's fire-once delivery may lose them.
    #[arg(long, default_value_t = 0.0, requires = "webhook_url")]
    pub webhook_drop_rate: f64,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Create the workspace's HMAC webhook through the ElevenLabs API, attach it to the
    /// post-call events (transcript, call initiation failure) and print its secret, once:
    /// put it in ELEVENLABS_WEBHOOK_SECRET for `callboard serve`.
    Setup {
        /// Public HTTPS address ElevenLabs can reach (a tunnel or a reverse proxy in front
        /// of `callboard serve`); without a path, the configured `[webhooks] path` is added.
        /// Default: `[service] public_url`.
        #[arg(long, value_name = "PUBLIC_URL")]
        url: Option<String>,
        /// The webhook's name in ElevenLabs.
        #[arg(long, default_value = "callboard")]
        name: String,
    },
    /// Send a signed sample `post_call_transcription` to a running service, signed with
    /// ELEVENLABS_WEBHOOK_SECRET ([webhooks] secret), and say what it answered.
    Test {
        /// The receiver's full URL (default: the configured service address and path);
        /// give the public one to check the tunnel or proxy too.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import clients from a CSV file into a group (created if missing).
    ///
    /// Columns are matched ignoring case and accents: nombre/name, telefono/phone/celular,
    /// correo/email, empresa/company, cargo/role; any other column becomes a variable.
    /// UTF-8 with or without BOM, `,` or `;` separated. Phones without a country code are
    /// read in the group's own country, else in the configured region.
    Clients {
        /// The CSV file.
        file: PathBuf,
        /// Group name.
        #[arg(long)]
        group: String,
        /// The user a new group belongs to (without it, only the admin sees the group
        /// in `serve`). An existing group must already be this user's.
        #[arg(long, value_name = "USER_ID")]
        owner: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and print its token (shown only once).
    Add {
        #[arg(long)]
        name: String,
        /// The ElevenLabs agent this user calls with.
        #[arg(long, value_name = "AGENT_ID")]
        agent_id: String,
        /// Explicit numeric id, 1 to 1000000000 (default: the next free one).
        #[arg(long)]
        id: Option<u64>,
        /// The token stops working after this many days (default: never).
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
    },
    /// List users (never their tokens).
    List,
    /// Rotate or revoke a user's token.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Give the user a new token (printed once); the old one stops working at once.
    Rotate {
        /// The user's id.
        #[arg(long)]
        id: u64,
        /// The new token stops working after this many days (default: never).
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
    },
    /// Take the user's token away: no token works for it until the next rotation.
    Revoke {
        /// The user's id.
        #[arg(long)]
        id: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy everything in a sled store (users and token hashes, groups, clients, batches,
    /// caches, the submission journal, opt-outs, audit) into a PostgreSQL database, keeping
    /// every id; counts the copy afterwards. Safe to run again: records are written over.
    /// Stop the `serve` that uses the sled store first (it holds the directory).
    Copy {
        /// The sled store's directory (default: the configured data directory).
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// The PostgreSQL database, postgres://user:pass@host/db (default: the configured
        /// one, CALLBOARD_DATABASE_URL / [store] url).
        #[arg(long, value_name = "URL")]
        to: Option<crate::secret::Secret>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OptoutCommand {
    /// Import opt-outs from a CSV (a phone column, optional `motivo`/`reason`), e.g. an RNE
    /// export. Only adds: existing opt-outs are never removed or changed by an import.
    Import {
        file: PathBuf,
        /// Reason for rows without one.
        #[arg(long, default_value = "RNE")]
        reason: String,
    },
    /// Add one phone to the list.
    Add {
        phone: String,
        #[arg(long, default_value = "pidió no ser llamado")]
        reason: String,
    },
    /// Remove one phone from the list (audited).
    Remove { phone: String },
    /// List the opt-outs.
    List,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Show the active rule pack: its calling hours per weekday, its contact limits and
    /// its festivos (public holidays) of a year, to check the calendar.
    Show {
        /// The year of the festivos (default: this year in the pack's time zone).
        #[arg(long, value_name = "YEAR")]
        year: Option<i32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The batch id (`btcal_…`).
    pub batch_id: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// URL of the service (env CALLBOARD_SERVER).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Bearer token (env CALLBOARD_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}
