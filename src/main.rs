//! `callboard`: parses the command line, sets up errors and logs, and runs one face.

use clap::Parser;

use callboard::cli::{Cli, Command};

fn main() {
    if let Err(e) = color_eyre::install() {
        eprintln!("{e}");
    }
    let cli = Cli::parse();
    // The dashboard owns the terminal: its faces log to a file of their own instead.
    if !matches!(cli.command, Command::Tui(_) | Command::Demo(_)) {
        init_logging(cli.verbose);
    }
    match callboard::faces::run(cli) {
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
