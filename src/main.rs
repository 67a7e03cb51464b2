use clap::{CommandFactory, Parser};
use color_eyre::eyre::Result;

use callboard::cli::{Cli, Command, ImportCommand, OptoutCommand, TokenCommand, UserCommand};
use callboard::commands;
use callboard::config::Config;

fn main() {
    if let Err(e) = color_eyre::install() {
        eprintln!("{e}");
    }
    let cli = Cli::parse();
    // The dashboard owns the terminal: its faces log to a file of their own instead.
    if !matches!(cli.command, Command::Tui(_) | Command::Demo(_)) {
        init_logging(cli.verbose);
    }
    match run(cli) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colour codes only for a person at a terminal: a log file or a journal gets plain
    // text (and NO_COLOR is respected).
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

fn load_config(cli: &Cli) -> Result<Config> {
    let mut cfg = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    if let Some(d) = &cli.data_dir {
        cfg.data_dir = d.clone();
    }
    if let Some(l) = cli.lang {
        cfg.lang = l;
    }
    Ok(cfg)
}

fn run(cli: Cli) -> Result<()> {
    let cfg = load_config(&cli)?;
    match cli.command {
        Command::Import(ImportCommand::Clients { file, group, owner }) => {
            commands::import_clients(&cfg, &file, &group, owner)
        }
        Command::User(UserCommand::Add {
            name,
            agent_id,
            id,
            expires_in_days,
        }) => commands::user_add(&cfg, &name, &agent_id, id, expires_in_days),
        Command::User(UserCommand::Token(TokenCommand::Rotate {
            id,
            expires_in_days,
        })) => commands::token_rotate(&cfg, id, expires_in_days),
        Command::User(UserCommand::Token(TokenCommand::Revoke { id })) => {
            commands::token_revoke(&cfg, id)
        }
        Command::User(UserCommand::List) => commands::user_list(&cfg),
        Command::Optout(OptoutCommand::Import { file, reason }) => {
            commands::optout_import(&cfg, &file, &reason)
        }
        Command::Optout(OptoutCommand::Add { phone, reason }) => {
            commands::optout_change(&cfg, &phone, Some(&reason))
        }
        Command::Optout(OptoutCommand::Remove { phone }) => {
            commands::optout_change(&cfg, &phone, None)
        }
        Command::Optout(OptoutCommand::List) => commands::optout_list(&cfg),
        Command::Audit { target, limit } => commands::audit_list(&cfg, target.as_deref(), limit),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "callboard",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Export(args) => runtime()?.block_on(callboard::export_cmd::run(&cfg, &args)),
        Command::Demo(args) => callboard::demo::cli_main(&cfg, &args),
        Command::Tui(args) if args.direct => callboard::tui::direct::cli_main(&cfg, &args),
        Command::Tui(args) => callboard::tui::cli_main(&cfg, &args),
        Command::Serve(args) => callboard::service::serve_command(cfg, &args),
        Command::Sim(args) => Ok(callboard::sim::run_cli(args)?),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
