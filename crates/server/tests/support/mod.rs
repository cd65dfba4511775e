//! A test client for the workspace: the real router, called in process,
//! over a real database (SQLite, then PostgreSQL).

#![allow(dead_code, unreachable_pub)]

pub mod browser;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use collabmap_server::{AppState, DEMO_EMAIL, DEMO_PASSWORD, Options, ensure_demo, router};
use collabmap_store::Store;
use collabmap_store::testing::TestDatabase;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// Runs `$body` (an async closure taking an `App`) once per database.
#[macro_export]
macro_rules! on_every_backend {
    ($name:ident, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for database in collabmap_store::testing::every_backend().await {
                let backend = database.backend;
                let app = support::App::start(&database).await;
                let store = app.store.clone();
                let run = $body;
                let outcome = tokio::spawn(run(app)).await;
                store.close().await;
                database.remove().await;
                if let Err(error) = outcome {
                    panic!("failed on {backend:?}: {error}");
                }
            }
        }
    };
}

pub const PASSWORD: &str = "password-123";

pub struct App {
    pub router: Router,
    pub store: Store,
    pub study: i64,
    /// The database's address, for a second server over it.
    pub url: String,
}

#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl App {
    /// The workspace with the demo study (id in `study`) and accounts
    /// editor@, viewer@ and outsider@example.org besides the demo owner.
    pub async fn start(database: &TestDatabase) -> App {
        let store = Store::open(&database.url).await.expect("the database opens");
        ensure_demo(&store).await.expect("the demo loads");
        for name in ["editor", "viewer", "outsider"] {
            store.add_user(&format!("{name}@example.org"), PASSWORD, false).await.expect("user added");
        }
        let owner = store.user_by_email(DEMO_EMAIL).await.expect("query").expect("demo user");
        let study = store.studies_of(owner.id).await.expect("studies")[0].id;
        store.set_member(study, "editor@example.org", collabmap_store::Role::Editor).await.expect("member");
        store.set_member(study, "viewer@example.org", collabmap_store::Role::Viewer).await.expect("member");
        App { router: router(AppState::new(store.clone(), Options::default())), store, study, url: database.url.clone() }
    }

    /// A second server over the same database, as a balancer would put beside the first.
    pub async fn twin(&self) -> App {
        let store = Store::open(&self.url).await.expect("the database opens again");
        App { router: router(AppState::new(store.clone(), Options::default())), store, study: self.study, url: self.url.clone() }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("a body").to_bytes().to_vec();
        Reply { status, headers, body }
    }

    /// A request with the session's cookie and, when `csrf`, its token.
    pub async fn call(&self, method: Method, path: &str, session: Option<&Session>, csrf: bool, body: Option<Value>) -> Reply {
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        if let Some(session) = session {
            request = request.header(header::COOKIE, format!("collabmap_session={}", session.cookie));
            if csrf {
                request = request.header("x-csrf-token", &session.csrf);
            }
        }
        let body = match body {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }

    pub async fn get(&self, path: &str, session: &Session) -> Reply {
        self.call(Method::GET, path, Some(session), false, None).await
    }

    pub async fn login_reply(&self, email: &str, password: &str) -> Reply {
        self.call(Method::POST, "/api/login", None, false, Some(json!({"email": email, "password": password}))).await
    }

    pub async fn login(&self, email: &str) -> Session {
        let password = if email == DEMO_EMAIL { DEMO_PASSWORD } else { PASSWORD };
        let reply = self.login_reply(email, password).await;
        assert_eq!(reply.status, StatusCode::OK, "login of {email}: {}", reply.text());
        let cookie = reply.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("a cookie");
        let value = cookie.split(';').next().and_then(|c| c.split_once('=')).map(|(_, v)| v.to_string()).expect("cookie value");
        Session { cookie: value, csrf: reply.json()["csrf"].as_str().expect("csrf").to_string() }
    }

    pub async fn owner(&self) -> Session {
        self.login(DEMO_EMAIL).await
    }

    /// Uploads a zipped study folder (or a `.qdpx`) as a new study.
    pub async fn upload(&self, session: &Session, bytes: Vec<u8>) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/studies")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, format!("collabmap_session={}", session.cookie))
            .header("x-csrf-token", &session.csrf)
            .header(header::CONTENT_TYPE, "application/zip")
            .body(Body::from(bytes))
            .expect("request");
        self.send(request).await
    }

    /// Posts an HTML form (`body` already URL-encoded), signed in when `session` is given.
    pub async fn form(&self, session: Option<&Session>, path: &str, body: &str) -> Reply {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(session) = session {
            request = request.header(header::COOKIE, format!("collabmap_session={}", session.cookie));
        }
        self.send(request.body(Body::from(body.to_string())).expect("request")).await
    }

    /// Gets a page without signing in (survey links, the sign-in page).
    pub async fn page(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None, false, None).await
    }

    /// A document of the study (`interviews/NAME`, `people`, …): its text and version.
    pub async fn document(&self, session: &Session, path: &str) -> (String, i64) {
        let reply = self.get(&format!("/api/studies/{}/{path}", self.study), session).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        let body = reply.json();
        (body["text"].as_str().expect("text").to_string(), body["version"].as_i64().expect("version"))
    }

    /// Adds `n` people (`extra-000` to …, named "Extra Person 000" to …) to
    /// the study's people.csv, saved through the API by its owner: past 200,
    /// pages that choose people search instead of listing them.
    pub async fn add_people(&self, n: usize) {
        let owner = self.owner().await;
        let people = self.get(&format!("/api/studies/{}/people", self.study), &owner).await.json();
        let (text, version) = (people["text"].as_str().expect("text").to_string(), people["version"].as_i64().expect("version"));
        let header = text.lines().next().expect("a header");
        assert!(header.starts_with("id,name,"), "{header}");
        let mut grown = text.trim_end().to_string();
        for k in 0..n {
            let mut row = vec![format!("extra-{k:03}"), format!("Extra Person {k:03}")];
            row.resize(header.split(',').count(), String::new());
            grown.push('\n');
            grown.push_str(&row.join(","));
        }
        grown.push('\n');
        let saved =
            self.call(Method::PUT, &format!("/api/studies/{}/people", self.study), Some(&owner), true, Some(json!({"text": grown, "version": version}))).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    }

    /// The id of the study's first interview.
    pub async fn first_interview(&self, session: &Session) -> String {
        let reply = self.get(&format!("/api/studies/{}/interviews", self.study), session).await;
        reply.json()["interviews"][0]["id"].as_str().expect("an interview").to_string()
    }
}

