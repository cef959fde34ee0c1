//! The Dreieck relay: one binary that serves the built web app and relays sealed changes between
//! the devices that share a report.
//!
//! Design. Everything the binary does is in this library, so tests drive the real thing: [`app`]
//! builds the whole HTTP surface as one `axum::Router` (tests call it in-process with
//! `tower::ServiceExt::oneshot`, or on a real port), and [`Server`] binds it to a socket with
//! graceful shutdown. Setting up (checking `dist/`, creating the data directory, opening the
//! database and starting its writer) is a separate, fallible step, [`Relay::open`], so a
//! wrong configuration ends in a clear [`Error`] before anything listens, and the router itself
//! cannot fail. The static hosting stays a fallback service, so app routes, files and API never
//! shadow each other. `main.rs` only parses the flags, sets up logging and waits for signals.
//!
//! The sync endpoint (`GET /sync`, WebSocket; contract in `docs/contracts.md`) runs the protocol
//! of `dreieck_sync`, whose state machines do no IO; this crate supplies the IO around them:
//! - `connection/`: one task per WebSocket that owns the socket, checks what the room cannot
//!   (frame size, message rate, text messages, connection limits, shutdown), waits for the Hello
//!   and routes the connection to its room, or (`forward.rs`), when instances share a
//!   PostgreSQL database and another one serves the room, passes its frames to that instance.
//! - `room_task.rs`: one task per live room that owns its `dreieck_sync::room::Room` and carries out
//!   its effects in order: frames into the connections' outboxes at once (fan-out never waits
//!   for the disk), records to the writer, acknowledgements when the writer reports durability.
//!   No lock around a room; a slow connection is dropped rather than stall its room.
//! - `writer.rs` and `store/`: one thread with the only database connection that takes
//!   everything queued, writes it in one transaction and commits it once (grouped commit), then
//!   reports to each room how far it is durable. Rooms are loaded through the same queue, so a
//!   load sees every write queued before it. Two backends behind one interface: SQLite in the
//!   data directory (WAL, `synchronous=FULL`, the default) and PostgreSQL (`--database`), where
//!   several instances share the rooms, one instance serving each room at a time.
//! - `backup.rs` and `check.rs`: the operator's commands (`backup`, `restore`, `check`) and the
//!   lock that keeps a SQLite data directory to one relay.
//! - `hub.rs`: the table of live rooms and the connection counts; a room task leaves memory
//!   (after `--room-linger-secs`) only when the table, under its lock, shows no connection on it
//!   or on its way in. A room loaded again starts a new epoch, which clients handle.
//! - `memory.rs`: gives memory that departed rooms and connections freed back to the system.
//! - `metrics.rs`: counters for `GET /metrics`; logs and metrics carry connection numbers and an
//!   8-hex-digit hash of the room id at most, never ids, keys, names or content. `/metrics`
//!   answers only the machine itself (loopback) unless `--metrics-public`.
//! - `writer.rs`: a room takes part in a storage batch before its first write is tried, so a
//!   failed commit reaches every room that lost writes (each refuses its connections with
//!   STORAGE_FAILURE and is loaded again from the disk by the next connection).
//!
//! Shutdown: stop accepting, send `Error(SHUTTING_DOWN)` to every sync connection and close it,
//! let rooms leave memory, then stop the writer after it has committed everything queued.

