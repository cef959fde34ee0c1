//! `dreieck-relay`: flags, logging, signals; the rest is in the library.

use std::io::IsTerminal as _;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr, so stdout carries only the one line that says where the app is.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = dreieck_relay::Config::parse();
    dreieck_relay::serve(config, dreieck_relay::shutdown_signal()).await?;
    Ok(())
}
