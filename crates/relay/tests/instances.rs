//! Several relay instances on one PostgreSQL database, as an operator runs them for
//! availability: devices on different instances co-edit one report live (the instance that does
//! not serve the room forwards its devices to the one that does), and when the serving instance
//! is killed (SIGKILL), nothing it acknowledged is lost: its devices reconnect to the other,
//! which takes the room over, and catch up.
//!
//! Needs the PostgreSQL server `cargo xtask test` starts (`DREIECK_TEST_POSTGRES`); set that
//! variable to `off` to skip these tests.

mod common;

use common::peer::*;
use common::process;
use common::tls_proxy::TlsProxy;
use dreieck_sync::client;

fn database() -> Option<String> {
    let admin = std::env::var("DREIECK_TEST_POSTGRES").expect(
        "DREIECK_TEST_POSTGRES names no PostgreSQL server: run `cargo xtask test`, \
         or set it to `off` to skip these tests",
    );
    (admin != "off").then(|| common::fresh_database(&admin))
}

fn app_on(database: &str) -> common::TestApp {
    let mut test = common::built_app();
    test.config.database = Some(database.to_owned());
    test
}

#[tokio::test]
async fn devices_on_two_instances_co_edit_one_room() {
    let Some(database) = database() else { return };
    let one = start(app_on(&database)).await;
    let two = start(app_on(&database)).await;
    let (room, key) = room_and_key();

    // The first device reaches instance one, which takes the room; the second reaches
    // instance two, which forwards it.
    let mut a = Peer::join(one.addr, room, &key).await;
    let mut b = Peer::join(two.addr, room, &key).await;
    a.change_acked("Erstes Gerät").await;
    b.until(|p| p.has_applied("Erstes Gerät")).await;
    b.change_acked("Zweites Gerät").await;
    a.until(|p| p.has_applied("Zweites Gerät")).await;

    // Both type at the same time without waiting for each other.
    for i in 0..20 {
        a.change(&format!("a{i:02}.")).await;
        b.change(&format!("b{i:02}.")).await;
    }
    // Each device sends what it queued once its previous send is acknowledged.
    let from = |p: &Peer, who: char| (0..20).all(|i| p.has_applied(&format!("{who}{i:02}.")));
    a.until(|p| p.client.unacknowledged() == 0).await;
    b.until(|p| p.client.unacknowledged() == 0 && from(p, 'a'))
        .await;
    a.until(|p| from(p, 'b')).await;

    let forwarding = http_get(two.addr, "/metrics").await;
    assert_eq!(sample(&forwarding, "dreieck_relay_forwarded_open"), 1);
    assert_eq!(sample(&forwarding, "dreieck_relay_rooms_live"), 0);
    let serving = http_get(one.addr, "/metrics").await;
    assert_eq!(sample(&serving, "dreieck_relay_forwarded_in_total"), 1);
    assert_eq!(sample(&serving, "dreieck_relay_rooms_live"), 1);

    a.close().await;
    b.close().await;
    one.stop().await;
    two.stop().await;
}

/// Instances on different machines reach each other through the TLS proxy in front of each
/// (`--instance-url wss://…`). An instance that trusts the proxy's authority (`--ca-file`)
/// forwards through it; one that cannot verify the certificate does not forward at all, so the
/// cluster secret it would send never crosses a connection it could not check.
#[tokio::test]
async fn instances_forward_over_tls_only_to_a_certificate_they_can_verify() {
    let Some(database) = database() else { return };
    let (listener, proxy_addr) = TlsProxy::bind().await;
    let mut serving = app_on(&database);
    serving.config.instance_url = Some(format!("wss://localhost:{}/sync", proxy_addr.port()));
    let one = start(serving).await;
    let proxy = TlsProxy::forward_to(listener, one.addr);
    let mut trusting = app_on(&database);
    trusting.config.ca_file = Some(common::test_ca());
    let two = start(trusting).await;
    // The system's roots only: the run's authority is not among them.
    let three = start(app_on(&database)).await;

    let (room, key) = room_and_key();
    let mut a = Peer::join(one.addr, room, &key).await;
    a.change_acked("Über TLS").await;
    let mut b = Peer::join(two.addr, room, &key).await;
    b.until(|p| p.has_applied("Über TLS")).await;
    b.change_acked("Zurück").await;
    a.until(|p| p.has_applied("Zurück")).await;
    assert_eq!(
        proxy.handshakes(),
        1,
        "two forwarded through the proxy, over TLS"
    );

    let client = client::Client::new(
        room,
        key.clone(),
        client::Config {
            snapshot_every: 0,
            ..Default::default()
        },
    );
    let mut c = Peer::open(three.addr, client, Vec::new()).await;
    let live = c
        .until_or_closed(|p| p.client.status() == client::Status::Live)
        .await;
    assert!(!live, "three cannot reach the room's instance");
    assert_eq!(c.errors, vec![dreieck_sync::wire::code::ROOM_ELSEWHERE]);
    assert_eq!(proxy.handshakes(), 1, "three never completed a handshake");
    assert_eq!(
        sample(
            &http_get(three.addr, "/metrics").await,
            "dreieck_relay_forwarded_open"
        ),
        0
    );

    a.close().await;
    b.close().await;
    one.stop().await;
    two.stop().await;
    three.stop().await;
}