mod addresses;
mod backup;
mod check;
mod connection;
mod csp;
mod expiry;
mod hub;
mod limits;
mod memory;
mod metrics;
mod quota;
mod refusals;
mod room_task;
mod runs;
mod static_files;
mod store;
mod tls;
mod writer;

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, Request};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::serve::ListenerExt as _;
use axum::{middleware, Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::backup::DataLock;
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::static_files::Site;
use crate::writer::Writer;

pub use crate::backup::{backup, restore, BEFORE_RESTORE, LOCK_FILE};
pub use crate::check::{check, CheckReport};
pub use crate::limits::SyncLimits;
pub use crate::store::postgres::create_database;
pub use crate::store::Database;
pub use crate::tls::client_config as tls_client_config;

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "relay.sqlite3";

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
    /// Where the rooms are kept: `postgres://user:password@host:port/database` for a
    /// PostgreSQL database, or `sqlite:/path/file`; without it, a SQLite file in the data
    /// directory.
    #[arg(long, env = "DREIECK_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// Where the other instances on the same PostgreSQL database reach this one's sync
    /// endpoint, e.g. `ws://10.0.0.5:8080/sync`. Without it: the address the relay listens on
    /// (127.0.0.1 in place of an unspecified address, which only serves instances on the same
    /// machine).
    #[arg(long, env = "DREIECK_INSTANCE_URL")]
    pub instance_url: Option<String>,
    /// Certificates (PEM) of the authorities to trust besides the system's when the relay
    /// connects with TLS: to PostgreSQL (`sslmode=require` or `sslmode=verify-full` in
    /// --database) and to other instances (`wss://` instance URLs). The server's certificate
    /// is always checked and must name the host connected to.
    #[arg(long = "ca-file", env = "DREIECK_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// Limits of the sync endpoint.
    #[command(flatten)]
    pub limits: SyncLimits,
    /// Serve `/metrics` to every address, not only to the machine itself (loopback). For a
    /// metrics collector elsewhere; the counters hold no content, but how busy a relay is
    /// concerns nobody outside by default.
    #[arg(long, env = "DREIECK_METRICS_PUBLIC")]
    pub metrics_public: bool,
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
    #[error("Die Datenbank {what} lässt sich nicht öffnen")]
    Database {
        what: String,
        #[source]
        source: Box<Error>,
    },
    #[error(
        "--database (DREIECK_DATABASE) nennt keine Datenbank: erwartet wird \
         postgres://benutzer:passwort@host:port/datenbank oder sqlite:/pfad/zur/datei"
    )]
    DatabaseFlag,
    #[error(
        "Die Kennung dieser Relay-Instanz ist in PostgreSQL schon vergeben (ein Zufall, der \
         praktisch nie vorkommt). Bitte neu starten."
    )]
    DatabaseInUse,
    #[error("Die Verbindung zur Datenbank ist weg")]
    DatabaseGone,
    #[error("Die Datenbank {} gibt es nicht", .0.display())]
    DatabaseMissing(PathBuf),
    #[error(
        "Im Datenverzeichnis {} läuft schon ein Relay (oder eine Wiederherstellung). \
         Erst beenden.",
        .0.display()
    )]
    DataDirInUse(PathBuf),
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "Eine PostgreSQL-Datenbank sichert man mit PostgreSQLs eigenen Werkzeugen: \
         pg_dump --format=custom --file=dreieck.dump <Datenbank> und zurück mit \
         pg_restore --clean --if-exists --dbname=<Datenbank> dreieck.dump \
         (siehe docs/operations.md)"
    )]
    BackupPostgres,
    #[error("{} gibt es schon; eine Sicherung überschreibt nichts", .0.display())]
    BackupExists(PathBuf),
    #[error("Die Sicherung ist nicht in Ordnung:\n{0}")]
    BackupDamaged(CheckReport),
    #[error("Die Zertifikatsdatei {} (--ca-file) ist nicht brauchbar: {reason}", path.display())]
    CaFile { path: PathBuf, reason: String },
    #[error("TLS lässt sich nicht einrichten: {0}")]
    Tls(String),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Not a `source`: [`store::postgres::summary`] already names the causes, without the
    /// server's detail.
    #[error("PostgreSQL: {}", store::postgres::summary(.0))]
    Postgres(postgres::Error),
    #[error("Ein gespeicherter Wert passt nicht: {0}")]
    StoredValue(String),
    #[error("Der Speicher-Thread lässt sich nicht starten")]
    WriterThread(#[source] io::Error),
    #[error("Der Server ist ausgefallen")]
    Serve(#[source] io::Error),
}

impl From<postgres::Error> for Error {
    fn from(error: postgres::Error) -> Error {
        Error::Postgres(error)
    }
}

/// The relay's shared state, set up and checked once at start.
#[derive(Clone, Debug)]
pub struct Relay {
    site: Arc<Site>,
    data: PathBuf,
    hub: Arc<Hub>,
    metrics_public: bool,
    /// One relay per data directory with SQLite (a second would write the same file).
    _lock: Option<Arc<DataLock>>,
}

impl Relay {
    /// Checks that `dist/` holds an app, creates the data directory, opens the database and
    /// starts the storage writer.
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
        let database = Database::from_config(config)?;
        // Only instances on PostgreSQL connect to others (forwarding), so only they need the
        // roots; a --ca-file that is no certificate stops them here.
        let (lock, tls) = match database {
            Database::Sqlite(_) => (Some(Arc::new(DataLock::take(&config.data)?)), None),
            Database::Postgres { .. } => {
                (None, Some(tls::client_config(config.ca_file.as_deref())?))
            }
        };
        let metrics = Arc::new(Metrics::default());
        let writer =
            Writer::start(&database, Arc::clone(&metrics)).map_err(|source| Error::Database {
                what: database.describe(),
                source: Box::new(source),
            })?;
        tracing::info!(database = %database.describe(), "Datenbank geöffnet");
        Ok(Relay {
            site: Arc::new(Site {
                dist: config.dist.clone(),
            }),
            data: config.data.clone(),
            hub: Arc::new(Hub::new(config.limits.clone(), metrics, writer, tls)),
            metrics_public: config.metrics_public,
            _lock: lock,
        })
    }

    /// The directory the app is served from.
    pub fn dist_dir(&self) -> &Path {
        &self.site.dist
    }

    /// The relay's data directory (with the database, [`DATABASE_FILE`]).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Stops the sync endpoint: every open sync connection gets `Error(SHUTTING_DOWN)` and is
    /// closed, new ones are refused, rooms leave memory, and everything queued for storage is
    /// committed. Waits at most `grace` for connections and rooms, then commits anyway.
    pub async fn shut_down_sync(&self, grace: Duration) {
        self.hub.begin_shutdown();
        if tokio::time::timeout(grace, self.hub.idle()).await.is_err() {
            tracing::warn!("Sync-Verbindungen nach {grace:?} noch offen");
        }
        self.hub.writer.stop().await;
    }
}

