//! Certificates for the tests of TLS: an authority made for one test run, and a server
//! certificate it signed for `localhost` and 127.0.0.1. The test PostgreSQL server presents it,
//! the TLS proxy in front of a relay instance in `crates/relay/tests/instances.rs` too; the
//! tests find them by `DREIECK_TEST_TLS`. Made with Debian's `openssl` (installed where
//! missing), so no certificate is ever stored in the repository or outlives its run.

use std::path::Path;

use anyhow::Result;

use crate::tools::{apt_install, cmd, exec};

/// Writes `ca.crt`, `server.crt` and `server.key` (mode 0600) into `dir`.
pub fn make(dir: &Path) -> Result<()> {
    if !Path::new("/usr/bin/openssl").exists() {
        eprintln!("openssl fehlt: installiere Debians Paket openssl");
        apt_install(&["openssl"])?;
    }
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-noenc",
    ];
    exec(
        cmd("openssl")
            .args(["req", "-x509", "-days", "2", "-subj", "/CN=Dreieck Test-CA"])
            .args(ec)
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            .args(["-keyout", &path("ca.key"), "-out", &path("ca.crt")]),
    )?;
    exec(
        cmd("openssl")
            .args(["req", "-subj", "/CN=localhost"])
            .args(ec)
            .args(["-keyout", &path("server.key"), "-out", &path("server.csr")]),
    )?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName = DNS:localhost, IP:127.0.0.1\n\
         basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature\n\
         extendedKeyUsage = serverAuth\n",
    )?;
    exec(cmd("openssl").args([
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        &path("server.csr"),
        "-CA",
        &path("ca.crt"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-extfile",
        &path("server.ext"),
        "-out",
        &path("server.crt"),
    ]))?;
    // The authority's key signed its one certificate; nobody needs it any more.
    std::fs::remove_file(dir.join("ca.key"))?;
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(
        dir.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )?;
    Ok(())
}