/// The relay-wide storage quota counts every instance's writes: what one instance stored is
/// seen by the other within the refresh time, and Appends beyond the quota are refused there
/// too (without the refresh, each instance would allow the whole quota again).
#[tokio::test]
async fn the_storage_quota_counts_every_instances_writes() {
    let Some(database) = database() else { return };
    let with_quota = |mut test: common::TestApp| {
        test.config.limits.max_stored_bytes = 4000;
        test.config.limits.stored_refresh_secs = 1;
        test
    };
    let one = start(with_quota(app_on(&database))).await;
    let two = start(with_quota(app_on(&database))).await;
    // A room served by instance one takes most of the quota (3,000 bytes, sealed 3,112).
    let (room, key) = room_and_key();
    let mut a = Peer::join(one.addr, room, &key).await;
    a.change_acked(&"x".repeat(3000)).await;
    until_metric(two.addr, "dreieck_relay_stored_bytes", |n| n >= 3000).await;
    // A room instance two serves: 1,500 more would pass the quota.
    let (other, other_key) = room_and_key();
    let mut b = Peer::join(two.addr, other, &other_key).await;
    b.change(&"y".repeat(1500)).await;
    b.until(|p| p.errors.contains(&dreieck_sync::wire::code::RELAY_FULL))
        .await;
    let metrics = http_get(two.addr, "/metrics").await;
    assert_eq!(
        sample(&metrics, "dreieck_relay_rooms_live"),
        1,
        "served by two"
    );
    a.close().await;
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn a_forwarded_header_without_the_cluster_secret_is_an_ordinary_connection() {
    let Some(database) = database() else { return };
    let one = start(app_on(&database)).await;
    let (room, key) = room_and_key();
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{}/sync",
            one.addr
        ))
        .expect("request");
    request.headers_mut().insert(
        "x-dreieck-instance",
        "00".repeat(32).parse().expect("header"),
    );
    let (_ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("handshake");
    let metrics = http_get(one.addr, "/metrics").await;
    assert_eq!(sample(&metrics, "dreieck_relay_forwarded_in_total"), 0);
    // And the relay serves devices as before.
    let mut a = Peer::join(one.addr, room, &key).await;
    a.change_acked("weiter").await;
    a.close().await;
    one.stop().await;
}

#[tokio::test]
async fn when_the_serving_instance_is_killed_nothing_acknowledged_is_lost() {
    let Some(database) = database() else { return };
    let (one, one_addr) = process::Running::start(&app_on(&database));
    let (_two, two_addr) = process::Running::start(&app_on(&database));
    let (room, key) = room_and_key();

    let mut a = Peer::join(one_addr, room, &key).await;
    let mut b = Peer::join(two_addr, room, &key).await;
    for i in 0..10 {
        a.change_acked(&format!("bestätigt{i:02}")).await;
    }
    b.until(|p| (0..10).all(|i| p.has_applied(&format!("bestätigt{i:02}"))))
        .await;
    // Mid-typing: more changes on their way when the serving instance dies.
    for i in 0..5 {
        a.change(&format!("unterwegs{i:02}")).await;
    }
    one.kill();

    // Both devices find their connection gone. The one that never wrote reconnects to the
    // instance still running, which takes the room over from storage, and a new device joins
    // there: everything acknowledged before the kill reaches them from storage alone (the
    // device that wrote it is still away).
    a.until_or_closed(|_| false).await;
    b.until_or_closed(|_| false).await;
    let acknowledged = |p: &Peer| (0..10).all(|i| p.has_applied(&format!("bestätigt{i:02}")));
    let mut b = Peer::reconnect(two_addr, b.close().await, Vec::new()).await;
    let mut c = Peer::join(two_addr, room, &key).await;
    c.until(acknowledged).await;

    // The writer comes back and sends again what was not acknowledged.
    let written = a.everything.clone();
    let mut a = Peer::reconnect(two_addr, a.close().await, written).await;
    a.until(|p| p.client.unacknowledged() == 0 && !p.client.has_pending())
        .await;
    assert_eq!(a.client.status(), client::Status::Live);
    let sent_again = |p: &Peer| (0..5).all(|i| p.has_applied(&format!("unterwegs{i:02}")));
    b.until(|p| acknowledged(p) && sent_again(p)).await;
    c.until(sent_again).await;
    a.close().await;
    b.close().await;
    c.close().await;
}