/// The whole HTTP surface: `/healthz`, `/sync` (WebSocket), `/metrics`, `index.html` for `/`
/// and every app route, the app's files.
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

    let sync = Router::new()
        .route("/sync", get(connection::sync))
        .with_state(Arc::clone(&relay.hub));
    let metrics = Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(MetricsAccess {
            hub: Arc::clone(&relay.hub),
            public: relay.metrics_public,
        });

    Router::new()
        .route("/healthz", get(healthz))
        .route("/", get(static_files::index))
        .route("/index.html", get(static_files::index))
        .fallback_service(static_files::files(Arc::clone(&relay.site)))
        .with_state(Arc::clone(&relay.site))
        .merge(sync)
        .merge(metrics)
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

#[derive(Clone)]
struct MetricsAccess {
    hub: Arc<Hub>,
    public: bool,
}

/// Counters for Prometheus; counts only, never ids or content. Only for the machine itself
/// unless `--metrics-public`: a request from elsewhere (or served without the peer's address)
/// gets 404, as if there were no such page.
async fn metrics_text(
    State(access): State<MetricsAccess>,
    request: Request<axum::body::Body>,
) -> axum::response::Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|axum::extract::ConnectInfo(addr)| *addr);
    // A reverse proxy on this machine connects from loopback for everyone: what it forwards
    // is not the machine itself.
    let proxied = request.headers().contains_key("x-forwarded-for")
        || request.headers().contains_key(header::FORWARDED);
    if !metrics_allowed(access.public, peer, proxied) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let hub = access.hub;
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        hub.metrics.render(),
    )
        .into_response()
}

