//! The faces of the one binary: one file per command, wiring what the command needs. Only
//! the faces read `cli` and `config`; what they start below takes plain option structs.

mod audit;
pub mod demo;
mod export;
mod import;
mod optout;
mod rules;
mod serve;
mod sim;
mod store_copy;
mod tui;
mod tui_direct;
mod tui_logs;
mod user;
mod webhook;

use clap::CommandFactory;
use color_eyre::eyre::Result;

use crate::cli::{
    Cli, Command, ImportCommand, OptoutCommand, RulesCommand, StoreCommand, TokenCommand,
    UserCommand, WebhookCommand,
};
use crate::config::Config;

/// Loads the configuration and runs the command the user asked for.
pub fn run(cli: Cli) -> Result<()> {
    let cfg = load_config(&cli)?;
    match cli.command {
        Command::Import(ImportCommand::Clients { file, group, owner }) => {
            runtime()?.block_on(import::clients(&cfg, &file, &group, owner))
        }
        Command::User(cmd) => runtime()?.block_on(user_command(&cfg, cmd)),
        Command::Optout(cmd) => runtime()?.block_on(optout_command(&cfg, cmd)),
        Command::Rules(RulesCommand::Show { year }) => rules::show(&cfg, year),
        Command::Store(StoreCommand::Copy { from, to }) => {
            runtime()?.block_on(store_copy::copy(&cfg, from, to))
        }
        Command::Audit { target, limit } => {
            runtime()?.block_on(audit::list(&cfg, target.as_deref(), limit))
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "callboard",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Export(args) => runtime()?.block_on(export::run(&cfg, &args)),
        Command::Demo(args) => demo::cli_main(&cfg, &args),
        Command::Tui(args) if args.direct => tui_direct::cli_main(&cfg, &args),
        Command::Tui(args) => tui::cli_main(&cfg, &args),
        Command::Serve(args) => serve::run(cfg, &args),
        Command::Sim(args) => Ok(sim::run(args)?),
        Command::Webhook(WebhookCommand::Setup { url, name }) => {
            runtime()?.block_on(webhook::setup(&cfg, url.as_deref(), &name))
        }
        Command::Webhook(WebhookCommand::Test { url }) => {
            runtime()?.block_on(webhook::test(&cfg, url.as_deref()))
        }
    }
}

/// Defaults < file < environment < the global flags.
fn load_config(cli: &Cli) -> Result<Config> {
    let mut cfg = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    if let Some(d) = &cli.data_dir {
        cfg.data_dir = d.clone();
    }
    if let Some(url) = &cli.database_url {
        cfg.store.url = Some(url.clone());
    }
    if let Some(l) = cli.lang {
        cfg.lang = l;
    }
    Ok(cfg)
}

async fn user_command(cfg: &Config, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::Add {
            name,
            agent_id,
            id,
            expires_in_days,
        } => user::add(cfg, &name, &agent_id, id, expires_in_days).await,
        UserCommand::Token(TokenCommand::Rotate {
            id,
            expires_in_days,
        }) => user::token_rotate(cfg, id, expires_in_days).await,
        UserCommand::Token(TokenCommand::Revoke { id }) => user::token_revoke(cfg, id).await,
        UserCommand::List => user::list(cfg).await,
    }
}

async fn optout_command(cfg: &Config, cmd: OptoutCommand) -> Result<()> {
    match cmd {
        OptoutCommand::Import { file, reason } => optout::import(cfg, &file, &reason).await,
        OptoutCommand::Add { phone, reason } => optout::change(cfg, &phone, Some(&reason)).await,
        OptoutCommand::Remove { phone } => optout::change(cfg, &phone, None).await,
        OptoutCommand::List => optout::list(cfg).await,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
