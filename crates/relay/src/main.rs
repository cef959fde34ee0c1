//! `dreieck-relay`: flags, logging, signals; the rest is in the library.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // Logs go to stderr, so stdout carries only the one line that says where the app is.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let result = match &cli.command {
        None => run(cli.config).map(|()| ExitCode::SUCCESS),
        Some(command) => operate(&cli.config, command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // The message and its causes on one line; no backtrace, whatever RUST_BACKTRACE says.
            eprintln!("Fehler: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Serving (no command) or one of the operator's commands; the flags and `DREIECK_*`
/// variables say where the data is either way.
#[derive(clap::Parser)]
#[command(
    name = "dreieck-relay",
    version,
    about = "Dreieck: serves the app and relays sealed changes between devices"
)]
struct Cli {
    #[command(flatten)]
    config: dreieck_relay::Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Copies the SQLite database to FILE, also while the relay runs, and checks the copy
    /// (PostgreSQL: pg_dump, see docs/operations.md).
    Backup { file: std::path::PathBuf },
    /// Replaces the SQLite database with the backup FILE after checking it; the relay must be
    /// stopped. The database replaced is kept as relay.sqlite3.before-restore.
    Restore { file: std::path::PathBuf },
    /// Checks every stored room (SQLite or PostgreSQL); exit code 1 if something is wrong.
    Check,
}

fn operate(config: &dreieck_relay::Config, command: &Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Backup { file } => {
            let report = dreieck_relay::backup(config, file)?;
            println!("Sicherung geschrieben: {}\n{report}", file.display());
        }
        Command::Restore { file } => {
            let report = dreieck_relay::restore(config, file)?;
            println!("Wiederhergestellt aus {}\n{report}", file.display());
        }
        Command::Check => {
            let database = dreieck_relay::Database::from_config(config)?;
            let report = dreieck_relay::check(&database)?;
            println!("{}\n{report}", database.describe());
            if !report.is_ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run(config: dreieck_relay::Config) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Runtime::new().context("Tokio-Laufzeit lässt sich nicht starten")?;
    runtime.block_on(dreieck_relay::serve(
        config,
        dreieck_relay::shutdown_signal(),
    ))?;
    Ok(())
}