/// Who may read `/metrics`: the machine itself (not through a proxy), or everyone with
/// `--metrics-public`. Without the peer's address (a router served without it) nobody.
fn metrics_allowed(public: bool, peer: Option<SocketAddr>, proxied: bool) -> bool {
    public
        || !proxied
            && peer.is_some_and(|addr| match addr.ip() {
                std::net::IpAddr::V4(ip) => ip.is_loopback(),
                // An IPv4 client on a dual-stack socket arrives as ::ffff:127.0.0.1.
                std::net::IpAddr::V6(ip) => {
                    ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
                }
            })
}

/// A relay bound to its socket, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    relay: Relay,
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
        if relay.hub.writer.cluster_secret().is_some() {
            let url = config
                .instance_url
                .clone()
                .unwrap_or_else(|| instance_url(local_addr));
            relay
                .hub
                .writer
                .register(url.clone())
                .await
                .map_err(|_| Error::DatabaseGone)?;
            tracing::info!(%url, "Instanz angemeldet");
        }
        tracing::info!(
            %local_addr,
            dist = %relay.dist_dir().display(),
            data = %relay.data_dir().display(),
            "Relay bereit"
        );
        Ok(Server {
            listener,
            relay,
            local_addr,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` completes, then lets open requests finish (at most
    /// [`SHUTDOWN_GRACE`]), closes the sync connections and commits what is queued for storage
    /// ([`Relay::shut_down_sync`]).
    pub async fn run<F>(self, shutdown: F) -> Result<(), Error>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let stopping = Arc::new(Notify::new());
        let signal = {
            let stopping = Arc::clone(&stopping);
            let relay = self.relay.clone();
            async move {
                shutdown.await;
                tracing::info!("Relay fährt herunter");
                // Upgraded WebSocket connections are not HTTP requests axum waits for.
                relay.hub.begin_shutdown();
                stopping.notify_one();
            }
        };
        // Sync frames are small and latency matters: no Nagle delay on any connection.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::warn!(%error, "TCP_NODELAY lässt sich nicht setzen");
            }
        });
        tokio::spawn(memory::trim_periodically(Arc::clone(&self.relay.hub)));
        tokio::spawn(expiry::expire_periodically(Arc::clone(&self.relay.hub)));
        tokio::spawn(quota::refresh_periodically(Arc::clone(&self.relay.hub)));
        let serving = axum::serve(
            listener,
            app(&self.relay).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .into_future();
        let deadline = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        let result = tokio::select! {
            result = serving => result.map_err(Error::Serve),
            () = deadline => {
                tracing::warn!("Verbindungen nach {SHUTDOWN_GRACE:?} noch offen, beende trotzdem");
                Ok(())
            }
        };
        self.relay.shut_down_sync(SHUTDOWN_GRACE).await;
        result
    }
}

/// The sync URL other instances use without `--instance-url`: the bound address, with loopback
/// in place of an unspecified one.
fn instance_url(local_addr: SocketAddr) -> String {
    let mut addr = local_addr;
    if addr.ip().is_unspecified() {
        tracing::warn!(
            "Ohne --instance-url erreichen andere Instanzen diese nur auf demselben Rechner"
        );
        addr.set_ip(match addr.ip() {
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("ws://{addr}/sync")
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

#[cfg(test)]
mod tests {
    use super::metrics_allowed;

    #[test]
    fn metrics_are_for_the_machine_itself_unless_public() {
        let at = |a: &str| Some(a.parse().expect("address"));
        for local in ["127.0.0.1:9", "[::1]:9", "[::ffff:127.0.0.1]:9"] {
            assert!(metrics_allowed(false, at(local), false), "{local}");
            assert!(
                !metrics_allowed(false, at(local), true),
                "{local} through a proxy"
            );
        }
        for other in [
            "192.168.1.20:9",
            "10.0.0.1:9",
            "[2001:db8::1]:9",
            "[::ffff:10.0.0.1]:9",
        ] {
            assert!(!metrics_allowed(false, at(other), false), "{other}");
            assert!(
                metrics_allowed(true, at(other), true),
                "{other} with --metrics-public"
            );
        }
        assert!(!metrics_allowed(false, None, false));
    }
}
