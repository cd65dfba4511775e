//! Real browser sessions for the tests: Debian's Chromium driven through
//! chromedriver, against the real server served on a free port.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use collabmap_server::{DEMO_EMAIL, DEMO_PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

pub fn start_driver() -> Driver {
    for program in [CHROMIUM, CHROMEDRIVER] {
        assert!(std::path::Path::new(program).exists(), "{program} is missing: run ./scripts/test, which installs Debian's chromium and chromium-driver");
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start listening on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port }
}

pub async fn browser(driver_port: u16, profile: &std::path::Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    ClientBuilder::rustls()
        .expect("TLS set up")
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a browser session")
}

/// Waits until `script` (a JavaScript expression) is true in the page.
pub async fn wait_until(client: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = client.execute(&format!("return !!({script});"), vec![]).await.expect("script runs");
        if value == json!(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("COLLABMAP_SCREENSHOTS") {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(&dir).expect("folder");
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).expect("written");
    }
}

/// Serves the app on a free port: its address, and the server's task to abort at the end.
pub async fn serve(app: &super::App) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address: SocketAddr = listener.local_addr().expect("address");
    let router = app.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await });
    (format!("http://{address}"), server)
}

/// Signs in as the demo's owner on the sign-in page the browser is showing.
pub async fn fill_in_sign_in(client: &Client) {
    client.find(Locator::Css("input[name=email]")).await.expect("email field").send_keys(DEMO_EMAIL).await.expect("type");
    client.find(Locator::Css("input[name=password]")).await.expect("password field").send_keys(DEMO_PASSWORD).await.expect("type");
    client.find(Locator::Css("form button[type=submit]")).await.expect("button").click().await.expect("click");
}

/// Opens the sign-in page, signs in as the demo's owner and waits for the studies list.
pub async fn sign_in(client: &Client, base: &str) {
    client.goto(&format!("{base}/login")).await.expect("goto");
    fill_in_sign_in(client).await;
    wait_until(client, "document.querySelector('table.studies a')", "the studies list").await;
}

pub async fn text_of(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

/// Runs a browser journey on SQLite, then on PostgreSQL, with one chromedriver.
pub async fn on_every_backend<F, Fut>(name: &str, journey: F)
where
    F: Fn(super::App, u16) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let driver = start_driver();
    for database in collabmap_store::testing::every_backend().await {
        let backend = database.backend;
        let app = super::App::start(&database).await;
        let store = app.store.clone();
        let outcome = tokio::time::timeout(Duration::from_secs(180), journey(app, driver.port)).await;
        store.close().await;
        database.remove().await;
        assert!(outcome.is_ok(), "{name} on {backend:?} took over three minutes");
    }
}

/// Runs a browser check on SQLite only, for what does not depend on the
/// database (how pages read), within `minutes`.
pub async fn on_sqlite<F, Fut>(name: &str, minutes: u64, check: F)
where
    F: FnOnce(super::App, u16) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let driver = start_driver();
    let database = collabmap_store::testing::sqlite();
    let app = super::App::start(&database).await;
    let store = app.store.clone();
    let outcome = tokio::time::timeout(Duration::from_secs(minutes * 60), check(app, driver.port)).await;
    store.close().await;
    database.remove().await;
    assert!(outcome.is_ok(), "{name} took over {minutes} minutes");
}
