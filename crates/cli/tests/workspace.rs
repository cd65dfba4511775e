//! The workspace commands end to end: `user add`, `import`, `export` and
//! `serve`, on SQLite and on PostgreSQL, against what the folder commands print.

mod support;

use support::{collabmap, files_under, stdout, studies};

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use collabmap_server::{AppState, Options, router};
use collabmap_store::Store;
use collabmap_store::testing::{TestDatabase, every_backend};
use collabmap_study::{Limits, MemoryFiles};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

fn collabmap_with_input(args: &[&str], input: &str) -> Output {
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_collabmap")).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    child.wait_with_output().expect("finishes")
}

fn add_owner(db: &TestDatabase) {
    let added = collabmap_with_input(&["user", "add", "owner@example.org", "--db", &db.url], "a long secret\n");
    assert!(stdout(&added).contains("owner@example.org"));
}

/// Signs the owner in to `app`; the session cookie.
async fn owner_cookie(app: &axum::Router) -> String {
    let login = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"email":"owner@example.org","password":"a long secret"}"#))
        .expect("request");
    let response = app.clone().oneshot(login).await.expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).and_then(|c| c.split(';').next()).expect("cookie").to_string()
}

async fn api_get(store: &Store, path: &str) -> (StatusCode, String) {
    let app = router(AppState::new(store.clone(), Options::default()));
    let cookie = owner_cookie(&app).await;
    let response = app.oneshot(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request")).await.expect("answer");
    let status = response.status();
    (status, String::from_utf8(response.into_body().collect().await.expect("body").to_bytes().to_vec()).expect("utf-8"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_then_export_is_lossless_and_the_api_prints_what_the_cli_prints() {
    for db in every_backend().await {
        add_owner(&db);
        let refused = collabmap_with_input(&["user", "add", "owner@example.org", "--db", &db.url], "another secret\n");
        assert!(!refused.status.success(), "a taken address is refused");
        for study in studies::all() {
            let (name, dir) = (&study.name, study.dir.clone());
            let dir_text = dir.to_string_lossy().to_string();
            let id = stdout(&collabmap(&["import", &dir_text, "--db", &db.url, "--owner", "owner@example.org"])).trim().to_string();
            assert!(id.parse::<i64>().is_ok(), "import prints the id, got {id:?}");

            let out = tempfile::tempdir().expect("tempdir");
            let exported = out.path().join("study");
            let exported_text = exported.to_string_lossy().to_string();
            stdout(&collabmap(&["export", &id, "--db", &db.url, "-o", &exported_text]));
            stdout(&collabmap(&["check", &exported_text]));
            for args in [["table", "--format", "json"], ["model", "--format", "json"], ["table", "--format", "text"], ["model", "--format", "text"]] {
                let original = stdout(&collabmap(&[args[0], args[1], args[2], &dir_text]));
                let again = stdout(&collabmap(&[args[0], args[1], args[2], &exported_text]));
                assert_eq!(original, again, "{name}: {args:?} differs after export");
            }
            let before = MemoryFiles::read_folder(&dir, Limits::default()).expect("read");
            let after = MemoryFiles::read_folder(&exported, Limits::default()).expect("read");
            assert_eq!(before, after, "{name}: every file comes back byte for byte");

            let store = Store::open(&db.url).await.expect("open");
            let (status, table) = api_get(&store, &format!("/api/studies/{id}/table")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(table, stdout(&collabmap(&["table", "--format", "json", &dir_text])), "{name}: API table = CLI table");
            let (_, model) = api_get(&store, &format!("/api/studies/{id}/model")).await;
            assert_eq!(model, stdout(&collabmap(&["model", "--format", "json", &dir_text])), "{name}: API model = CLI model");
            // The evidence behind the top theme and the heaviest kept link, byte for byte.
            let top: serde_json::Value = serde_json::from_str(&table).expect("json");
            let theme = top[0]["theme"].as_str().expect("a theme").to_string();
            let (_, evidence) = api_get(&store, &format!("/api/studies/{id}/evidence?theme={theme}")).await;
            assert_eq!(evidence, stdout(&collabmap(&["evidence", &dir_text, "--theme", &theme, "--format", "json"])), "{name}: API evidence = CLI evidence");
            let kept: serde_json::Value = serde_json::from_str(&model).expect("json");
            if let (Some(from), Some(to)) = (kept["links"][0]["from"].as_str(), kept["links"][0]["to"].as_str()) {
                let (_, chains) = api_get(&store, &format!("/api/studies/{id}/evidence?from={from}&to={to}")).await;
                assert_eq!(chains, stdout(&collabmap(&["evidence", &dir_text, "--link", from, to, "--format", "json"])), "{name}: API chains = CLI chains");
            }
            let (status, _) = api_get(&store, &format!("/api/studies/{id}/evidence?theme=no-such-theme")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            let (_, found) = api_get(&store, &format!("/api/studies/{id}/search?q=the&code={theme}")).await;
            assert_eq!(found, stdout(&collabmap(&["search", &dir_text, "the", "--code", &theme, "--format", "json"])), "{name}: API search = CLI search");
            let (status, _) = api_get(&store, &format!("/api/studies/{id}/search?q=%22%22")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "a search without words is refused");
            store.close().await;
        }
        let missing = collabmap(&["export", "424242", "--db", &db.url, "-o", "/tmp/never-written-collabmap"]);
        assert!(!missing.status.success());
        assert!(String::from_utf8_lossy(&missing.stderr).contains("no study 424242"));
        db.remove().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_study_exports_as_it_was_at_any_revision() {
    for db in every_backend().await {
        add_owner(&db);
        let dir = studies::own("counting-rules");
        let id: i64 = stdout(&collabmap(&["import", &dir.to_string_lossy(), "--db", &db.url, "--owner", "owner@example.org"])).trim().parse().expect("an id");
        let store = Store::open(&db.url).await.expect("open");
        let owner = store.user_by_email("owner@example.org").await.expect("query").expect("owner");
        let people = std::fs::read(dir.join("people.csv")).expect("people");
        // Revision 2 adds a person and their interview: the table and the model change.
        let changes = [
            collabmap_store::Change { path: "people.csv".into(), expected: Some(1), content: Some([people.as_slice(), b"p7,Gil Gray,,,UK,named\n"].concat()) },
            collabmap_store::Change {
                path: "interviews/i9.md".into(),
                expected: None,
                content: Some(b"---\npeople: [p7]\nprojects: [a]\n---\n\n# Map\n\n- Tenants run the board #power\n  - Pool budgets #system\n".to_vec()),
            },
        ];
        let revision = store.change_files(id, owner.id, &changes, None, None).await.expect("saved");
        assert_eq!(revision, 2);

        let out = tempfile::tempdir().expect("temp");
        let (then, now) = (out.path().join("then"), out.path().join("now"));
        let said = stdout(&collabmap(&["export", &id.to_string(), "--db", &db.url, "--revision", "1", "-o", &then.to_string_lossy()]));
        assert!(said.contains("as it was at revision 1"), "{said}");
        assert_eq!(
            MemoryFiles::read_folder(&then, Limits::default()).expect("read"),
            MemoryFiles::read_folder(&dir, Limits::default()).expect("read"),
            "revision 1 is the import, byte for byte"
        );
        stdout(&collabmap(&["export", &id.to_string(), "--db", &db.url, "-o", &now.to_string_lossy()]));
        assert!(std::fs::read_to_string(now.join("people.csv")).expect("people").contains("p7,Gil Gray"));
        let refused = collabmap(&["export", &id.to_string(), "--db", &db.url, "--revision", "9", "-o", &out.path().join("never").to_string_lossy()]);
        assert!(String::from_utf8_lossy(&refused.stderr).contains("has revisions 1 to 2: there is no revision 9"));

        // The table and the model as they were: the API answers what the CLI prints from the export at that revision.
        for (folder, at) in [(&then, "?revision=1"), (&now, ""), (&now, "?revision=2")] {
            let folder = folder.to_string_lossy();
            for figure in ["table", "model"] {
                let (status, answer) = api_get(&store, &format!("/api/studies/{id}/{figure}{at}")).await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(answer, stdout(&collabmap(&[figure, "--format", "json", &folder])), "{figure}{at}");
            }
        }
        let (_, then_table) = api_get(&store, &format!("/api/studies/{id}/table?revision=1")).await;
        let (_, now_table) = api_get(&store, &format!("/api/studies/{id}/table")).await;
        assert_ne!(then_table, now_table, "the change shows in the table");
        for at in ["?revision=3", "?revision=0"] {
            assert_eq!(api_get(&store, &format!("/api/studies/{id}/table{at}")).await.0, StatusCode::NOT_FOUND, "{at}");
        }
        // The report as it was is the report `collabmap report` writes from that export, page for page.
        let site = out.path().join("site");
        stdout(&collabmap(&["report", "-o", &site.to_string_lossy(), &then.to_string_lossy()]));
        for page in ["index.html", "themes/power.html", "interviews/i2.html", "model.svg"] {
            let (status, served) = api_get(&store, &format!("/studies/{id}/revisions/1/{page}")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(served, std::fs::read_to_string(site.join(page)).expect("written"), "{page} at revision 1");
        }
        assert_eq!(api_get(&store, &format!("/studies/{id}/revisions/1/interviews/i9.html")).await.0, StatusCode::NOT_FOUND, "not there yet");
        store.close().await;
        db.remove().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_served_on_demand_is_the_page_collabmap_report_writes() {
    // Large enough for every kind of page to come in several: the interviews
    // list, a theme's evidence, a cell's and a link's, each past one page.
    let db = collabmap_store::testing::sqlite();
    add_owner(&db);
    let out = tempfile::tempdir().expect("temp");
    let (study, site) = (out.path().join("study"), out.path().join("site"));
    stdout(&collabmap(&["generate", "--people", "700", &study.to_string_lossy()]));
    let id = stdout(&collabmap(&["import", &study.to_string_lossy(), "--db", &db.url, "--owner", "owner@example.org"])).trim().to_string();
    stdout(&collabmap(&["report", "-o", &site.to_string_lossy(), &study.to_string_lossy()]));
    // The report's own marker (what lets `report` replace the folder next time) is not a page.
    let written: Vec<_> = files_under(&site).into_iter().filter(|(path, _)| path != ".collabmap-report").collect();
    for paged in ["interviews-2.html", "evidence/common-purpose/page-2.html", "evidence/common-purpose--service-user/page-2.html"] {
        assert!(written.iter().any(|(path, _)| path == paged), "the report has {paged}");
    }
    assert!(written.iter().any(|(path, _)| path.contains("/organisation/") && path.ends_with("/page-2.html")), "a cell's evidence runs past a page");

    let store = Store::open(&db.url).await.expect("open");
    let app = router(AppState::new(store.clone(), Options::default()));
    let cookie = owner_cookie(&app).await;
    // Asked in an order unlike the report's, twice (rendered, then from the cache): the same bytes each time.
    for round in ["rendered", "cached"] {
        for (path, bytes) in written.iter().rev() {
            let request = Request::get(format!("/studies/{id}/revisions/1/{path}")).header(header::COOKIE, &cookie).body(Body::empty()).expect("request");
            let response = app.clone().oneshot(request).await.expect("answer");
            assert_eq!(response.status(), StatusCode::OK, "{path} ({round})");
            let served = response.into_body().collect().await.expect("body").to_bytes();
            assert!(served.as_ref() == bytes.as_slice(), "{path} ({round}) differs from the page `collabmap report` wrote");
        }
    }
    // Search results run to pages of 100 too, numbered on.
    for (page, first) in [(1, 1), (2, 101)] {
        let request = Request::get(format!("/studies/{id}/search?q=the&page={page}")).header(header::COOKIE, &cookie).body(Body::empty()).expect("request");
        let response = app.clone().oneshot(request).await.expect("answer");
        assert_eq!(response.status(), StatusCode::OK);
        let html = String::from_utf8(response.into_body().collect().await.expect("body").to_bytes().to_vec()).expect("utf-8");
        let list = html.split("<ol class=\"hits\"").nth(1).expect("a list of hits");
        assert_eq!(list.split("</ol>").next().unwrap_or_default().matches("<li>").count(), 100, "page {page} shows 100 hits");
        assert!(html.contains(&format!("; {first} to {} shown", first + 99)), "page {page} says which hits it shows");
        assert!(html.contains(">Next</a>") && html.contains(&format!("page={}\"", page + 1)), "page {page} links to the next");
        assert_eq!(first > 1, list.starts_with(&format!(" start=\"{first}\"")), "the numbering goes on from the last page");
    }
    store.close().await;
}

/// The text of HTML-escaped `text` (the escapes askama writes).
fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
}

/// A row of the interview list as a page shows it: id, date, attended, projects, concepts, checked back.
type ListRow = [String; 6];

/// The rows of an interview list page, in the page's order.
fn list_rows(html: &str) -> Vec<ListRow> {
    let body = html.split("<tbody>").nth(1).and_then(|rest| rest.split("</tbody>").next()).expect("a table of interviews");
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("<td")
                .skip(1)
                .map(|cell| {
                    let text = cell.split_once('>').map_or("", |(_, rest)| rest).split("</td>").next().unwrap_or_default();
                    // The first cell is a link to the interview: its text.
                    let text = text.strip_prefix("<a ").map_or(text, |link| link.split_once('>').map_or("", |(_, rest)| rest).trim_end_matches("</a>"));
                    unescape(text)
                })
                .collect();
            cells.try_into().expect("six cells a row")
        })
        .collect()
}

/// Every row of the interview list at `start` (relative to the study),
/// following each page's Next link to the last; each page must say the
/// order asked for on its sorted column.
async fn whole_list(app: &axum::Router, cookie: &str, id: &str, start: &str) -> Vec<ListRow> {
    let mut rows = Vec::new();
    let mut next = Some(start.to_string());
    let mut pages = 0;
    while let Some(path) = next.take() {
        let (status, html) = page_get(app, cookie, &format!("/studies/{id}/{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        rows.extend(list_rows(&html));
        next = html.split("\" rel=\"next\"").next().filter(|_| html.contains("rel=\"next\"")).and_then(|before| before.rsplit("href=\"").next()).map(unescape);
        pages += 1;
        assert!(pages < 50, "the pages end");
    }
    rows
}

async fn page_get(app: &axum::Router, cookie: &str, path: &str) -> (StatusCode, String) {
    let response = app.clone().oneshot(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request")).await.expect("answer");
    let status = response.status();
    (status, String::from_utf8(response.into_body().collect().await.expect("body").to_bytes().to_vec()).expect("utf-8"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_sorts_and_filters_every_interview_across_its_pages() {
    let db = collabmap_store::testing::sqlite();
    add_owner(&db);
    let out = tempfile::tempdir().expect("temp");
    let study = out.path().join("study");
    stdout(&collabmap(&["generate", "--people", "700", &study.to_string_lossy()]));
    // Some interviews without a date and some not checked back, so both kinds of row are in every sort.
    let mut files: Vec<_> = std::fs::read_dir(study.join("interviews")).expect("interviews").map(|entry| entry.expect("entry").path()).collect();
    files.sort();
    for (n, file) in files.iter().enumerate().filter(|(n, _)| n % 37 == 5) {
        let text = std::fs::read_to_string(file).expect("read");
        let text = if n % 2 == 0 {
            text.lines().filter(|line| !line.starts_with("date:")).collect::<Vec<_>>().join("\n") + "\n"
        } else {
            text.replace("checked_back: true", "checked_back: false")
        };
        std::fs::write(file, text).expect("write");
    }
    let id = stdout(&collabmap(&["import", &study.to_string_lossy(), "--db", &db.url, "--owner", "owner@example.org"])).trim().to_string();
    let store = Store::open(&db.url).await.expect("open");
    let app = router(AppState::new(store.clone(), Options::default()));
    let cookie = owner_cookie(&app).await;

    let all = whole_list(&app, &cookie, &id, "interviews.html").await;
    assert_eq!(all.len(), files.len(), "the plain list has every interview once");
    assert!(all.len() > 2 * 200, "the list runs to three pages or more");
    let ids = |rows: &[ListRow]| rows.iter().map(|row| row[0].clone()).collect::<Vec<_>>();

    // Newest first across every page, undated last, ties in the study's order.
    let mut by_date = all.clone();
    by_date.sort_by(|a, b| match (a[1].is_empty(), b[1].is_empty()) {
        (false, false) => b[1].cmp(&a[1]),
        (blank_a, blank_b) => blank_a.cmp(&blank_b),
    });
    assert!(by_date.iter().any(|row| row[1].is_empty()), "some rows have no date");
    assert_eq!(ids(&whole_list(&app, &cookie, &id, "interviews.html?sort=date&order=desc").await), ids(&by_date), "sorted by date across pages");
    let (_, second) = page_get(&app, &cookie, &format!("/studies/{id}/interviews-2.html?sort=date&order=desc")).await;
    assert!(
        second.contains("<th aria-sort=\"descending\"><a href=\"interviews.html?sort=date\">Date</a>"),
        "the sorted column says so, and its link turns the order round"
    );
    assert!(second.contains("201 to 400 of"), "the page says which rows it shows");

    // Most concepts first: numbers compare as numbers.
    let mut by_concepts = all.clone();
    by_concepts.sort_by_key(|row| std::cmp::Reverse(row[4].parse::<usize>().expect("a count")));
    assert_eq!(ids(&whole_list(&app, &cookie, &id, "interviews.html?sort=concepts&order=desc").await), ids(&by_concepts));

    // Filters narrow the whole list, and keep its order.
    let not_checked: Vec<_> = all.iter().filter(|row| row[5] == "no").cloned().collect();
    assert!(!not_checked.is_empty());
    let mut not_checked_by_id = not_checked.clone();
    not_checked_by_id.sort_by(|a, b| b[0].cmp(&a[0]));
    assert_eq!(ids(&whole_list(&app, &cookie, &id, "interviews.html?checked=no&sort=interview&order=desc").await), ids(&not_checked_by_id));
    let words = ["collaborative", "2010"];
    let matching: Vec<_> = all.iter().filter(|row| words.iter().all(|word| row[..4].join(" ").to_lowercase().contains(word))).cloned().collect();
    assert!(matching.len() > 200 && matching.len() < all.len(), "the words pick a part of the list running past one page: {} of {}", matching.len(), all.len());
    let (_, narrowed) = page_get(&app, &cookie, &format!("/studies/{id}/interviews.html?q=Collaborative+2010")).await;
    assert!(
        unescape(&narrowed).contains(&format!(
            "1 to 200 of {} interviews with “Collaborative 2010” (of {} in all), in the study's order.",
            matching.len(),
            all.len()
        )),
        "it says how many match of all"
    );
    assert!(
        narrowed.contains("value=\"Collaborative 2010\"") && narrowed.contains(">Show every interview</a>"),
        "the form keeps the words and offers the way back"
    );
    assert_eq!(ids(&whole_list(&app, &cookie, &id, "interviews.html?q=Collaborative+2010").await), ids(&matching));

    // Who attended is never matched: a filter is no way to ask whether someone was interviewed.
    let people = std::fs::read_to_string(study.join("people.csv")).expect("people");
    let name = people.lines().nth(1).and_then(|line| line.split(',').nth(1)).expect("a name");
    let (status, by_name) = page_get(&app, &cookie, &format!("/studies/{id}/interviews.html?q={}", name.replace(' ', "+"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list_rows(&by_name).is_empty() && by_name.contains("No interview"), "a person's name matches no row");
    assert!(
        !by_name.contains(name.split(' ').next_back().unwrap_or(name)) || by_name.contains(&format!("value=\"{name}\"")),
        "and is not shown except in the box it was typed in"
    );

    // The API answers the same order, a page at a time.
    let (status, json) = api_get(&store, &format!("/api/studies/{id}/interviews?sort=date&order=desc&page=2")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    let api_ids: Vec<_> = json["interviews"].as_array().expect("rows").iter().map(|row| row["id"].as_str().expect("id").to_string()).collect();
    assert_eq!(api_ids, ids(&by_date[200..400]));
    assert_eq!((json["matching"].as_u64(), json["pages"].as_u64()), (Some(all.len() as u64), Some(all.len().div_ceil(200) as u64)));
    assert!(json["interviews"][0].get("people").is_none() && json["interviews"][0]["attended"].is_u64(), "how many attended, never who");

    // Refusals say what to ask instead; pages past the end are not there.
    for (query, says) in [("sort=name", "use one of study, interview, date"), ("order=up", "use asc or desc"), ("checked=maybe", "use yes or no")] {
        let (status, html) = page_get(&app, &cookie, &format!("/studies/{id}/interviews.html?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(html.contains(says), "{query}: {html}");
        assert_eq!(api_get(&store, &format!("/api/studies/{id}/interviews?{query}")).await.0, StatusCode::BAD_REQUEST, "{query} (API)");
    }
    let long = "x".repeat(201);
    assert_eq!(page_get(&app, &cookie, &format!("/studies/{id}/interviews.html?q={long}")).await.0, StatusCode::BAD_REQUEST);
    for past in ["interviews-99.html", "interviews-1.html", "interviews-02.html", "interviews-3.html?checked=no"] {
        assert_eq!(page_get(&app, &cookie, &format!("/studies/{id}/{past}")).await.0, StatusCode::NOT_FOUND, "{past}");
    }
    assert_eq!(api_get(&store, &format!("/api/studies/{id}/interviews?page=99")).await.0, StatusCode::BAD_REQUEST);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_a_study_with_problems_names_them_and_stores_nothing() {
    let db = collabmap_store::testing::sqlite();
    add_owner(&db);
    let dir = tempfile::tempdir().expect("tempdir");
    let study = dir.path().join("s");
    MemoryFiles::read_folder(&studies::own("counting-rules"), Limits::default()).expect("read").write_folder(&study).expect("write");
    std::fs::write(study.join("people.csv"), "id,name\n").expect("write");
    let output = collabmap(&["import", &study.to_string_lossy(), "--db", &db.url, "--owner", "owner@example.org"]);
    assert!(!output.status.success());
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(errors.contains("interviews/") && errors.contains("nothing was imported"), "{errors}");
    let nobody = collabmap(&["import", &studies::own("counting-rules").to_string_lossy(), "--db", &db.url, "--owner", "ghost@example.org"]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("collabmap user add ghost@example.org"));
    let store = Store::open(&db.url).await.expect("open");
    let owner = store.user_by_email("owner@example.org").await.expect("query").expect("owner");
    assert!(store.studies_of(owner.id).await.expect("list").is_empty());
    store.close().await;
    db.remove().await;
}

/// Kills `import` at points spread over its run: every study in the
/// database afterwards is complete, never half-stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_leaves_the_study_whole_or_absent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let study = dir.path().join("big");
    stdout(&collabmap(&["generate", &study.to_string_lossy(), "--people", "3000", "--seed", "5"]));
    let expected_files = MemoryFiles::read_folder(&study, Limits::default()).expect("read").len();
    let study_text = study.to_string_lossy().to_string();
    for db in every_backend().await {
        add_owner(&db);
        let args = ["import", study_text.as_str(), "--db", db.url.as_str(), "--owner", "owner@example.org"];
        let started = Instant::now();
        stdout(&collabmap(&args));
        let full = started.elapsed();
        let mut cut_short = 0;
        for step in 1..=8u32 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_collabmap")).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("runs");
            std::thread::sleep(full * step / 9);
            if child.try_wait().expect("status").is_none() {
                cut_short += 1;
            }
            child.kill().ok();
            let mut printed = String::new();
            child.stdout.take().expect("stdout").read_to_string(&mut printed).ok();
            child.wait().ok();
        }
        assert!(cut_short >= 4, "most imports were killed while running ({cut_short} of 8)");
        let store = Store::open(&db.url).await.expect("open");
        let owner = store.user_by_email("owner@example.org").await.expect("query").expect("owner");
        let studies = store.studies_of(owner.id).await.expect("list");
        assert!(!studies.is_empty());
        for listed in &studies {
            let snapshot = store.snapshot(listed.id).await.expect("read").expect("there");
            assert_eq!(snapshot.files.len(), expected_files, "study {} is whole", listed.id);
        }
        store.close().await;
        db.remove().await;
    }
}

#[test]
fn serve_demo_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("w.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_collabmap"))
        .args(["serve", "--demo", "--db", &db, "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    let deadline = Instant::now() + Duration::from_secs(120);
    while !first.ends_with(b"Ctrl-C.\n") && Instant::now() < deadline && out.read(&mut byte).map(|n| n > 0).unwrap_or(false) {
        first.push(byte[0]);
    }
    let printed = String::from_utf8_lossy(&first).to_string();
    assert!(printed.contains("Sign in as demo@collabmap.local with the password collabmap-demo"), "{printed}");
    let address = printed.split("http://").nth(1).and_then(|r| r.split('/').next()).expect("an address").to_string();
    let mut stream = std::net::TcpStream::connect(&address).expect("connects");
    stream.write_all(format!("GET /login HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes()).expect("write");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("<form") && reply.contains("Sign in"));

    let stopped = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(stopped.success());
    let status = child.wait().expect("exits");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_folder_round_trips_through_the_database() {
    let db = collabmap_store::testing::sqlite();
    add_owner(&db);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/riverside-partnership");
    let id = stdout(&collabmap(&["import", &example.to_string_lossy(), "--db", &db.url, "--owner", "owner@example.org"])).trim().to_string();
    let out = tempfile::tempdir().expect("tempdir");
    let exported = out.path().join("collaboration");
    let printed = stdout(&collabmap(&["export", &id, "--db", &db.url, "-o", &exported.to_string_lossy()]));
    assert!(printed.starts_with("Exported collaboration"));
    assert_eq!(MemoryFiles::read_folder(&exported, Limits::default()).expect("read"), MemoryFiles::read_folder(&example, Limits::default()).expect("read"));
    assert!(!exported.join("interviews").exists(), "no study folders appear in an assessment folder");
    let json = |dir: &Path| stdout(&collabmap(&["assess", &dir.to_string_lossy(), "--format", "json"]));
    assert_eq!(json(&exported), json(&example));
    db.remove().await;
}
