//! Starting the relay with the built app, and waiting until it answers.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::build;

/// `cargo xtask run`: release build, relay in the foreground.
pub fn run(args: &[String]) -> Result<()> {
    let mut host = "127.0.0.1".to_string();
    let mut port = "8080".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--host" => host = it.next().context("--host needs a value")?.clone(),
            "--port" => port = it.next().context("--port needs a value")?.clone(),
            other => bail!("unknown argument {other}"),
        }
    }
    let dist = build::app(true)?;
    let relay = build::relay(true)?;
    let mut child = Command::new(&relay)
        .args(["--host", &host, "--port", &port])
        .arg("--dist")
        .arg(&dist)
        .spawn()
        .context("starting the relay")?;
    let port: u16 = port.parse().context("--port must be a number")?;
    wait_healthy(&host, port, &mut child)?;
    println!("\nDreieck läuft: http://{host}:{port}/  (beenden mit Strg+C)\n");
    let status = child.wait()?;
    if !status.success() {
        bail!("the relay stopped: {status}");
    }
    Ok(())
}

/// A relay started for tests; killed when dropped.
pub struct Relay {
    pub child: Child,
    pub port: u16,
}

impl Relay {
    pub fn start(binary: &Path, dist: &Path, data: &Path) -> Result<Relay> {
        let port = free_port()?;
        let mut child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--dist")
            .arg(dist)
            .arg("--data-dir")
            .arg(data)
            .spawn()
            .context("starting the relay")?;
        wait_healthy("127.0.0.1", port, &mut child)?;
        Ok(Relay { child, port })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// Polls `/healthz` until it answers 200, the process exits, or 60 s pass.
fn wait_healthy(host: &str, port: u16, child: &mut Child) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            bail!("the relay exited before it was ready: {status}");
        }
        if health(host, port).unwrap_or(false) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the relay did not answer on {host}:{port} within 60 s")
}

fn health(host: &str, port: u16) -> Result<bool> {
    let mut s = TcpStream::connect((host, port))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(s, "GET /healthz HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    Ok(buf.starts_with("HTTP/1.0 200") || buf.starts_with("HTTP/1.1 200"))
}
