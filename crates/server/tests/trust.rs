//! The workspace's promises under two users at once and hostile requests,
//! each checked on SQLite and on PostgreSQL.

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use collabmap_exchange::archive::write_zip;
use collabmap_study::MemoryFiles;
use serde_json::json;
use support::{App, Session, encoded};

async fn document(app: &App, session: &Session, path: &str) -> (String, i64) {
    app.document(session, path).await
}

async fn save(app: &App, session: &Session, path: &str, text: &str, version: i64) -> StatusCode {
    app.call(Method::PUT, &format!("/api/studies/{}/{path}", app.study), Some(session), true, Some(json!({"text": text, "version": version}))).await.status
}

on_every_backend!(two_saves_sound_alone_never_store_a_broken_study, |app: App| async move {
    let app = Arc::new(app);
    let (owner, editor) = (app.owner().await, app.login("editor@example.org").await);
    let interview = app.first_interview(&owner).await;
    let interview_path = format!("interviews/{interview}");
    let (people, _) = document(&app, &owner, "people").await;
    let header_columns = people.lines().next().expect("header").split(',').count();
    let zz_row = format!("zz,Zed{}\n", ",".repeat(header_columns - 2));
    let mut refused = 0;
    for round in 0..12 {
        // The person exists; editor A removes them while editor B adds them to an interview.
        let (current, version) = document(&app, &owner, "people").await;
        let with_zz = if current.contains("\nzz,") { current.clone() } else { format!("{}{zz_row}", current) };
        if with_zz != current {
            assert_eq!(save(&app, &owner, "people", &with_zz, version).await, StatusCode::OK, "round {round}: setup");
        }
        let (people_now, people_version) = document(&app, &owner, "people").await;
        let without_zz = people_now.replace(&zz_row, "");
        let (text, interview_version) = document(&app, &owner, &interview_path).await;
        let attended = text.replacen("people: [", "people: [zz, ", 1);
        assert_ne!(attended, text, "the interview lists its people inline");
        let (a, b) = (app.clone(), app.clone());
        let (owner_a, editor_b, path_b) = (owner.clone(), editor.clone(), interview_path.clone());
        let remove = tokio::spawn(async move { save(&a, &owner_a, "people", &without_zz, people_version).await });
        let add = tokio::spawn(async move { save(&b, &editor_b, &path_b, &attended, interview_version).await });
        let (removed, added) = (remove.await.expect("task"), add.await.expect("task"));
        assert!(!(removed == StatusCode::OK && added == StatusCode::OK), "round {round}: both saves were stored");
        assert!(removed == StatusCode::OK || added == StatusCode::OK, "round {round}: one of them must win ({removed}, {added})");
        refused += 1;
        let info = app.get(&format!("/api/studies/{}", app.study), &owner).await.json();
        assert_eq!(info["problems"], json!([]), "round {round}: the stored study has problems");
        // Put the interview back for the next round.
        let (text, version) = document(&app, &owner, &interview_path).await;
        if text.contains("[zz, ") {
            assert_eq!(save(&app, &owner, &interview_path, &text.replacen("[zz, ", "[", 1), version).await, StatusCode::OK);
        }
    }
    assert_eq!(refused, 12);
});

