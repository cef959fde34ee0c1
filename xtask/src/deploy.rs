//! The example deployment in `deploy/`, checked by the tools that will read it: the systemd unit
//! by `systemd-analyze verify` (which only warns about unknown keys and bad values, so any
//! output fails), the Caddyfile by `caddy validate`, the nginx site by `nginx -t` inside a
//! minimal nginx.conf with a throwaway certificate. Debian's caddy and nginx are installed where
//! missing. Also `cargo xtask package`: the release binary, the built app, the docs an operator
//! needs and `deploy/`, in one directory and a tarball to copy to a server.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::build;
use crate::test::tempdir;
use crate::tools::{cmd, exec, root};

fn installed(program: &str, package: &str) -> Result<()> {
    if Command::new("which")
        .arg(program)
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Ok(());
    }
    exec(cmd("apt-get").arg("update"))?;
    exec(
        cmd("apt-get")
            .args(["install", "-y", "--no-install-recommends", package])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Runs `command` and fails if it fails or prints anything on stderr.
fn silent(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("could not start {what}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() || !stderr.trim().is_empty() {
        bail!(
            "{what} refuses the example ({}):\n{stderr}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout)
        );
    }
    eprintln!("{what}: in Ordnung");
    Ok(())
}

/// Checks the systemd unit, the Caddyfile and the nginx site in `deploy/`.
pub fn check(relay_bin: &Path) -> Result<()> {
    let deploy = root().join("deploy");
    let dir = tempdir("dreieck-deploy-check")?;
    let read = |name: &str| {
        std::fs::read_to_string(deploy.join(name)).with_context(|| format!("deploy/{name}"))
    };

    // systemd reads the unit where it will be, with a binary and an environment file there.
    let env = dir.join("relay.env");
    std::fs::write(&env, read("relay.env")?)?;
    let unit = read("dreieck-relay.service")?
        .replace("/usr/local/bin/dreieck-relay", &relay_bin.to_string_lossy())
        .replace("/etc/dreieck/relay.env", &env.to_string_lossy());
    let unit_path = dir.join("dreieck-relay.service");
    std::fs::write(&unit_path, unit)?;
    silent(
        Command::new("systemd-analyze")
            .arg("verify")
            .arg(&unit_path),
        "systemd-analyze verify",
    )?;

    installed("caddy", "caddy")?;
    // caddy validate narrates on stderr; its verdict is the exit status and the last line.
    let output = Command::new("caddy")
        .args(["validate", "--adapter", "caddyfile", "--config"])
        .arg(deploy.join("Caddyfile"))
        // Caddy keeps its state under HOME; not in the user's.
        .env("HOME", &dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .output()
        .context("could not start caddy")?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success()
        || !said.contains("Valid configuration")
        || said.contains("\"level\":\"warn\"")
    {
        bail!(
            "caddy validate refuses the example ({}):\n{said}",
            output.status
        );
    }
    eprintln!("caddy validate: in Ordnung");

    installed("nginx", "nginx")?;
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    exec(
        Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=dreieck.example.org", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(std::process::Stdio::null()),
    )?;
    let site = read("nginx.conf")?
        .replace(
            "/etc/letsencrypt/live/dreieck.example.org/fullchain.pem",
            &cert.to_string_lossy(),
        )
        .replace(
            "/etc/letsencrypt/live/dreieck.example.org/privkey.pem",
            &key.to_string_lossy(),
        );
    let site_path = dir.join("site.conf");
    std::fs::write(&site_path, site)?;
    let main = format!(
        "pid {dir}/nginx.pid;\nerror_log {dir}/error.log;\nevents {{}}\nhttp {{\n  \
         access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n  \
         include {site};\n}}\n",
        dir = dir.display(),
        site = site_path.display()
    );
    let main_path = dir.join("nginx.conf");
    std::fs::write(&main_path, main)?;
    let output = Command::new("nginx")
        .arg("-t")
        .arg("-c")
        .arg(&main_path)
        .arg("-e")
        .arg(dir.join("error.log"))
        .output()
        .context("could not start nginx")?;
    // nginx -t reports on stderr: "syntax is ok" and "test is successful", or the error.
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success()
        || !stderr.contains("test is successful")
        || stderr.contains("[warn]")
    {
        bail!(
            "nginx -t refuses the example ({}):\n{stderr}",
            output.status
        );
    }
    eprintln!("nginx -t: in Ordnung");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `cargo xtask package`: `target/package/dreieck-<version>/` and a tarball of it.
pub fn package() -> Result<()> {
    let dist = build::app(true)?;
    let relay = build::relay(true)?;
    let version = env!("CARGO_PKG_VERSION");
    let name = format!("dreieck-{version}");
    let out = build::target_dir().join("package");
    let top = out.join(&name);
    let _ = std::fs::remove_dir_all(&top);
    std::fs::create_dir_all(top.join("bin"))?;
    std::fs::copy(&relay, top.join("bin/dreieck-relay"))?;
    let share = top.join("share/dreieck");
    copy_dir(&dist, &share.join("dist"))?;
    copy_dir(&root().join("deploy"), &share.join("deploy"))?;
    std::fs::create_dir_all(share.join("doc"))?;
    for doc in ["operations.md", "contracts.md", "security.md"] {
        std::fs::copy(root().join("docs").join(doc), share.join("doc").join(doc))?;
    }
    exec(
        Command::new("tar")
            .arg("-C")
            .arg(&out)
            .args(["-czf", &format!("{name}.tar.gz"), &name])
            .current_dir(&out),
    )?;
    println!(
        "{}\n{}",
        top.display(),
        out.join(format!("{name}.tar.gz")).display()
    );
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
