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
    let config = dreieck_relay::Config::parse();
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The message and its causes on one line; no backtrace, whatever RUST_BACKTRACE says.
            eprintln!("Fehler: {error:#}");
            ExitCode::FAILURE
        }
    }
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
