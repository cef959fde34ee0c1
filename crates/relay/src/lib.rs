//! The Dreieck relay: one binary that serves the built web app and, later, the sync endpoint.
//!
//! Design. Everything the binary does is in this library, so tests drive the real thing: [`app`]
//! builds the whole HTTP surface as one `axum::Router`, which tests call in-process with
//! `tower::ServiceExt::oneshot`, and [`serve`] binds it to a socket with graceful shutdown.
//! Setting up (checking `dist/`, creating the data directory; later: opening the room store) is
//! a separate, fallible step, [`Relay::open`], so that a wrong configuration ends in a clear
//! [`Error`] before anything listens, and the router itself cannot fail. The sync endpoint will
//! be one more route in [`app`] sharing the state in [`Relay`]; the static hosting stays a
//! fallback service, so app routes, files and API never shadow each other. `main.rs` only parses
//! the flags, sets up logging and waits for SIGINT/SIGTERM.

mod csp;
mod static_files;

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, Request};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::static_files::Site;

/// How long open connections may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Where to listen and which directories to use: from flags, else environment, else defaults.
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "dreieck-relay",
    version,
    about = "Dreieck: serves the app (and later relays sealed changes)"
)]
pub struct Config {
    /// Address to listen on (an IP address or a host name).
    #[arg(long, env = "DREIECK_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0: any free port).
    #[arg(long, env = "DREIECK_PORT", default_value_t = 8080)]
    pub port: u16,
    /// The built app: Trunk's dist directory, with index.html.
    #[arg(long, env = "DREIECK_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Where the relay keeps its data; created at start.
    #[arg(
        long = "data-dir",
        visible_alias = "data",
        env = "DREIECK_DATA",
        default_value = "data"
    )]
    pub data: PathBuf,
}

/// Everything that can stop the relay. The messages are for the person who starts it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "Das App-Verzeichnis {} fehlt. Erst die App bauen (cargo xtask run) \
         oder mit --dist bzw. DREIECK_DIST auf den Ordner mit index.html zeigen.",
        .0.display()
    )]
    DistMissing(PathBuf),
    #[error(
        "Im App-Verzeichnis {} fehlt index.html. Ist es wirklich Trunks dist-Ordner?",
        .0.display()
    )]
    IndexMissing(PathBuf),
    #[error("Das Datenverzeichnis {} lässt sich nicht anlegen", path.display())]
    DataDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("Kann nicht auf {address} lauschen")]
    Bind {
        address: String,
        #[source]
        source: io::Error,
    },
    #[error("Der Server ist ausgefallen")]
    Serve(#[source] io::Error),
}

/// The relay's shared state, set up and checked once at start.
#[derive(Clone, Debug)]
pub struct Relay {
    site: Arc<Site>,
    data: PathBuf,
}

impl Relay {
    /// Checks that `dist/` holds an app and creates the data directory.
    pub fn open(config: &Config) -> Result<Relay, Error> {
        if !config.dist.is_dir() {
            return Err(Error::DistMissing(config.dist.clone()));
        }
        let index = config.dist.join("index.html");
        if !index.is_file() {
            return Err(Error::IndexMissing(config.dist.clone()));
        }
        std::fs::create_dir_all(&config.data).map_err(|source| Error::DataDir {
            path: config.data.clone(),
            source,
        })?;
        Ok(Relay {
            site: Arc::new(Site {
                dist: config.dist.clone(),
            }),
            data: config.data.clone(),
        })
    }

    /// The directory the app is served from.
    pub fn dist_dir(&self) -> &Path {
        &self.site.dist
    }

    /// The relay's data directory (nothing is stored there yet).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }
}

/// The whole HTTP surface: `/healthz`, `index.html` for `/` and every app route, the app's files.
pub fn app(relay: &Relay) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<_>| {
            tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
        })
        .on_request(())
        .on_response(
            DefaultOnResponse::new()
                .level(Level::INFO)
                .latency_unit(LatencyUnit::Millis),
        );
    // Files without a precompressed sibling are compressed on the fly; brotli's default (11) is
    // far too slow for a wasm module per request, 5 is fast and still smaller than gzip.
    let compression = CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(5));

    Router::new()
        .route("/healthz", get(healthz))
        .route("/", get(static_files::index))
        .route("/index.html", get(static_files::index))
        .fallback_service(static_files::files(Arc::clone(&relay.site)))
        .with_state(Arc::clone(&relay.site))
        .layer(compression)
        .layer(middleware::from_fn(static_files::response_headers))
        .layer(trace)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
}

async fn healthz() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(Health {
            status: "ok",
            version: env!("CARGO_PKG_VERSION"),
        }),
    )
}

/// A relay bound to its socket, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
}

impl Server {
    /// Sets up the relay ([`Relay::open`]) and binds the socket.
    pub async fn bind(config: &Config) -> Result<Server, Error> {
        let relay = Relay::open(config)?;
        let address = format!("{}:{}", config.host, config.port);
        let bind_error = |source| Error::Bind {
            address: address.clone(),
            source,
        };
        let listener = TcpListener::bind((config.host.as_str(), config.port))
            .await
            .map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        tracing::info!(
            %local_addr,
            dist = %relay.dist_dir().display(),
            data = %relay.data_dir().display(),
            "Relay bereit"
        );
        Ok(Server {
            listener,
            router: app(&relay),
            local_addr,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` completes, then lets open requests finish (at most
    /// [`SHUTDOWN_GRACE`]).
    pub async fn run<F>(self, shutdown: F) -> Result<(), Error>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let stopping = Arc::new(Notify::new());
        let signal = {
            let stopping = Arc::clone(&stopping);
            async move {
                shutdown.await;
                tracing::info!("Relay fährt herunter");
                stopping.notify_one();
            }
        };
        let serving = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(signal)
            .into_future();
        let deadline = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            result = serving => result.map_err(Error::Serve),
            () = deadline => {
                tracing::warn!("Verbindungen nach {SHUTDOWN_GRACE:?} noch offen, beende trotzdem");
                Ok(())
            }
        }
    }
}

/// Sets up, binds, prints where the app is, and serves until `shutdown` completes.
pub async fn serve<F>(config: Config, shutdown: F) -> Result<(), Error>
where
    F: Future<Output = ()> + Send + 'static,
{
    let server = Server::bind(&config).await?;
    println!("Dreieck läuft auf http://{}", server.local_addr());
    server.run(shutdown).await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. If a handler cannot be installed, that signal is
/// logged and ignored; the other still works.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "SIGINT lässt sich nicht abfangen");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "SIGTERM lässt sich nicht abfangen");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