/// The Riverside example stored as a collaboration of the demo's owner, with
/// a new round "2026" open, four answers in and a link for a fifth
/// respondent: the collaboration's id and that link's token.
pub async fn riverside_collaboration(app: &App) -> (i64, String) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/riverside-partnership");
    let mut files = collabmap_study::MemoryFiles::read_folder(&dir, collabmap_study::Limits::default()).expect("example");
    let toml = String::from_utf8(files.get("collaboration.toml").expect("toml").to_vec()).expect("utf-8");
    files.insert("collaboration.toml", format!("{toml}\n[[round]]\nid = \"2026\"\ndate = \"2026-03-16\"\n").into_bytes());
    let mut csv = String::from_utf8(files.get("responses.csv").expect("csv").to_vec()).expect("utf-8");
    for respondent in 1..=4 {
        csv.push_str(&format!("2026,n{respondent},Police,sergeant,share-power-1,4\n"));
    }
    files.insert("responses.csv", csv.into_bytes());
    let demo = app.store.user_by_email(DEMO_EMAIL).await.expect("query").expect("demo user");
    let id = app.store.create_folder(demo.id, "Riverside", &files, collabmap_store::Kind::Collaboration).await.expect("stored");
    app.store.set_round_open(id, "2026", true).await.expect("opened");
    let token = app.store.issue_token(id, "2026", "n5", "Probation", "officer").await.expect("token");
    (id, token)
}

/// `text` percent-encoded for a form body.
pub fn encoded(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
