//! The relay binary as a child process, for tests that stop it the hard way.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use super::TestApp;

/// Ends the child if a test fails before it does.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

pub fn relay_command(test: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dreieck-relay"));
    command
        .env_remove("DREIECK_HOST")
        .env("DREIECK_PORT", "0")
        .env("DREIECK_DIST", &test.config.dist)
        .env("DREIECK_DATA", &test.config.data)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

impl Running {
    /// Starts the relay (with the test's database, if it names one) and waits for its start
    /// line; the address it serves on.
    pub fn start(test: &TestApp) -> (Running, SocketAddr) {
        let mut command = relay_command(test);
        if let Some(database) = &test.config.database {
            command.env("DREIECK_DATABASE", database);
        }
        command.stderr(Stdio::null());
        let mut child = Running(command.spawn().expect("start relay"));
        let stdout = child.0.stdout.take().expect("stdout");
        let (line_tx, line_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = line_tx.send(BufReader::new(stdout).lines().next());
        });
        let line = line_rx
            .recv_timeout(super::peer::LIMIT)
            .expect("start line in time")
            .expect("a line")
            .expect("utf-8");
        let addr = line
            .strip_prefix("Dreieck läuft auf http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected start line: {line}"));
        (child, addr)
    }

    /// SIGKILL: no shutdown, nothing flushed that was not already.
    pub fn kill(mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaped");
    }
}