on_every_backend!(saves_to_other_files_meanwhile_are_checked_again_not_refused, |app: App| async move {
    let app = Arc::new(app);
    let owner = app.owner().await;
    let ids: Vec<String> = app.get(&format!("/api/studies/{}/interviews", app.study), &owner).await.json()["interviews"]
        .as_array()
        .expect("list")
        .iter()
        .take(6)
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect();
    let mut tasks = Vec::new();
    for id in ids {
        let (app, owner) = (app.clone(), owner.clone());
        tasks.push(tokio::spawn(async move {
            let path = format!("interviews/{id}");
            let (text, version) = document(&app, &owner, &path).await;
            save(&app, &owner, &path, &format!("{text}\n"), version).await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK, "independent saves all land");
    }
});

on_every_backend!(sign_in_redirects_stay_on_this_site, |app: App| async move {
    for (next, expected) in [
        ("/studies/1/", "/studies/1/"),
        ("/\t/evil.example/path", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\r\nSet-Cookie:x=1", "/"),
        ("/ /evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let encoded: String = next.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
        let form = format!("email=demo%40collabmap.local&password=collabmap-demo&next={encoded}");
        let request = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("request");
        let reply = app.send(request).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{next}: {}", reply.text());
        assert_eq!(reply.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some(expected), "{next}");
        let page =
            app.send(Request::builder().uri(format!("/login?next={encoded}")).header(header::HOST, "localhost").body(Body::empty()).expect("request")).await;
        assert_eq!(page.status, StatusCode::OK, "{next}");
        assert!(page.text().contains(&format!("value=\"{expected}\"")), "{next}: the form carries only a safe address");
    }
});

fn study_with(extra: &[(&str, &[u8])], interview_tail: &str) -> Vec<u8> {
    let mut files = MemoryFiles::new();
    files.insert("study.toml", b"title = \"Pictures\"\ncodebook = \"whole-systems\"\n".to_vec());
    files.insert("people.csv", b"id,name\np1,Ann\n".to_vec());
    files.insert("interviews/a.md", format!("---\npeople: [p1]\n---\n\n# Map\n\n- Aim #common-purpose\n{interview_tail}").into_bytes());
    for (path, bytes) in extra {
        files.insert(*path, bytes.to_vec());
    }
    write_zip(&files).expect("zip")
}

on_every_backend!(a_study_can_hold_pictures_only_and_they_are_served_as_pictures, |app: App| async move {
    let owner = app.owner().await;
    let phish = app.upload(&owner, study_with(&[("pictures/phish.html", b"<form action=https://evil.example>")], "")).await;
    assert_eq!(phish.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", phish.text());
    assert!(phish.text().contains("pictures/phish.html"), "the refusal names the file: {}", phish.text());
    let nested = app.upload(&owner, study_with(&[("pictures/deep/page.xhtml", b"<html/>")], "")).await;
    assert_eq!(nested.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nested.text());

    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    let ok = app.upload(&owner, study_with(&[("pictures/map.svg", svg)], "\n# Pictures\n\n![The map](pictures/map.svg)\n")).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    let id = ok.json()["id"].as_i64().expect("id");
    let reply = app.get(&format!("/studies/{id}/pictures/map.svg"), &owner).await;
    assert_eq!(reply.status, StatusCode::OK);
    let header_of = |name: header::HeaderName| reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(header_of(header::CONTENT_TYPE), "image/svg+xml");
    assert_eq!(header_of(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let policy = header_of(header::CONTENT_SECURITY_POLICY);
    assert!(policy.contains("sandbox") && policy.contains("default-src 'none'") && !policy.contains("script-src 'self'"), "{policy}");
});

on_every_backend!(every_answer_carries_the_security_headers, |app: App| async move {
    let owner = app.owner().await;
    let id = app.study;
    for path in [
        "/",
        "/login",
        &format!("/studies/{id}/"),
        &format!("/studies/{id}/themes/common-purpose.html"),
        &format!("/studies/{id}/edit/people"),
        &format!("/studies/{id}/crosstab"),
    ] {
        let reply = app.get(path, &owner).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let policy = reply.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"), "{path}: {policy}");
        let html = reply.text();
        assert!(
            !html.contains("<script>")
                && !html.contains(" onsubmit=")
                && !html.contains(" onclick=")
                && !html.contains(" style=\"")
                && !html.contains("<style"),
            "{path}: inline script or style"
        );
    }
    for path in [format!("/api/studies/{id}/table"), format!("/studies/{id}/export.zip"), format!("/studies/{id}/export/csv"), format!("/studies/{id}/")] {
        let reply = app.get(&path, &owner).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"), "{path}");
    }
});

on_every_backend!(oversized_bodies_are_refused_before_they_are_read, |app: App| async move {
    // A sign-in body far past its limit: refused with 413 from its declared length, unauthenticated.
    let big = "x".repeat(2 << 20);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("email=a%40b&password={big}")))
        .expect("request");
    assert_eq!(app.send(request).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    let api = app.call(Method::POST, "/api/login", None, false, Some(json!({"email": "a@b.c", "password": big}))).await;
    assert_eq!(api.status, StatusCode::PAYLOAD_TOO_LARGE);
    let survey = Request::builder()
        .method(Method::POST)
        .uri("/survey/not-a-token")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("a={big}")))
        .expect("request");
    assert_eq!(app.send(survey).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A password over 1,024 characters or of spaces only is refused as an account's password.
    let owner = app.owner().await;
    for password in ["p".repeat(1025), " ".repeat(12)] {
        let reply = app.call(Method::POST, "/api/users", Some(&owner), true, Some(json!({"email": "new@example.org", "password": password}))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    }
});

on_every_backend!(the_live_preview_is_bounded, |app: App| async move {
    let viewer = app.login("viewer@example.org").await;
    let mut text = String::from("---\npeople: [p01]\n---\n\n# Map\n\n- Top\n");
    while text.len() < (3 << 20) {
        text.push_str("  - A concept to draw\n");
    }
    let reply = app
        .call(Method::POST, &format!("/api/studies/{}/preview", app.study), Some(&viewer), true, Some(json!({"path": "interviews/x.md", "text": text})))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", &reply.text()[..reply.text().len().min(300)]);
    let mut text = String::from("---\npeople: [p01]\n---\n\n# Map\n\n- Top\n");
    for n in 0..6000 {
        text.push_str(&format!("  - Concept {n}\n"));
    }
    let reply = app
        .call(Method::POST, &format!("/api/studies/{}/preview", app.study), Some(&viewer), true, Some(json!({"path": "interviews/x.md", "text": text})))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.len() < 1 << 20, "a preview answer stays small: {} bytes", reply.body.len());
    assert!(reply.json()["svg"].is_null());
    assert!(reply.json()["note"].as_str().is_some_and(|n| n.contains("too large to draw")));
});

/// Restores through the API as `session`.
async fn restore(app: &App, session: &Session, body: serde_json::Value) -> support::Reply {
    app.call(Method::POST, &format!("/api/studies/{}/restore", app.study), Some(session), true, Some(body)).await
}

/// `text` URL-encoded for a form body.
/// The collaboration file `file` as its editor shows it: its version.
async fn collaboration_file_version(app: &App, session: &Session, id: i64, file: &str) -> i64 {
    let page = app.get(&format!("/collaborations/{id}/files/{file}"), session).await.text();
    page.split("name=\"version\" value=\"").nth(1).and_then(|r| r.split('"').next()).and_then(|v| v.parse().ok()).expect("version")
}

/// The problems of the collaboration as stored, read back through its export.
async fn stored_assessment_problems(app: &App, session: &Session, id: i64) -> Vec<String> {
    let zip = app.get(&format!("/api/studies/{id}/export"), session).await.body;
    let files = collabmap_exchange::archive::read_zip(&zip, collabmap_study::Limits::default()).expect("zip");
    collabmap_study::assessment::load_assessment(&files).1.iter().map(ToString::to_string).collect()
}

on_every_backend!(a_survey_answer_and_a_round_removed_at_once_never_store_a_broken_collaboration, |app: App| async move {
    let app = Arc::new(app);
    let owner = app.owner().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/riverside-partnership");
    let files = MemoryFiles::read_folder(&dir, collabmap_study::Limits::default()).expect("example");
    let mut base = String::from_utf8(files.get("collaboration.toml").expect("toml").to_vec()).expect("utf-8");
    let created = app.upload(&owner, write_zip(&files).expect("zip")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_i64().expect("id");
    let items = collabmap_study::assessment::builtin_survey("whole-systems").expect("survey");
    let answers: String = items.iter().map(|i| format!("item-{}=4", i.id)).collect::<Vec<_>>().join("&");
    let (mut answered, mut removed) = (0, 0);
    for round in 0..10 {
        // A new round r{round}, opened, with one link; then its only respondent
        // answers while an editor removes the round again.
        let with_round = format!("{base}\n[[round]]\nid = \"r{round}\"\ndate = \"2026-0{}-01\"\n", round % 9 + 1);
        let version = collaboration_file_version(&app, &owner, id, "collaboration.toml").await;
        let added = app
            .form(
                Some(&owner),
                &format!("/collaborations/{id}/files/collaboration.toml"),
                &format!("csrf={}&version={version}&text={}", owner.csrf, encoded(&with_round)),
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "round {round}: {}", added.text());
        app.form(Some(&owner), &format!("/collaborations/{id}/rounds/r{round}/open"), &format!("csrf={}", owner.csrf)).await;
        let issued = app
            .form(Some(&owner), &format!("/collaborations/{id}/rounds/r{round}/links"), &format!("csrf={}&respondents=n{round},Police,sergeant", owner.csrf))
            .await;
        let token: String =
            issued.text().split("/survey/").nth(1).expect("link").chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let version = collaboration_file_version(&app, &owner, id, "collaboration.toml").await;
        let (a, b, editor, answers) = (app.clone(), app.clone(), owner.clone(), answers.clone());
        let removal = format!("csrf={}&version={version}&text={}", owner.csrf, encoded(&base));
        let answer = tokio::spawn(async move { a.form(None, &format!("/survey/{token}"), &answers).await.status });
        let remove = tokio::spawn(async move { b.form(Some(&editor), &format!("/collaborations/{id}/files/collaboration.toml"), &removal).await.status });
        let (answer, remove) = (answer.await.expect("task"), remove.await.expect("task"));
        assert!(!(answer == StatusCode::OK && remove == StatusCode::SEE_OTHER), "round {round}: both were stored");
        answered += usize::from(answer == StatusCode::OK);
        removed += usize::from(remove == StatusCode::SEE_OTHER);
        assert_eq!(stored_assessment_problems(&app, &owner, id).await, Vec::<String>::new(), "round {round}");
        if answer == StatusCode::OK {
            // The round stays, with its answer; the next round builds on top of it.
            assert_eq!(remove, StatusCode::UNPROCESSABLE_ENTITY, "round {round}: the removal is refused with its problem");
            base = with_round;
        }
    }
    assert_eq!(answered + removed, 10, "in every round one of the two lands");
});

on_every_backend!(a_collaboration_file_saved_twice_from_one_version_keeps_the_first, |app: App| async move {
    let owner = app.owner().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/riverside-partnership");
    let files = MemoryFiles::read_folder(&dir, collabmap_study::Limits::default()).expect("example");
    let id = app.upload(&owner, write_zip(&files).expect("zip")).await.json()["id"].as_i64().expect("id");
    let version = collaboration_file_version(&app, &owner, id, "evidence.toml").await;
    let first = app.form(Some(&owner), &format!("/collaborations/{id}/files/evidence.toml"), &format!("csrf={}&version={version}&text=", owner.csrf)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    let second = app.form(Some(&owner), &format!("/collaborations/{id}/files/evidence.toml"), &format!("csrf={}&version={version}&text=", owner.csrf)).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.text());
});

on_every_backend!(a_refusal_on_a_page_is_a_page_and_on_the_api_json, |app: App| async move {
    let viewer = app.login("viewer@example.org").await;
    let study = app.study;
    let content_type = |reply: &support::Reply| reply.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    // Not a member of study 424242: a page says so as a page, the API as JSON.
    let page = app.get("/studies/424242/crosstab", &viewer).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(content_type(&page).starts_with("text/html") && page.text().contains("<h1>Not found</h1>"), "{}", page.text());
    let api = app.get("/api/studies/424242", &viewer).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(content_type(&api).starts_with("application/json") && api.json()["error"].is_string());
    // A viewer may not delete: the form's answer is a page with the reason.
    let delete = app.form(Some(&viewer), &format!("/studies/{study}/delete"), &format!("csrf={}", viewer.csrf)).await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    assert!(content_type(&delete).starts_with("text/html") && delete.text().contains("this needs the owner role"), "{}", delete.text());
    // A collaboration page refuses the same way.
    let collaboration = app.get("/collaborations/424242/", &viewer).await;
    assert_eq!(collaboration.status, StatusCode::NOT_FOUND);
    assert!(content_type(&collaboration).starts_with("text/html"));
});

on_every_backend!(memos_are_added_edited_and_removed_and_never_left_about_nothing, |app: App| async move {
    let study = app.study;
    let (owner, viewer) = (app.owner().await, app.login("viewer@example.org").await);
    let interview = app.first_interview(&owner).await;
    let memos = format!("/api/studies/{study}/memos");
    let post = |about: &str, text: &str| app.call(Method::POST, &memos, Some(&owner), true, Some(json!({"about": about, "text": text})));
    let created = post(&format!("interview:{interview}"), "Check this one against the group meetings.").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let name = created.json()["name"].as_str().expect("name").to_string();
    let listed = app.get(&format!("/api/studies/{study}/memos"), &viewer).await.json();
    let memo = listed.as_array().expect("list").iter().find(|m| m["name"] == json!(name)).expect("the memo").clone();
    assert_eq!(memo["about"], json!(format!("interview:{interview}")));
    assert_eq!(memo["by"], json!(collabmap_server::DEMO_EMAIL), "the author is whoever is signed in");
    assert!(memo["date"].as_str().is_some_and(|d| d.len() == 10 && d.starts_with("20")), "{memo}");
    assert_eq!(
        app.call(Method::POST, &format!("/api/studies/{study}/memos"), Some(&viewer), true, Some(json!({"about": "study", "text": "x"}))).await.status,
        StatusCode::FORBIDDEN
    );

    // About nothing: refused with its line, and nothing is stored.
    let nowhere = post("theme:no-such-theme", "x").await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nowhere.text());
    assert!(nowhere.text().contains("unknown theme `no-such-theme`"));
    assert_eq!(post("the whole thing", "x").await.status, StatusCode::BAD_REQUEST);

    // The interview the memo is about cannot be removed from under it.
    let (_, version) = document(&app, &owner, &format!("interviews/{interview}")).await;
    let removed = app.call(Method::DELETE, &format!("/api/studies/{study}/interviews/{interview}?version={version}"), Some(&owner), true, None).await;
    assert_eq!(removed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", removed.text());
    assert!(removed.text().contains("this memo is about something the study does not have"), "{}", removed.text());
    assert_eq!(app.get(&format!("/api/studies/{study}"), &owner).await.json()["problems"], json!([]));

    // Edit, then remove the memo; then the interview may go.
    let (text, memo_version) = document(&app, &owner, &format!("memos/{name}")).await;
    assert_eq!(save(&app, &owner, &format!("memos/{name}"), &text.replace("Check this one", "Compare this one"), memo_version).await, StatusCode::OK);
    let (_, memo_version) = document(&app, &owner, &format!("memos/{name}")).await;
    assert_eq!(
        app.call(Method::DELETE, &format!("/api/studies/{study}/memos/{name}?version={memo_version}"), Some(&owner), true, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&format!("/api/studies/{study}/memos/{name}"), &owner).await.status, StatusCode::NOT_FOUND);
    let (_, version) = document(&app, &owner, &format!("interviews/{interview}")).await;
    assert_eq!(
        app.call(Method::DELETE, &format!("/api/studies/{study}/interviews/{interview}?version={version}"), Some(&owner), true, None).await.status,
        StatusCode::NO_CONTENT
    );
});

on_every_backend!(every_change_is_in_the_history_and_any_revision_can_be_read_and_restored, |app: App| async move {
    let study = app.study;
    let (owner, viewer) = (app.owner().await, app.login("viewer@example.org").await);
    let interview = app.first_interview(&owner).await;
    let path = format!("interviews/{interview}");
    let (original, version) = document(&app, &owner, &path).await;
    let table_before = app.get(&format!("/api/studies/{study}/table"), &owner).await.text();

    // A save with a message; the interview loses its map's first theme.
    let edited = original.replace("# Map", "# Map\n\n- A new purpose #share-power\n");
    let file = format!("{path}.md");
    let saved = app
        .call(
            Method::PUT,
            &format!("/api/studies/{study}/{path}"),
            Some(&owner),
            true,
            Some(json!({"text": edited, "version": version, "message": "Added the purpose she named at the end"})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let revision = saved.json()["version"].as_i64().expect("revision");

    let history = app.get(&format!("/api/studies/{study}/history"), &viewer).await;
    assert_eq!(history.status, StatusCode::OK, "viewers read the history");
    let newest = history.json()[0].clone();
    assert_eq!(newest["revision"], json!(revision));
    assert_eq!(newest["by"], json!(collabmap_server::DEMO_EMAIL));
    assert_eq!(newest["message"], json!("Added the purpose she named at the end"));
    assert_eq!(newest["files"], json!([{"path": file, "action": "changed"}]));
    assert!(newest["at"].as_str().is_some_and(|at| at.ends_with('Z') && at.len() == 20), "{newest}");
    // The version it replaced is in the history too, as imported.
    assert!(history.json().as_array().expect("list").iter().any(|r| r["files"][0]["action"] == json!("imported") && r["files"][0]["path"] == json!(file)));

    // The file as it was, at the revision before.
    let then = app.get(&format!("/api/studies/{study}/files/{file}?revision={}", revision - 1), &viewer).await;
    assert_eq!(then.status, StatusCode::OK, "{}", then.text());
    assert_eq!(then.json()["text"], json!(original));
    assert_eq!(app.get(&format!("/api/studies/{study}/files/no/such.md?revision=1"), &viewer).await.status, StatusCode::NOT_FOUND);

    // Restore: viewers may not; an editor puts the file back as a new revision, and the table with it.
    assert_eq!(restore(&app, &viewer, json!({"revision": revision - 1, "path": file})).await.status, StatusCode::FORBIDDEN);
    let restored = restore(&app, &owner, json!({"revision": revision - 1, "path": file})).await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text());
    assert_eq!(restored.json()["files"], json!(1));
    assert_eq!(document(&app, &owner, &path).await.0, original);
    assert_eq!(app.get(&format!("/api/studies/{study}/table"), &owner).await.text(), table_before, "the table is as it was");
    let newest = app.get(&format!("/api/studies/{study}/history"), &owner).await.json()[0].clone();
    assert_eq!(newest["files"][0]["action"], json!("restored"));
    assert_eq!(newest["message"], json!(format!("restored revision {}", revision - 1)));
    assert_eq!(restore(&app, &owner, json!({"revision": 999_999})).await.status, StatusCode::BAD_REQUEST);

    // Any two revisions of a file compare: the restore against the save undoes the added line; against the import, nothing differs.
    let restored_at = newest["revision"].as_i64().expect("revision");
    let compare = |against: i64| format!("/studies/{study}/history/file?path={file}&revision={restored_at}&against={against}");
    let undone = app.get(&compare(revision), &viewer).await.text();
    assert!(undone.contains("<span class=\"removed\">- - A new purpose #share-power</span>"), "{undone}");
    assert!(!undone.contains("class=\"added\""), "{undone}");
    let same = app.get(&compare(revision - 1), &viewer).await.text();
    assert!(!same.contains("class=\"removed\"") && !same.contains("class=\"added\""), "{same}");
    assert_eq!(app.get(&compare(restored_at + 5), &viewer).await.status, StatusCode::BAD_REQUEST, "a revision the study does not have yet");
    // The table as it was at each revision, without restoring anything.
    assert_eq!(app.get(&format!("/api/studies/{study}/table?revision={}", revision - 1), &viewer).await.text(), table_before);
    let saved_table = app.get(&format!("/api/studies/{study}/table?revision={revision}"), &viewer).await;
    assert_eq!(saved_table.status, StatusCode::OK);

    // A restore that would break the study is refused: people.csv from before a person an interview now names.
    let (people, people_version) = document(&app, &owner, "people").await;
    let header_columns = people.lines().next().expect("header").split(',').count();
    assert_eq!(save(&app, &owner, "people", &format!("{people}zz,Zed{}\n", ",".repeat(header_columns - 2)), people_version).await, StatusCode::OK);
    let before_zz = app.get(&format!("/api/studies/{study}/history"), &owner).await.json()[0]["revision"].as_i64().expect("revision") - 1;
    let (text, version) = document(&app, &owner, &path).await;
    assert_eq!(save(&app, &owner, &path, &text.replacen("people: [", "people: [zz, ", 1), version).await, StatusCode::OK);
    let broken = restore(&app, &owner, json!({"revision": before_zz, "path": "people.csv"})).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", broken.text());
    assert_eq!(app.get(&format!("/api/studies/{study}"), &owner).await.json()["problems"], json!([]));

    // The audit trail lists every change with who made it.
    let audit = app.get(&format!("/api/studies/{study}/audit.csv"), &viewer).await;
    assert_eq!(audit.status, StatusCode::OK);
    let text = audit.text();
    assert!(text.starts_with("revision,at,user,file,action,message\n"), "{text}");
    assert!(text.contains(&format!(",{},{file},changed,Added the purpose she named at the end", collabmap_server::DEMO_EMAIL)), "{text}");
    assert!(text.contains(",restored,restored revision"), "{text}");

    // The whole study put back from the history page: every file as it was at revision 1, as a new revision.
    let first_table = app.get(&format!("/api/studies/{study}/table?revision=1"), &viewer).await.text();
    assert_eq!(
        app.form(Some(&viewer), &format!("/studies/{study}/history/restore"), &format!("csrf={}&revision=1", viewer.csrf)).await.status,
        StatusCode::FORBIDDEN
    );
    let late = original.replace("# Map", "# Map\n\n- Added after the import\n");
    let added = app.call(Method::POST, &format!("/api/studies/{study}/interviews"), Some(&owner), true, Some(json!({"id": "late", "text": late}))).await;
    assert!(added.status.is_success(), "{}", added.text());
    let whole = app.form(Some(&owner), &format!("/studies/{study}/history/restore"), &format!("csrf={}&revision=1&path=&message=", owner.csrf)).await;
    assert_eq!(whole.status, StatusCode::SEE_OTHER, "{}", whole.text());
    assert_eq!(app.get(&format!("/api/studies/{study}/table"), &viewer).await.text(), first_table);
    assert_eq!(document(&app, &owner, &path).await.0, original);
    let newest = app.get(&format!("/api/studies/{study}/history"), &owner).await.json()[0].clone();
    assert_eq!(newest["message"], json!("restored revision 1"));
    assert!(newest["files"].as_array().expect("files").len() >= 2, "{newest}");
    assert_eq!(app.get(&format!("/api/studies/{study}/interviews/late"), &owner).await.status, StatusCode::NOT_FOUND, "a file added since is gone");
});

on_every_backend!(memos_are_written_from_the_page_of_what_they_are_about_and_listed_with_filters, |app: App| async move {
    let study = app.study;
    let (editor, viewer) = (app.login("editor@example.org").await, app.login("viewer@example.org").await);
    let theme_page = format!("/studies/{study}/themes/common-purpose.html");
    let page = app.get(&theme_page, &editor).await.text();
    assert!(page.contains("href=\"../memos/new?about=theme:common-purpose\""), "the theme page offers to add a memo");
    assert!(page.contains("No memos here yet."));
    assert_eq!(app.get(&format!("/studies/{study}/memos/new?about=theme:common-purpose"), &editor).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/studies/{study}/memos/new?about=theme:common-purpose"), &viewer).await.status,
        StatusCode::FORBIDDEN,
        "viewers read memos only"
    );

    // Saved from the form: back on the theme page, at the memo.
    let body = |session: &Session, about: &str, text: &str| format!("csrf={}&about={about}&text={text}", session.csrf);
    let added = app.form(Some(&editor), &format!("/studies/{study}/memos/new"), &body(&editor, "theme%3Acommon-purpose", "Ask+who+set+the+aim+first")).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let location = added.headers.get("location").and_then(|l| l.to_str().ok()).expect("back to the page").to_string();
    assert!(location.starts_with(&format!("{theme_page}#memo-theme-common-purpose-20")), "{location}");
    let page = app.get(&theme_page, &viewer).await.text();
    assert!(page.contains("Ask who set the aim first") && page.contains("editor@example.org"), "the memo shows on its theme's page");
    let study_memo = app.form(Some(&editor), &format!("/studies/{study}/memos/new"), &body(&editor, "study", "The+second+round+starts+in+May")).await;
    assert_eq!(study_memo.status, StatusCode::SEE_OTHER);
    assert!(
        app.get(&format!("/studies/{study}/"), &viewer).await.text().contains("The second round starts in May"),
        "a memo about the study shows on its front page"
    );
    assert!(!app.get(&theme_page, &viewer).await.text().contains("The second round starts in May"), "and only there");

    // Refused: a viewer, a form from elsewhere, an empty memo, a target the study does not have.
    let memos = format!("/studies/{study}/memos/new");
    assert_eq!(app.form(Some(&viewer), &memos, &body(&viewer, "study", "x")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.form(Some(&editor), &memos, "csrf=forged&about=study&text=x").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.form(Some(&editor), &memos, &body(&editor, "study", "+")).await.status, StatusCode::BAD_REQUEST);
    let nowhere = app.form(Some(&editor), &memos, &body(&editor, "theme%3Anope", "x")).await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nowhere.text().contains("unknown theme <code>nope</code>"), "{}", nowhere.text());
    assert!(nowhere.headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html")), "a form's refusal is a page");

    // The list, filtered by what a memo is about and by who wrote it.
    let list = async |query: &str| app.get(&format!("/studies/{study}/memos{query}"), &viewer).await;
    let all = list("").await.text();
    assert!(all.contains("Ask who set the aim first") && all.contains("The second round starts in May"));
    assert!(!all.contains("/memos/delete"), "viewers get no delete button");
    let themes = list("?kind=theme").await.text();
    assert!(themes.contains("Ask who set the aim first") && !themes.contains("The second round starts in May"));
    assert!(!list("?kind=person").await.text().contains("Ask who set the aim first"));
    assert!(list("?by=editor%40example.org").await.text().contains("Ask who set the aim first"));
    assert!(!list("?by=someone%40example.org").await.text().contains("Ask who set the aim first"));

    // Deleted from the list: gone from its page, kept in the history.
    let listed = app.get(&format!("/api/studies/{study}/memos"), &editor).await.json();
    let memo = listed.as_array().expect("memos").iter().find(|m| m["about"] == json!("theme:common-purpose")).expect("the memo").clone();
    let name = memo["name"].as_str().expect("name").to_string();
    let memo_editor = format!("/studies/{study}/edit/memos/{name}");
    assert!(app.get(&memo_editor, &editor).await.text().contains(&format!("action=\"/studies/{study}/memos/delete\"")), "the memo's editor can delete it");
    assert!(!app.get(&memo_editor, &viewer).await.text().contains("/memos/delete"), "but not for a viewer");
    let (_, version) = document(&app, &editor, &format!("memos/{name}")).await;
    let deleted = app.form(Some(&editor), &format!("/studies/{study}/memos/delete"), &format!("csrf={}&name={name}&version={version}", editor.csrf)).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.text());
    assert!(!app.get(&theme_page, &viewer).await.text().contains("Ask who set the aim first"));
    let newest = app.get(&format!("/api/studies/{study}/history"), &viewer).await.json()[0].clone();
    assert_eq!(newest["files"], json!([{"path": format!("memos/{name}.md"), "action": "deleted"}]));
});

on_every_backend!(a_long_history_runs_to_pages_and_a_large_revision_lists_a_few_files, |app: App| async move {
    let owner = app.owner().await;
    let demo = app.store.user_by_email(collabmap_server::DEMO_EMAIL).await.expect("query").expect("demo user");
    // One save of 25 memos, then 60 saves of one: 61 revisions with changes, more than a page of 50.
    let memo = |n: usize, words: &str| collabmap_store::Change {
        path: format!("memos/m{n:02}.md"),
        expected: None,
        content: Some(format!("---\nabout: study\n---\n\n{words}\n").into_bytes()),
    };
    let many: Vec<_> = (0..25).map(|n| memo(n, "first")).collect();
    app.store.change_files(app.study, demo.id, &many, None, None).await.expect("saved");
    for round in 0..60 {
        let versions = app.store.snapshot(app.study).await.expect("read").expect("study").versions;
        let change = collabmap_store::Change { expected: versions.get("memos/m00.md").copied(), ..memo(0, &format!("round {round}")) };
        app.store.change_files(app.study, demo.id, &[change], None, None).await.expect("saved");
    }
    let first = app.get(&format!("/studies/{}/history", app.study), &owner).await;
    assert_eq!(first.status, StatusCode::OK);
    let first = first.text();
    assert_eq!(first.matches("<tr><td class=\"num\">").count(), 50, "fifty revisions a page");
    assert!(first.contains("Page 1 of 2") && first.contains(&format!("/studies/{}/history?page=2", app.study)), "a link to the next page");
    assert_eq!(first.matches("Put the whole study back").count(), 49, "every revision but the newest can be put back");
    let second = app.get(&format!("/studies/{}/history?page=2", app.study), &owner).await.text();
    assert!(second.contains("Page 2 of 2") && second.contains("Put the whole study back"), "the newest of page 2 is not the study's newest");
    assert!(second.contains("and 5 more (every file is in the audit trail)"), "a revision of 25 files lists 20 and counts the rest");
    assert_eq!(second.matches(">memos/m").count(), 20 + 10, "ten revisions of one file and one of twenty shown: {second}");
    assert_eq!(second.matches("Put the whole study back").count(), 11);
    assert_eq!(app.get(&format!("/studies/{}/history?page=3", app.study), &owner).await.status, StatusCode::NOT_FOUND);
    // The API pages by a hundred revisions, every file listed, with a Link to the next page while there is one.
    let api = app.get(&format!("/api/studies/{}/history", app.study), &owner).await;
    assert!(api.headers.get(header::LINK).is_none(), "61 revisions fit one page");
    let revisions = api.json();
    assert_eq!(revisions.as_array().expect("revisions").len(), 61);
    assert_eq!(revisions[60]["files"].as_array().expect("files").len(), 25, "every file of a revision");
});
