//! TLS for the connections the relay opens itself: to PostgreSQL and to the other instances.
//!
//! The relay serves plain HTTP behind a TLS proxy on its own machine (docs/operations.md), but
//! what it connects to may be across a network nobody on this machine controls: a database
//! cluster in the data centre, an instance on another host. There, TLS is used with the
//! server's certificate always checked — against the system's roots and the operator's own
//! authorities (`--ca-file`) — and its name always matched. There is no switch to skip the
//! check: a TLS that accepts any certificate hands the database password and the cluster secret
//! to whoever sits in between, and only looks safe.
//!
//! rustls with ring: nothing to link against, no C toolchain beyond ring's own build.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use crate::Error;

/// The configuration every outgoing TLS connection of this relay uses: the system's roots, and
/// those in `ca_file` (PEM, one or more certificates) when given. A file that cannot be read or
/// holds no usable certificate stops the relay at start, not at its first connection.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, Error> {
    let mut roots = RootCertStore::empty();
    let system = rustls_native_certs::load_native_certs();
    let (added, _unusable) = roots.add_parsable_certificates(system.certs);
    if !system.errors.is_empty() {
        tracing::debug!(
            errors = system.errors.len(),
            "Einige Stammzertifikate des Systems sind nicht lesbar"
        );
    }
    if let Some(path) = ca_file {
        let ca_error = |reason: String| Error::CaFile {
            path: path.to_path_buf(),
            reason,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| ca_error(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ca_error(e.to_string()))?;
        if certs.is_empty() {
            return Err(ca_error("kein Zertifikat (PEM) darin".to_owned()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| ca_error(format!("ein Zertifikat ist unbrauchbar: {e}")))?;
        }
    }
    tracing::debug!(
        system = added,
        own = ca_file.is_some(),
        "TLS-Stammzertifikate geladen"
    );
    // ring has no post-quantum key exchange (hence rustls's deprecation); aws-lc-rs has, but
    // builds a large C library on every fresh machine. What these connections carry is
    // ciphertext, a database password and the cluster secret, on the operator's network: the
    // classical exchange is the trade taken for now (docs/security.md).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_that_is_no_certificate_stops_the_relay_with_its_name() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("fehlt.pem");
        let text = client_config(Some(&missing))
            .expect_err("missing")
            .to_string();
        assert!(text.contains("fehlt.pem"), "{text}");

        let empty = dir.path().join("leer.pem");
        std::fs::write(&empty, "nur Text, kein Zertifikat\n").expect("write");
        let text = client_config(Some(&empty)).expect_err("empty").to_string();
        assert!(
            text.contains("leer.pem") && text.contains("kein Zertifikat"),
            "{text}"
        );

        let broken = dir.path().join("kaputt.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .expect("write");
        let text = client_config(Some(&broken))
            .expect_err("broken")
            .to_string();
        assert!(text.contains("kaputt.pem"), "{text}");

        assert!(client_config(None).is_ok(), "the system's roots alone");
    }
}
