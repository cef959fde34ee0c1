//! A throwaway PostgreSQL server for the relay's tests and benchmarks: Debian's PostgreSQL,
//! installed from the package registry where missing, a fresh cluster in a temporary
//! directory, listening on loopback only with trust authentication, plain and over TLS with a
//! certificate made for the run ([`crate::test_certs`]), stopped and deleted when dropped. initdb refuses to run as root, so as root (CI) the cluster belongs to the
//! `postgres` user the package creates.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::test::tempdir;
use crate::tools::{apt_install, exec};

/// The newest installed server's bin directory (`/usr/lib/postgresql/<major>/bin`).
fn installed() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The server's bin directory, after installing Debian's `postgresql` if it is missing.
pub fn ensure_installed() -> Result<PathBuf> {
    if let Some(bin) = installed() {
        return Ok(bin);
    }
    eprintln!("PostgreSQL fehlt: installiere Debians Paket postgresql");
    apt_install(&["postgresql"])?;
    installed().context("postgresql is installed, but no initdb under /usr/lib/postgresql")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// A PostgreSQL server of its own for one test or benchmark run.
pub struct TestServer {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl TestServer {
    /// Installs PostgreSQL if needed, creates a cluster and starts it on a free loopback port.
    pub fn start() -> Result<TestServer> {
        let bin = ensure_installed()?;
        let dir = tempdir("dreieck-postgres")?;
        let as_postgres = is_root();
        let tls = dir.join("tls");
        std::fs::create_dir_all(&tls)?;
        crate::test_certs::make(&tls)?;
        // The cluster's files, its key among them, belong to the user who runs it.
        if as_postgres {
            exec(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&dir),
            )?;
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let server = TestServer {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = server.data();
        // initdb narrates every step on stdout; its errors go to stderr.
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ],
            true,
        )?;
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c max_connections=200 \
             -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            server.dir.display(),
            tls.join("server.crt").display(),
            tls.join("server.key").display(),
        );
        let log = server.dir.join("server.log");
        let started = server.run(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-o",
                &options,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "-t",
                "60",
                "start",
            ],
            false,
        );
        if let Err(error) = started {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            bail!("{error:#}\n{log}");
        }
        eprintln!("PostgreSQL läuft für die Tests auf {}", server.url());
        Ok(server)
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    /// Runs one of the server's programs, as `postgres` when we are root.
    fn run(&self, program: &str, args: &[&str], quiet: bool) -> Result<()> {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        if quiet {
            command.stdout(std::process::Stdio::null());
        }
        // The cluster's user must be able to stand in its working directory.
        exec(command.args(args).current_dir(Path::new("/")))
    }

    /// The certificates of the run: `ca.crt`, and `server.crt` with `server.key`, which the
    /// server presents (for `DREIECK_TEST_TLS`).
    pub fn tls_dir(&self) -> PathBuf {
        self.dir.join("tls")
    }

    /// The server's own database, as its superuser (trust: no password on loopback).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let data = self.data();
        let stopped = self.run(
            "pg_ctl",
            &["-D", &data, "-m", "immediate", "-w", "stop"],
            false,
        );
        if let Err(error) = stopped {
            eprintln!("PostgreSQL der Tests ließ sich nicht stoppen: {error:#}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
