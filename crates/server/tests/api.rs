//! The JSON API's rules, each checked on SQLite and on PostgreSQL.

mod support;

use axum::http::{Method, StatusCode, header};
use collabmap_exchange::archive::write_zip;
use collabmap_study::MemoryFiles;
use serde_json::json;
use support::{App, Session, encoded};

#[path = "../../../testdata/studies.rs"]
mod studies;

async fn put_interview(app: &App, session: &Session, id: &str, text: &str, version: i64) -> support::Reply {
    app.call(Method::PUT, &format!("/api/studies/{}/interviews/{id}", app.study), Some(session), true, Some(json!({"text": text, "version": version}))).await
}

async fn get_interview(app: &App, session: &Session, id: &str) -> (String, i64) {
    let reply = app.get(&format!("/api/studies/{}/interviews/{id}", app.study), session).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    (body["text"].as_str().expect("text").to_string(), body["version"].as_i64().expect("version"))
}

on_every_backend!(signing_in_and_out, |app: App| async move {
    let wrong = app.login_reply("demo@collabmap.local", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown = app.login_reply("nobody@example.org", "whatever-it-is").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    let reply = app.login_reply("Demo@Collabmap.local ", "collabmap-demo").await;
    assert_eq!(reply.status, StatusCode::OK, "addresses are matched without case");
    let cookie = reply.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(reply.json()["csrf"].as_str().is_some_and(|t| t.len() >= 32));

    let no_session = app.call(Method::GET, "/api/studies", None, false, None).await;
    assert_eq!(no_session.status, StatusCode::UNAUTHORIZED);
    assert!(no_session.json()["error"].as_str().is_some_and(|e| e.contains("POST /api/login")));

    let session = app.owner().await;
    assert_eq!(app.get("/api/studies", &session).await.status, StatusCode::OK);
    let without_token = app.call(Method::POST, "/api/logout", Some(&session), false, None).await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);
    let out = app.call(Method::POST, "/api/logout", Some(&session), true, None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(app.get("/api/studies", &session).await.status, StatusCode::UNAUTHORIZED, "the session ended");
});

on_every_backend!(failed_logins_are_rate_limited, |app: App| async move {
    for _ in 0..5 {
        assert_eq!(app.login_reply("viewer@example.org", "wrong-password").await.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = app.login_reply("viewer@example.org", support::PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(blocked.headers.get(header::RETRY_AFTER).is_some());
    // Other accounts are not locked out by someone guessing at this one.
    app.login("editor@example.org").await;
});

on_every_backend!(two_servers_over_one_database_count_the_same_failed_sign_ins_and_see_the_same_saves, |app: App| async move {
    let other = app.twin().await;
    for server in [&app, &app, &other, &other, &app] {
        assert_eq!(server.login_reply("viewer@example.org", "wrong-password").await.status, StatusCode::UNAUTHORIZED);
    }
    for server in [&app, &other] {
        let blocked = server.login_reply("viewer@example.org", support::PASSWORD).await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "five failures across the two servers block both");
        assert!(blocked.headers.get(header::RETRY_AFTER).is_some());
    }
    // A session started on one server works on the other; a save through one is read through the other.
    let owner = app.owner().await;
    let interview = app.first_interview(&owner).await;
    let path = format!("/api/studies/{}/interviews/{interview}", app.study);
    let (text, version) = get_interview(&other, &owner, &interview).await;
    let saved = app.call(Method::PUT, &path, Some(&owner), true, Some(json!({"text": format!("{text}\n"), "version": version}))).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(get_interview(&other, &owner, &interview).await.0, format!("{text}\n"), "the other server reads the save at once");
    let page = other.get(&format!("/studies/{}/interviews/{interview}.html", app.study), &owner).await;
    assert_eq!(page.status, StatusCode::OK);
    other.store.close().await;
});

on_every_backend!(state_changes_need_the_csrf_token, |app: App| async move {
    let session = app.owner().await;
    let id = app.first_interview(&session).await;
    let (text, version) = get_interview(&app, &session, &id).await;
    let path = format!("/api/studies/{}/interviews/{id}", app.study);
    let body = json!({"text": text, "version": version});
    let missing = app.call(Method::PUT, &path, Some(&session), false, Some(body.clone())).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = Session { cookie: session.cookie.clone(), csrf: "x".repeat(43) };
    assert_eq!(app.call(Method::PUT, &path, Some(&wrong), true, Some(body.clone())).await.status, StatusCode::FORBIDDEN);

    // A browser on another site (or a sandboxed frame) names its origin; that is refused too.
    for origin in ["https://evil.example", "null", "http://localhost.evil.example"] {
        let request = axum::http::Request::builder()
            .method(Method::PUT)
            .uri(&path)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, origin)
            .header(header::COOKIE, format!("collabmap_session={}", session.cookie))
            .header("x-csrf-token", &session.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .expect("request");
        let refused = app.send(request).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(refused.headers.get(header::X_CONTENT_TYPE_OPTIONS).and_then(|v| v.to_str().ok()), Some("nosniff"));
    }
    assert_eq!(get_interview(&app, &session, &id).await.1, version, "nothing was saved");
    assert_eq!(app.call(Method::PUT, &path, Some(&session), true, Some(body)).await.status, StatusCode::OK);
});

on_every_backend!(roles_decide_who_reads_edits_and_manages, |app: App| async move {
    let study = app.study;
    let owner = app.owner().await;
    let editor = app.login("editor@example.org").await;
    let viewer = app.login("viewer@example.org").await;
    let outsider = app.login("outsider@example.org").await;
    let id = app.first_interview(&owner).await;
    let (text, version) = get_interview(&app, &viewer, &id).await;

    // Viewers read, but do not write.
    assert_eq!(app.get(&format!("/api/studies/{study}/table"), &viewer).await.status, StatusCode::OK);
    let refused = put_interview(&app, &viewer, &id, &text, version).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.json()["error"].as_str().is_some_and(|e| e.contains("editor")));

    // Editors write, but do not manage members or delete.
    let saved = put_interview(&app, &editor, &id, &format!("{text}\n"), version).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let add = app
        .call(Method::POST, &format!("/api/studies/{study}/members"), Some(&editor), true, Some(json!({"email": "outsider@example.org", "role": "viewer"})))
        .await;
    assert_eq!(add.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call(Method::DELETE, &format!("/api/studies/{study}"), Some(&editor), true, None).await.status, StatusCode::FORBIDDEN);

    // Outsiders cannot tell the study exists, and the same for a study that does not.
    for path in [
        format!("/api/studies/{study}"),
        format!("/api/studies/{study}/table"),
        format!("/api/studies/{study}/model"),
        format!("/api/studies/{study}/interviews/{id}"),
        format!("/api/studies/{study}/export"),
        "/api/studies/999999".to_string(),
    ] {
        assert_eq!(app.get(&path, &outsider).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(put_interview(&app, &outsider, &id, &text, version).await.status, StatusCode::NOT_FOUND);
    let listed = app.get("/api/studies", &outsider).await.json();
    assert_eq!(listed, json!([]));

    // The owner adds the outsider, who then sees it.
    let add = app
        .call(Method::POST, &format!("/api/studies/{study}/members"), Some(&owner), true, Some(json!({"email": "outsider@example.org", "role": "viewer"})))
        .await;
    assert_eq!(add.status, StatusCode::CREATED, "{}", add.text());
    assert_eq!(app.get(&format!("/api/studies/{study}/table"), &outsider).await.status, StatusCode::OK);
    let members = app.get(&format!("/api/studies/{study}/members"), &viewer).await.json();
    assert_eq!(members.as_array().map(Vec::len), Some(4));
    let unknown = app
        .call(Method::POST, &format!("/api/studies/{study}/members"), Some(&owner), true, Some(json!({"email": "ghost@example.org", "role": "viewer"})))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let bad_role = app
        .call(Method::POST, &format!("/api/studies/{study}/members"), Some(&owner), true, Some(json!({"email": "viewer@example.org", "role": "king"})))
        .await;
    assert_eq!(bad_role.status, StatusCode::BAD_REQUEST);
    // The last owner cannot step down or be removed.
    let demote = app
        .call(Method::POST, &format!("/api/studies/{study}/members"), Some(&owner), true, Some(json!({"email": "demo@collabmap.local", "role": "viewer"})))
        .await;
    assert_eq!(demote.status, StatusCode::BAD_REQUEST);
    let remove = app.call(Method::DELETE, &format!("/api/studies/{study}/members/outsider@example.org"), Some(&owner), true, None).await;
    assert_eq!(remove.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/studies/{study}/table"), &outsider).await.status, StatusCode::NOT_FOUND);

    // Owners delete.
    assert_eq!(app.call(Method::DELETE, &format!("/api/studies/{study}"), Some(&owner), true, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/studies/{study}"), &owner).await.status, StatusCode::NOT_FOUND);
});

on_every_backend!(saving_an_interview_catches_conflicts_and_problems, |app: App| async move {
    let editor = app.login("editor@example.org").await;
    let owner = app.owner().await;
    let id = app.first_interview(&editor).await;
    let (text, version) = get_interview(&app, &editor, &id).await;
    assert!(text.contains("# Map"));

    let mine = text.replacen("# Map\n\n", "# Map\n\n- A concept the editor added\n", 1);
    let saved = put_interview(&app, &editor, &id, &mine, version).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let new_version = saved.json()["version"].as_i64().expect("version");
    assert!(new_version > version);
    assert_eq!(get_interview(&app, &owner, &id).await, (mine.clone(), new_version));

    // The owner still has the old version open: their save is refused, nothing lost.
    let stale = put_interview(&app, &owner, &id, &format!("{text}\n"), version).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["version"].as_i64(), Some(new_version));
    assert_eq!(get_interview(&app, &owner, &id).await.0, mine);

    // Invalid text: every problem with its line, and nothing saved.
    let broken = mine.replacen("- A concept the editor added", "- A concept the editor added #no-such-theme", 1);
    let invalid = put_interview(&app, &editor, &id, &broken, new_version).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", invalid.text());
    let problems = invalid.json()["problems"].clone();
    let first = &problems[0];
    let line = broken.lines().position(|l| l.contains("#no-such-theme")).expect("line") + 1;
    assert_eq!(first["path"], json!(format!("interviews/{id}.md")));
    assert_eq!(first["line"], json!(line));
    assert!(first["text"].as_str().is_some_and(|t| t.starts_with(&format!("interviews/{id}.md:{line}: "))), "{first}");
    assert_eq!(get_interview(&app, &editor, &id).await, (mine, new_version));

    let anonymous =
        app.call(Method::PUT, &format!("/api/studies/{}/interviews/{id}", app.study), None, false, Some(json!({"text": text, "version": new_version}))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let malformed = app.call(Method::PUT, &format!("/api/studies/{}/interviews/{id}", app.study), Some(&editor), true, Some(json!({"text": 3}))).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get(&format!("/api/studies/{}/interviews/no-such", app.study), &editor).await.status, StatusCode::NOT_FOUND);
});

on_every_backend!(interviews_are_created_previewed_and_deleted, |app: App| async move {
    let study = app.study;
    let editor = app.login("editor@example.org").await;
    let text = "---\npeople: [p01]\n---\n\n# Map\n\n- Keep tenants housed\n  - Agree one aim #common-purpose\n";
    let preview =
        app.call(Method::POST, &format!("/api/studies/{study}/preview"), Some(&editor), true, Some(json!({"path": "interviews/extra.md", "text": text}))).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let body = preview.json();
    assert!(body["svg"].as_str().is_some_and(|s| s.starts_with("<svg") && s.contains("Agree one aim")));
    assert_eq!(body["problems"], json!([]));
    let with_slip = app
        .call(
            Method::POST,
            &format!("/api/studies/{study}/preview"),
            Some(&editor),
            true,
            Some(json!({"path": "interviews/extra.md", "text": text.replace("#common-purpose", "#comon-purpose")})),
        )
        .await;
    let problem = with_slip.json()["problems"][0]["text"].as_str().expect("a problem").to_string();
    assert!(problem.starts_with("interviews/extra.md:8: ") && problem.contains("common-purpose"), "{problem}");

    let created = app.call(Method::POST, &format!("/api/studies/{study}/interviews"), Some(&editor), true, Some(json!({"id": "extra", "text": text}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let version = created.json()["version"].as_i64().expect("version");
    let again = app.call(Method::POST, &format!("/api/studies/{study}/interviews"), Some(&editor), true, Some(json!({"id": "extra", "text": text}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let bad_id = app.call(Method::POST, &format!("/api/studies/{study}/interviews"), Some(&editor), true, Some(json!({"id": "../x", "text": text}))).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(get_interview(&app, &editor, "extra").await, (text.to_string(), version));
    // An interview that takes another's id is refused, naming the file that has it.
    let listed = app.get(&format!("/api/studies/{study}/interviews"), &editor).await.json();
    let taken = listed["interviews"]
        .as_array()
        .and_then(|all| all.iter().filter_map(|i| i["id"].as_str()).find(|&id| id != "extra"))
        .expect("another interview")
        .to_string();
    let clash = text.replacen("---\npeople:", &format!("---\nid: {taken}\npeople:"), 1);
    let refused = app.call(Method::POST, &format!("/api/studies/{study}/interviews"), Some(&editor), true, Some(json!({"id": "extra2", "text": clash}))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text());
    let problem = refused.json()["problems"][0]["text"].as_str().expect("a problem").to_string();
    assert!(problem.starts_with("interviews/extra2.md:1: ") && problem.contains(&format!("`{taken}` is already used by interviews/")), "{problem}");
    // So is an edit that gives an interview another's id.
    let renamed = put_interview(&app, &editor, "extra", &clash, version).await;
    assert_eq!(renamed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", renamed.text());
    assert!(renamed.json()["problems"][0]["text"].as_str().is_some_and(|t| t.contains("is already used by")), "{}", renamed.text());

    let stale = app.call(Method::DELETE, &format!("/api/studies/{study}/interviews/extra?version={}", version - 1), Some(&editor), true, None).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let deleted = app.call(Method::DELETE, &format!("/api/studies/{study}/interviews/extra?version={version}"), Some(&editor), true, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/studies/{study}/interviews/extra"), &editor).await.status, StatusCode::NOT_FOUND);
});

on_every_backend!(people_projects_and_codebook_are_edited_the_same_way, |app: App| async move {
    let study = app.study;
    let editor = app.login("editor@example.org").await;
    let viewer = app.login("viewer@example.org").await;
    let people = app.get(&format!("/api/studies/{study}/people"), &editor).await.json();
    let people_text = people["text"].as_str().expect("text").to_string();
    let version = people["version"].as_i64().expect("version");

    // Removing a person whom interviews name is refused, with the interviews' lines.
    let mut lines: Vec<&str> = people_text.lines().collect();
    let removed = lines.remove(1).split(',').next().expect("id").to_string();
    let refused =
        app.call(Method::PUT, &format!("/api/studies/{study}/people"), Some(&editor), true, Some(json!({"text": lines.join("\n"), "version": version}))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = refused.json()["problems"].clone();
    assert!(
        problems
            .as_array()
            .expect("problems")
            .iter()
            .any(|p| p["path"].as_str().is_some_and(|s| s.starts_with("interviews/")) && p["message"].as_str().is_some_and(|m| m.contains(&removed))),
        "{problems}"
    );

    let viewer_save =
        app.call(Method::PUT, &format!("/api/studies/{study}/people"), Some(&viewer), true, Some(json!({"text": people_text, "version": version}))).await;
    assert_eq!(viewer_save.status, StatusCode::FORBIDDEN);

    // The built-in codebook has version 0; saving it gives the study its own copy.
    let codebook = app.get(&format!("/api/studies/{study}/codebook"), &editor).await.json();
    assert_eq!(codebook["version"], json!(0));
    assert_eq!(codebook["path"], json!("codebook.toml"));
    let own = codebook["text"].as_str().expect("text").replace("Create common purpose", "Create a common purpose");
    let saved = app.call(Method::PUT, &format!("/api/studies/{study}/codebook"), Some(&editor), true, Some(json!({"text": own, "version": 0}))).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let settings = app.get(&format!("/api/studies/{study}/settings"), &editor).await.json();
    assert!(settings["text"].as_str().is_some_and(|t| t.contains("codebook = \"codebook.toml\"")), "{settings}");
    let table = app.get(&format!("/api/studies/{study}/table"), &viewer).await.json();
    assert_eq!(table[0]["name"], json!("Create a common purpose"));
    let after = app.get(&format!("/api/studies/{study}/codebook"), &editor).await.json();
    assert_eq!(after["version"], saved.json()["version"]);

    let projects = app.get(&format!("/api/studies/{study}/projects"), &editor).await.json();
    let projects_text = format!("{}\n", projects["text"].as_str().expect("text").trim_end());
    let ok = app
        .call(Method::PUT, &format!("/api/studies/{study}/projects"), Some(&editor), true, Some(json!({"text": projects_text, "version": projects["version"]})))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
});

fn zipped(dir: &std::path::Path) -> Vec<u8> {
    let files = MemoryFiles::read_folder(dir, collabmap_study::Limits::default()).expect("corpus");
    write_zip(&files).expect("zip")
}

on_every_backend!(uploaded_studies_round_trip_byte_for_byte, |app: App| async move {
    let viewer = app.login("viewer@example.org").await;
    let every_study = studies::all();
    for study in &every_study {
        let (name, dir) = (&study.name, &study.dir);
        let created = app.upload(&viewer, zipped(dir)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{name}: {}", created.text());
        let id = created.json()["id"].as_i64().expect("id");
        let info = app.get(&format!("/api/studies/{id}"), &viewer).await.json();
        assert_eq!(info["role"], json!("owner"), "the uploader owns the study");
        assert_eq!(info["problems"], json!([]));
        let interviews = std::fs::read_dir(dir.join("interviews"))
            .expect("interviews")
            .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "md")))
            .count();
        assert_eq!(info["interview_count"], json!(interviews), "{name}: how many interviews, not the list itself");

        let table = app.get(&format!("/api/studies/{id}/table"), &viewer).await.json();
        let expected = &study.expected;
        for row in table.as_array().expect("rows") {
            let theme = row["theme"].as_str().expect("theme");
            let wanted = expected["table"]
                .as_array()
                .and_then(|rows| rows.iter().find(|r| r["theme"] == row["theme"]))
                .unwrap_or_else(|| panic!("{name}: {theme} expected"));
            assert_eq!(row["people"], wanted["people"], "{name} {theme}");
        }

        let export = app.get(&format!("/api/studies/{id}/export"), &viewer).await;
        assert_eq!(export.status, StatusCode::OK);
        let back = collabmap_exchange::archive::read_zip(&export.body, collabmap_study::Limits::default()).expect("a zip");
        let original = MemoryFiles::read_folder(dir, collabmap_study::Limits::default()).expect("corpus");
        assert_eq!(back, original, "{name}: export gives back every file byte for byte");
    }

    // A study with problems is refused with them; an unsafe archive is refused outright.
    let mut broken = MemoryFiles::read_folder(&studies::own("counting-rules"), collabmap_study::Limits::default()).expect("corpus");
    broken.insert("people.csv", b"id,name\n".to_vec());
    let refused = app.upload(&viewer, write_zip(&broken).expect("zip")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.json()["problems"][0]["text"].as_str().is_some_and(|t| t.starts_with("interviews/")));
    let garbage = app.upload(&viewer, b"not a zip".to_vec()).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/studies", &viewer).await.json().as_array().map(Vec::len), Some(every_study.len() + 1), "the uploads plus the demo");
});

on_every_backend!(saves_to_different_interviews_do_not_block_each_other, |app: App| async move {
    let editor = app.login("editor@example.org").await;
    let list = app.get(&format!("/api/studies/{}/interviews", app.study), &editor).await.json();
    let ids: Vec<String> = list["interviews"].as_array().expect("list").iter().take(12).map(|i| i["id"].as_str().expect("id").to_string()).collect();
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for id in ids.clone() {
        let app = app.clone();
        let editor = editor.clone();
        tasks.push(tokio::spawn(async move {
            let (text, version) = get_interview(&app, &editor, &id).await;
            put_interview(&app, &editor, &id, &format!("{text}\n"), version).await.status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    let info = app.get(&format!("/api/studies/{}", app.study), &editor).await.json();
    assert_eq!(info["revision"].as_i64(), Some(1 + ids.len() as i64), "every save landed, each once");
});

on_every_backend!(the_openapi_document_describes_every_route, |app: App| async move {
    let session = app.owner().await;
    let reply = app.get("/api/openapi.json", &session).await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = reply.json();
    assert_eq!(document["openapi"], json!("3.1.0"));
    // Every API route of every feature module, the path on the `.route(` line or the one after it.
    let mut routes: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).expect("src").filter_map(Result::ok) {
        let source = std::fs::read_to_string(entry.path()).expect("read");
        let lines: Vec<&str> = source.lines().map(str::trim).collect();
        for (at, line) in lines.iter().enumerate() {
            let mut paths: Vec<&str> = line.match_indices(".route(\"").map(|(start, _)| &line[start + 8..]).collect();
            if line.ends_with(".route(") {
                paths.extend(lines.get(at + 1).and_then(|next| next.strip_prefix('"')));
            }
            for path in paths {
                if let Some(path) = path.split('"').next().filter(|p| p.starts_with("/api/")) {
                    routes.push(path.to_string());
                }
            }
        }
    }
    assert!(routes.len() > 25, "{routes:?}");
    for route in &routes {
        let route = route.as_str();
        assert!(document["paths"].get(route).is_some(), "{route} is not in openapi.json");
    }
});

on_every_backend!(pages_need_a_session_and_respect_roles, |app: App| async move {
    let study = app.study;
    let home = app.call(Method::GET, "/", None, false, None).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/login?next=/"));

    // The sign-in form sets the cookie and goes back where the user was headed.
    let form = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("email=viewer%40example.org&password={}&next=%2Fstudies%2F{study}%2F", support::PASSWORD)))
        .expect("request");
    let signed_in = app.send(form).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some(format!("/studies/{study}/").as_str()));

    let viewer = app.login("viewer@example.org").await;
    let dashboard = app.get(&format!("/studies/{study}/"), &viewer).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    let html = dashboard.text();
    assert!(html.contains("<svg") && html.contains("data-level") && html.contains("Who mentioned what"));
    assert!(html.contains("Frequency is not structure"));
    let theme = app.get(&format!("/studies/{study}/themes/share-power.html"), &viewer).await;
    assert_eq!(theme.status, StatusCode::OK);
    assert!(theme.text().contains("Questions to ask yourself"));
    let crosstab = app.get(&format!("/studies/{study}/crosstab?by=country"), &viewer).await;
    assert_eq!(crosstab.status, StatusCode::OK);
    assert!(crosstab.text().contains("Mentions by country"));
    // Each count opens the people behind it: the same pages as the theme pages' breakdowns.
    let cell = crosstab
        .text()
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|l| l.contains("/evidence/common-purpose/country/"))
        .expect("a linked count")
        .to_string();
    let evidence = app.get(&cell, &viewer).await;
    assert_eq!(evidence.status, StatusCode::OK, "{cell}");
    assert!(evidence.text().contains("Create common purpose: who said it (country: "), "{}", evidence.text());
    let by_role = app.get(&format!("/studies/{study}/crosstab?by=role"), &viewer).await.text();
    assert!(!by_role.contains("/evidence/"), "other columns have no cell pages, so their counts link nowhere");
    let id = app.first_interview(&viewer).await;
    let editor_page = app.get(&format!("/studies/{study}/edit/interviews/{id}"), &viewer).await.text();
    assert!(editor_page.contains("<textarea") && editor_page.contains("readonly") && !editor_page.contains("id=\"save\""), "viewers read only");
    let editor = app.login("editor@example.org").await;
    let editor_page = app.get(&format!("/studies/{study}/edit/interviews/{id}"), &editor).await.text();
    assert!(editor_page.contains("id=\"save\"") && !editor_page.contains(" readonly"));

    let outsider = app.login("outsider@example.org").await;
    assert_eq!(app.get(&format!("/studies/{study}/"), &outsider).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/studies/{study}/edit/people"), &outsider).await.status, StatusCode::NOT_FOUND);

    // A form without the session's token is refused.
    let forged = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/studies/{study}/delete"))
        .header(header::HOST, "localhost")
        .header(header::COOKIE, format!("collabmap_session={}", app.owner().await.cookie))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("csrf=guess"))
        .expect("request");
    assert_eq!(app.send(forged).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/studies/{study}"), &viewer).await.status, StatusCode::OK);
});

on_every_backend!(the_browser_forms_upload_and_download_studies, |app: App| async move {
    let editor = app.login("editor@example.org").await;
    let archive = zipped(&studies::own("counting-rules"));
    let boundary = "collabmap-test-boundary";
    let part = |name: &str, extra: &str| format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n");
    let upload_with = |csrf: &str| {
        let mut bytes = part("csrf", "").into_bytes();
        bytes.extend(csrf.as_bytes());
        bytes.extend(b"\r\n");
        bytes.extend(part("archive", "; filename=\"counting-rules.zip\"\r\nContent-Type: application/zip").as_bytes());
        bytes.extend(&archive);
        bytes.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/import")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, format!("collabmap_session={}", editor.cookie))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(axum::body::Body::from(bytes))
            .expect("request")
    };
    assert_eq!(app.send(upload_with("wrong")).await.status, StatusCode::FORBIDDEN);
    let uploaded = app.send(upload_with(&editor.csrf)).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.text());
    let location = uploaded.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("location").to_string();
    assert!(location.starts_with("/studies/") && location.ends_with('/'));
    let dashboard = app.get(&location, &editor).await;
    assert_eq!(dashboard.status, StatusCode::OK);

    let download = app.get(&format!("{location}export.zip"), &editor).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/zip"));
    let back = collabmap_exchange::archive::read_zip(&download.body, collabmap_study::Limits::default()).expect("zip");
    assert_eq!(back, MemoryFiles::read_folder(&studies::own("counting-rules"), collabmap_study::Limits::default()).expect("corpus"));
});

on_every_backend!(the_workspace_shows_the_analyses_and_coder_agreement, |app: App| async move {
    let study = app.study;
    let owner = app.owner().await;
    let analysis = app.get(&format!("/studies/{study}/analysis.html"), &owner).await;
    assert_eq!(analysis.status, StatusCode::OK);
    let html = analysis.text();
    assert!(html.contains("Evidence for each theme link") && html.contains("Themes mentioned together") && html.contains("By country"));
    let id = app.first_interview(&owner).await;
    let page = app.get(&format!("/studies/{study}/interviews/{id}.html"), &owner).await.text();
    assert!(page.contains("<h2>Structure</h2>") && page.contains("data-role=\"head\""));

    // A second coding of the same interviews: here an exact copy, so agreement is perfect.
    let copy = app.get(&format!("/api/studies/{study}/export"), &owner).await.body;
    let created = app.upload(&owner, copy).await;
    let other = created.json()["id"].as_i64().expect("id");
    let compared = app.get(&format!("/studies/{study}/agreement?with={other}"), &owner).await;
    assert_eq!(compared.status, StatusCode::OK);
    assert!(compared.text().contains("Overall agreement 1.000, kappa 1.000"), "{}", compared.text());
    let outsider = app.login("outsider@example.org").await;
    assert_eq!(app.get(&format!("/studies/{study}/agreement?with={other}"), &outsider).await.status, StatusCode::NOT_FOUND);
    let viewer = app.login("viewer@example.org").await;
    assert_eq!(
        app.get(&format!("/studies/{study}/agreement?with={other}"), &viewer).await.status,
        StatusCode::NOT_FOUND,
        "the other study must be readable too"
    );
});

fn example_with_a_new_round() -> MemoryFiles {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/riverside-partnership");
    let mut files = MemoryFiles::read_folder(&dir, collabmap_study::Limits::default()).expect("example");
    let toml = String::from_utf8(files.get("collaboration.toml").expect("toml").to_vec()).expect("utf-8");
    files.insert("collaboration.toml", format!("{toml}\n[[round]]\nid = \"2026\"\ndate = \"2026-03-16\"\n").into_bytes());
    files
}

fn answers(share_power: u8, others: u8) -> String {
    let items = collabmap_study::assessment::builtin_survey("whole-systems").expect("survey");
    items.iter().map(|i| format!("item-{}={}", i.id, if i.theme == "share-power" { share_power } else { others })).collect::<Vec<_>>().join("&")
}

on_every_backend!(collaborations_are_surveyed_through_links_and_scored, |app: App| async move {
    let owner = app.owner().await;
    let files = example_with_a_new_round();
    let created = app.upload(&owner, write_zip(&files).expect("zip")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_i64().expect("id");
    // Import then export is lossless.
    let exported = app.get(&format!("/api/studies/{id}/export"), &owner).await;
    assert_eq!(collabmap_exchange::archive::read_zip(&exported.body, collabmap_study::Limits::default()).expect("zip"), files);

    let results = app.get(&format!("/collaborations/{id}/"), &owner).await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.text());
    let html = results.text();
    assert!(html.contains("Round 2026: 0 respondents so far") && html.contains("Round 2023 · 2023-03-20 · 15 respondents"));
    let viewer = app.login("viewer@example.org").await;
    assert_eq!(app.get(&format!("/collaborations/{id}/"), &viewer).await.status, StatusCode::NOT_FOUND);

    // Open the round and hand out five links.
    assert_eq!(app.form(Some(&owner), &format!("/collaborations/{id}/rounds/2026/open"), "csrf=wrong").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.form(Some(&owner), &format!("/collaborations/{id}/rounds/2026/open"), &format!("csrf={}", owner.csrf)).await.status, StatusCode::SEE_OTHER);
    let lines = "n1,Riverside Council,officer%0An2,Riverside Council,officer%0An3,Police,sergeant%0An4,Police,sergeant%0An5,Probation,officer";
    let issued = app.form(Some(&owner), &format!("/collaborations/{id}/rounds/2026/links"), &format!("csrf={}&respondents={lines}", owner.csrf)).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text());
    let tokens: Vec<String> = issued
        .text()
        .split("/survey/")
        .skip(1)
        .step_by(2)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
        .collect();
    assert_eq!(tokens.len(), 5);

    // Four answer: still hidden.
    for token in &tokens[..4] {
        let blank = app.page(&format!("/survey/{token}")).await;
        assert_eq!(blank.status, StatusCode::OK);
        assert!(blank.text().contains("Continue to check your answers"));
        let saved = app.form(None, &format!("/survey/{token}"), &answers(4, 4)).await;
        assert_eq!(saved.status, StatusCode::OK);
        assert!(saved.text().contains("your answers are saved"));
    }
    let html = app.get(&format!("/collaborations/{id}/"), &owner).await.text();
    assert!(html.contains("Round 2026: 4 respondents so far") && !html.contains("Round 2026 · 2026-03-16"));

    // The fifth shows the round; answering again replaces, never duplicates.
    app.form(None, &format!("/survey/{}", tokens[4]), &answers(1, 4)).await;
    let again = app.form(None, &format!("/survey/{}", tokens[4]), &answers(5, 4)).await;
    assert!(again.text().contains("your answers are saved"));
    let form = app.page(&format!("/survey/{}", tokens[4])).await.text();
    assert!(form.contains("id=\"item-share-power-1-5\" value=\"5\" checked"), "the form shows the saved answers");
    // Nothing is chosen for a respondent who has not answered, and a form sent with a statement left out is refused with the statement named.
    let fresh =
        app.form(Some(&owner), &format!("/collaborations/{id}/rounds/2026/links"), &format!("csrf={}&respondents=n6,Police,sergeant", owner.csrf)).await;
    let fresh: String =
        fresh.text().split("/survey/").nth(1).expect("link").chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    let blank = app.page(&format!("/survey/{fresh}")).await.text();
    assert!(!blank.contains(" checked"), "no answer is chosen for them");
    let partial = app.form(None, &format!("/survey/{fresh}"), "item-share-power-1=4&step=check").await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.text().contains("35 statements are not answered yet") && partial.text().contains("href=\"#item-share-power-2\""), "{}", partial.text());
    let html = app.get(&format!("/collaborations/{id}/"), &owner).await.text();
    assert!(html.contains("Round 2026 · 2026-03-16 · 5 respondents"), "results appear at five respondents");
    let csv = collabmap_exchange::archive::read_zip(&app.get(&format!("/api/studies/{id}/export"), &owner).await.body, collabmap_study::Limits::default())
        .expect("zip");
    let responses = String::from_utf8(csv.get("responses.csv").expect("responses").to_vec()).expect("utf-8");
    assert_eq!(responses.lines().filter(|l| l.starts_with("2026,n5,")).count(), 36, "one answer per item, not two");
    assert!(responses.lines().any(|l| l == "2026,n5,Probation,officer,share-power-1,5"));

    // Closed rounds refuse links; unknown and unopened links are refused too.
    app.form(Some(&owner), &format!("/collaborations/{id}/rounds/2026/close"), &format!("csrf={}", owner.csrf)).await;
    let closed = app.page(&format!("/survey/{}", tokens[0])).await;
    assert_eq!(closed.status, StatusCode::GONE);
    assert!(closed.text().contains("This round is closed"));
    assert_eq!(app.form(None, &format!("/survey/{}", tokens[0]), &answers(1, 1)).await.status, StatusCode::GONE);
    assert_eq!(app.page("/survey/not-a-token").await.status, StatusCode::NOT_FOUND);
    let early =
        app.form(Some(&owner), &format!("/collaborations/{id}/rounds/2025/links"), &format!("csrf={}&respondents=late,Police,sergeant", owner.csrf)).await;
    let early_token: String =
        early.text().split("/survey/").nth(1).expect("link").chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    assert_eq!(app.page(&format!("/survey/{early_token}")).await.status, StatusCode::FORBIDDEN, "round 2025 was never opened");

    // Two collaborations side by side.
    let second = app.upload(&owner, write_zip(&example_with_a_new_round()).expect("zip")).await.json()["id"].as_i64().expect("id");
    let compared = app.get(&format!("/compare?ids={id}&ids={second}"), &owner).await;
    assert_eq!(compared.status, StatusCode::OK);
    assert!(compared.text().contains("theme (latest round)") && compared.text().matches("<svg").count() == 2);
});

on_every_backend!(collaborations_are_created_and_edited_in_the_browser, |app: App| async move {
    let editor = app.login("editor@example.org").await;
    let body = format!(
        "csrf={}&name=Northgate+Pilot&purpose=Fewer+evictions&leaders=Ana+Lee%2C+chair%2C+2024-01-10&rounds=r1%2C+2026-03-01%0Ar2%2C+2027-03-01",
        editor.csrf
    );
    let created = app.form(Some(&editor), "/collaborations/new", &body).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let location = created.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("location").to_string();
    let id: i64 = location.trim_start_matches("/collaborations/").trim_end_matches('/').parse().expect("id");
    let page = app.get(&location, &editor).await.text();
    assert!(page.contains("Northgate Pilot") && page.contains("Round r1: 0 respondents so far"));

    // A leader without a date is refused with its line; nothing is saved.
    let file = app.get(&format!("/collaborations/{id}/files/collaboration.toml"), &editor).await.text();
    let version: i64 = file.split("name=\"version\" value=\"").nth(1).and_then(|r| r.split('"').next()).and_then(|v| v.parse().ok()).expect("version");
    let bad = app.form(Some(&editor), &format!("/collaborations/{id}/files/collaboration.toml"), &format!("csrf={}&version={version}&text=name+%3D+%22X%22%0A%0A%5B%5Bleader%5D%5D%0Aname+%3D+%22Bo%22%0A%0A%5B%5Bround%5D%5D%0Aid+%3D+%22r1%22%0Adate+%3D+%222026-03-01%22%0A", editor.csrf)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("collaboration.toml:3: leader `Bo` has no `since` date"), "{}", bad.text());
    let good_text = "name = \"Northgate Pilot\"\n\n[[leader]]\nname = \"Bo\"\nsince = \"2020-05-01\"\n\n[[round]]\nid = \"r1\"\ndate = \"2026-03-01\"\n";
    let encoded: String = good_text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let saved = app
        .form(Some(&editor), &format!("/collaborations/{id}/files/collaboration.toml"), &format!("csrf={}&version={version}&text={encoded}", editor.csrf))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let stale = app
        .form(Some(&editor), &format!("/collaborations/{id}/files/collaboration.toml"), &format!("csrf={}&version={version}&text={encoded}", editor.csrf))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let page = app.get(&location, &editor).await.text();
    assert!(page.contains("Round r1") && !page.contains("Round r2"));
    assert_eq!(app.get(&format!("/collaborations/{id}/files/secrets.txt"), &editor).await.status, StatusCode::NOT_FOUND);
});

on_every_backend!(every_exchange_format_downloads_and_a_qdpx_uploads_as_a_study, |app: App| async move {
    let study = app.study;
    let viewer = app.login("viewer@example.org").await;
    assert_eq!(app.get(&format!("/studies/{study}/exchange"), &viewer).await.status, StatusCode::OK);
    for (format, starts) in
        [("qdpx", &b"PK"[..]), ("qdc", &b"<?xml"[..]), ("graphml", &b"<?xml"[..]), ("gexf", &b"<?xml"[..]), ("dot", &b"digraph"[..]), ("csv", &b"PK"[..])]
    {
        for graph in ["", "?graph=concepts"] {
            let reply = app.get(&format!("/studies/{study}/export/{format}{graph}"), &viewer).await;
            assert_eq!(reply.status, StatusCode::OK, "{format}{graph}");
            assert!(reply.body.starts_with(starts), "{format}{graph}");
        }
    }
    let tables =
        collabmap_exchange::archive::read_zip(&app.get(&format!("/studies/{study}/export/csv"), &viewer).await.body, collabmap_study::Limits::default());
    assert!(tables.is_err(), "a zip of tables is not a study folder");
    let outsider = app.login("outsider@example.org").await;
    assert_eq!(app.get(&format!("/studies/{study}/export/qdpx"), &outsider).await.status, StatusCode::NOT_FOUND);

    // The project goes back in as a new study with the same counts.
    let project = app.get(&format!("/studies/{study}/export/qdpx"), &viewer).await.body;
    let created = app.upload(&viewer, project).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_i64().expect("id");
    let counts = |table: serde_json::Value| -> Vec<(String, u64, u64)> {
        let mut rows: Vec<_> = table
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| (r["theme"].as_str().expect("theme").to_string(), r["people"].as_u64().expect("n"), r["out_of"].as_u64().expect("n")))
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(
        counts(app.get(&format!("/api/studies/{id}/table"), &viewer).await.json()),
        counts(app.get(&format!("/api/studies/{study}/table"), &viewer).await.json())
    );
});

on_every_backend!(an_evaluator_automates_a_round_through_the_api, |app: App| async move {
    let owner = app.owner().await;
    let created = app
        .call(
            Method::POST,
            "/api/collaborations",
            Some(&owner),
            true,
            Some(json!({"name": "Northgate partnership", "purpose": "Fewer evictions", "leaders": [{"name": "Dana", "role": "chair", "since": "2024-01-15"}], "rounds": [{"id": "2025", "date": "2025-05-01"}]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_i64().expect("id");
    let without_token =
        app.call(Method::POST, &format!("/api/collaborations/{id}/rounds"), Some(&owner), false, Some(json!({"id": "2026", "date": "2026-05-01"}))).await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);
    let round =
        app.call(Method::POST, &format!("/api/collaborations/{id}/rounds"), Some(&owner), true, Some(json!({"id": "2026", "date": "2026-05-01"}))).await;
    assert_eq!(round.status, StatusCode::CREATED, "{}", round.text());
    let again =
        app.call(Method::POST, &format!("/api/collaborations/{id}/rounds"), Some(&owner), true, Some(json!({"id": "2026", "date": "2026-06-01"}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let bad_date =
        app.call(Method::POST, &format!("/api/collaborations/{id}/rounds"), Some(&owner), true, Some(json!({"id": "2027", "date": "next spring"}))).await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad_date.text());
    let (toml, _) = {
        let reply = app.get(&format!("/api/studies/{id}/export"), &owner).await;
        let files = collabmap_exchange::archive::read_zip(&reply.body, collabmap_study::Limits::default()).expect("zip");
        (String::from_utf8(files.get("collaboration.toml").expect("toml").to_vec()).expect("utf-8"), ())
    };
    assert!(toml.contains("[[round]]\nid = \"2026\"\ndate = \"2026-05-01\"\n") && !toml.contains("2027"), "{toml}");

    let respondents = json!({"respondents": [{"name": "r1", "organisation": "Council", "role": "housing officer"}, {"name": "r2", "organisation": "Police"}]});
    let links = app.call(Method::POST, &format!("/api/collaborations/{id}/rounds/2026/links"), Some(&owner), true, Some(respondents.clone())).await;
    assert_eq!(links.status, StatusCode::OK, "{}", links.text());
    let links = links.json();
    assert_eq!(links.as_array().map(Vec::len), Some(2));
    assert_eq!(links[0]["respondent"], "r1");
    let url = links[0]["url"].as_str().expect("url");
    assert!(url.starts_with("http://localhost/survey/"), "an absolute address: {url}");
    let path = url.trim_start_matches("http://localhost");
    assert_eq!(app.page(path).await.status, StatusCode::FORBIDDEN, "not open yet");
    let opened = app.call(Method::POST, &format!("/api/collaborations/{id}/rounds/2026/open"), Some(&owner), true, None).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
    assert_eq!(app.page(path).await.status, StatusCode::OK, "open");
    assert_eq!(app.call(Method::POST, &format!("/api/collaborations/{id}/rounds/2026/close"), Some(&owner), true, None).await.status, StatusCode::OK);
    assert_eq!(app.page(path).await.status, StatusCode::GONE, "closed");
    assert_eq!(app.call(Method::POST, &format!("/api/collaborations/{id}/rounds/1999/open"), Some(&owner), true, None).await.status, StatusCode::NOT_FOUND);
    let nameless = json!({"respondents": [{"name": " ", "organisation": "Council"}]});
    assert_eq!(
        app.call(Method::POST, &format!("/api/collaborations/{id}/rounds/2026/links"), Some(&owner), true, Some(nameless)).await.status,
        StatusCode::BAD_REQUEST
    );
    // Someone who is not a member cannot hand out links.
    let outsider = app.login("outsider@example.org").await;
    assert_eq!(
        app.call(Method::POST, &format!("/api/collaborations/{id}/rounds/2026/links"), Some(&outsider), true, Some(respondents)).await.status,
        StatusCode::NOT_FOUND
    );

    // The links page offers the same links as a CSV file for a mail merge.
    let csv = app
        .form(Some(&owner), &format!("/collaborations/{id}/rounds/2026/links"), &format!("csrf={}&format=csv&respondents=r3,Health,nurse", owner.csrf))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    assert!(csv.headers.get("content-disposition").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("survey-links-2026.csv")));
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("respondent,organisation,role,round,url"));
    assert!(lines.next().is_some_and(|l| l.starts_with("r3,Health,nurse,2026,http://localhost/survey/")), "{text}");
});

/// The form's body for `people.csv` as the page shows it (every row of the first page), with `change` applied to the rows.
fn people_form_body(session: &Session, version: i64, text: &str, change: impl Fn(usize, &mut Vec<String>)) -> String {
    let table = collabmap_study::edit::read_csv_table(text).expect("people.csv");
    let mut fields = vec![format!("csrf={}", session.csrf), format!("version={version}"), "page=0".to_string()];
    for (row, cells) in table.rows.iter().enumerate().take(100) {
        let mut cells = cells.clone();
        change(row, &mut cells);
        for (column, cell) in cells.iter().enumerate() {
            fields.push(format!("cell-{row}-{column}={}", encoded(cell)));
        }
    }
    fields.join("&")
}

on_every_backend!(people_and_projects_are_edited_as_forms_and_keep_their_bytes, |app: App| async move {
    let owner = app.owner().await;
    let study = app.study;
    let (before, version) = app.document(&owner, "people").await;
    let page = app.get(&format!("/studies/{study}/edit/people"), &owner).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("name=\"cell-0-0\"") && html.contains("name=\"new-0-0\"") && html.contains("Edit <code>people.csv</code> as text"), "{html}");
    assert!(html.contains("aria-current=\"page\">People<"), "the header marks the page");

    // Sent back unchanged: the file is the same, byte for byte.
    let unchanged = app.form(Some(&owner), &format!("/studies/{study}/edit/people"), &people_form_body(&owner, version, &before, |_, _| {})).await;
    assert_eq!(unchanged.status, StatusCode::SEE_OTHER, "{}", unchanged.text());
    let (after, version) = app.document(&owner, "people").await;
    assert_eq!(after, before, "an unchanged form keeps every byte");

    // One cell changed and one person added: only that row changes, the new one is added at the end.
    let body = people_form_body(&owner, version, &before, |row, cells| {
        if row == 1 {
            cells[1] = "Renamed, with a comma".into();
        }
    }) + &format!("&new-0-0=p-new&new-0-1={}", encoded("New Person"));
    let saved = app.form(Some(&owner), &format!("/studies/{study}/edit/people"), &body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let (edited, version) = app.document(&owner, "people").await;
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) = (before.lines().collect(), edited.lines().collect());
    assert_eq!(new_lines.len(), old_lines.len() + 1);
    for (i, (old, new)) in old_lines.iter().zip(&new_lines).enumerate() {
        if i == 2 {
            assert!(new.contains("\"Renamed, with a comma\""), "{new}");
        } else {
            assert_eq!(old, new, "line {} is kept", i + 1);
        }
    }
    assert!(new_lines.last().is_some_and(|l| l.starts_with("p-new,New Person")), "{edited}");

    // Removing someone an interview still names is refused with the problem, and nothing is stored.
    let table = collabmap_study::edit::read_csv_table(&edited).expect("people.csv");
    let named = table.rows[0][0].clone();
    let removal = people_form_body(&owner, version, &edited, |_, _| {}) + "&remove-0=1";
    let refused = app.form(Some(&owner), &format!("/studies/{study}/edit/people"), &removal).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text());
    assert!(refused.text().contains("Not saved") && refused.text().contains(&named), "the problem names the person: {}", refused.text());
    assert_eq!(app.document(&owner, "people").await.0, edited, "nothing was stored");

    // A stale form is refused rather than overwriting a newer save; a viewer cannot save.
    let stale_body = people_form_body(&owner, version - 1, &edited, |row, cells| {
        if row == 0 {
            cells[1] = "Stale".into();
        }
    });
    let stale = app.form(Some(&owner), &format!("/studies/{study}/edit/people"), &stale_body).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let viewer = app.login("viewer@example.org").await;
    let page = app.get(&format!("/studies/{study}/edit/people"), &viewer).await.text();
    assert!(page.contains("readonly") && !page.contains("name=\"new-0-0\""));
    assert_eq!(
        app.form(Some(&viewer), &format!("/studies/{study}/edit/people"), &people_form_body(&viewer, version, &edited, |_, _| {})).await.status,
        StatusCode::FORBIDDEN
    );

    // Projects the same way.
    let projects = app.get(&format!("/studies/{study}/edit/projects"), &owner).await;
    assert_eq!(projects.status, StatusCode::OK);
    assert!(projects.text().contains("name=\"cell-0-0\""));
    // The raw text stays for experts.
    assert!(app.get(&format!("/studies/{study}/edit/people/text"), &owner).await.text().contains("id=\"text\""));
});

/// The codebook form's body for `text` as the page shows it, with `change` applied to each theme.
fn codebook_form_body(session: &Session, version: i64, text: &str, change: impl Fn(usize, &mut collabmap_study::edit::codebook::ThemeFields)) -> String {
    let themes = collabmap_study::edit::codebook::read_codebook(text).expect("codebook");
    let mut fields = vec![format!("csrf={}", session.csrf), format!("version={version}")];
    for (i, mut theme) in themes.into_iter().enumerate() {
        change(i, &mut theme);
        fields.push(format!("t{i}-present=1"));
        for (key, value) in [
            ("id", theme.id.clone()),
            ("name", theme.name.clone()),
            ("parent", theme.parent.clone()),
            ("kind", theme.kind.clone()),
            ("description", theme.description.clone()),
        ] {
            fields.push(format!("t{i}-{key}={}", encoded(&value)));
        }
        fields.push(format!("t{i}-indicators={}", encoded(&theme.indicators.join("\n"))));
        fields.push(format!("t{i}-queries={}", encoded(&theme.queries.join("\n"))));
        if theme.model {
            fields.push(format!("t{i}-model=1"));
        }
    }
    fields.join("&")
}

on_every_backend!(the_codebook_is_edited_as_a_tree_of_themes, |app: App| async move {
    let owner = app.owner().await;
    let study = app.study;
    let (before, version) = app.document(&owner, "codebook").await;
    let page = app.get(&format!("/studies/{study}/edit/codebook"), &owner).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("id=\"t0-name\"") && html.contains("Add a theme") && html.contains("<li class=\"depth-1\">"), "a tree of themes: {html}");

    let unchanged = app.form(Some(&owner), &format!("/studies/{study}/edit/codebook"), &codebook_form_body(&owner, version, &before, |_, _| {})).await;
    assert_eq!(unchanged.status, StatusCode::SEE_OTHER);
    assert!(unchanged.headers.get("location").and_then(|l| l.to_str().ok()).is_some_and(|l| l.contains("unchanged=true")));
    assert_eq!(app.document(&owner, "codebook").await, (before.clone(), version), "nothing was saved");

    // A description, and a new theme under the attractor.
    let body = codebook_form_body(&owner, version, &before, |i, theme| {
        if i == 1 {
            theme.name = "Create a common purpose".into();
        }
    }) + "&new-id=listen-first&new-name=Listen+first&new-parent=service-user&new-kind=theme&new-model=1&new-indicators=hear+them+out";
    let saved = app.form(Some(&owner), &format!("/studies/{study}/edit/codebook"), &body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let (after, version) = app.document(&owner, "codebook").await;
    let themes = collabmap_study::edit::codebook::read_codebook(&after).expect("codebook");
    assert_eq!(themes[1].name, "Create a common purpose");
    assert!(themes.last().is_some_and(|t| t.id == "listen-first" && t.parent == "service-user" && t.indicators == ["hear them out"]), "{after}");
    // Every other line is kept, in order: the file is the one written by hand with two changes.
    let renamed = before.replacen("name = \"Create common purpose\"", "name = \"Create a common purpose\"", 1);
    assert!(after.starts_with(&renamed), "only the name changed before the new theme: {after}");
    assert_eq!(
        &after[renamed.len()..],
        "\n[[theme]]\nid = \"listen-first\"\nname = \"Listen first\"\nparent = \"service-user\"\nindicators = [\"hear them out\"]\n"
    );

    // A theme that supports one that does not exist is refused, with the problem, and nothing changes.
    let broken = codebook_form_body(&owner, version, &after, |_, _| {}) + "&new-id=orphan&new-name=Orphan&new-parent=no-such-theme&new-kind=theme";
    let refused = app.form(Some(&owner), &format!("/studies/{study}/edit/codebook"), &broken).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text());
    assert!(refused.text().contains("Not saved") && refused.text().contains("value=\"orphan\""), "the problem, with what was typed: {}", refused.text());
    assert_eq!(app.document(&owner, "codebook").await.0, after);
});

on_every_backend!(a_new_interview_starts_with_the_people_chosen_and_no_one_else, |app: App| async move {
    let owner = app.owner().await;
    let study = app.study;
    let chooser = app.get(&format!("/studies/{study}/edit/interviews/new?id=fresh-1"), &owner).await;
    assert_eq!(chooser.status, StatusCode::OK);
    let html = chooser.text();
    assert!(html.contains("name=\"people\" value=\"p01\"") && !html.contains("checked"), "everyone offered, no one chosen: {html}");
    let chosen = app.get(&format!("/studies/{study}/edit/interviews/new?id=fresh-1&people=p02&people=p03&projects=proj-01"), &owner).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    let location = chosen.headers.get("location").and_then(|l| l.to_str().ok()).expect("to the editor").to_string();
    assert_eq!(location, format!("/studies/{study}/edit/interviews/fresh-1?people=p02&people=p03&projects=proj-01"));
    let editor = app.get(&location, &owner).await.text();
    assert!(editor.contains("people: [p02, p03]\nprojects: [proj-01]\n"), "{editor}");
    // Someone not in the study is left out of the starting text; no one chosen leaves the list empty for the editor to flag.
    assert!(app.get(&format!("/studies/{study}/edit/interviews/fresh-2?people=nobody"), &owner).await.text().contains("people: []"));
    assert_eq!(app.get(&format!("/studies/{study}/edit/interviews/new?id=bad%20id"), &owner).await.status, StatusCode::BAD_REQUEST);
});

on_every_backend!(a_large_studys_people_are_found_not_listed_and_stay_ticked, |app: App| async move {
    let owner = app.owner().await;
    let study = app.study;
    // Past two hundred people, the pages that choose attendees search instead of listing everyone.
    app.add_people(250).await;

    for (page, legend) in
        [(format!("/studies/{study}/edit/interviews/new?id=fresh-9"), "Who attended?"), (format!("/studies/{study}/capture/fresh-9"), "Who is attending?")]
    {
        let first = app.get(&page, &owner).await.text();
        assert!(first.contains(legend) && first.contains("id=\"find-people\""), "{page}: a search box");
        assert!(!first.contains("name=\"people\""), "{page}: no one listed before a search");
        let sep = if page.contains('?') { '&' } else { '?' };
        let found = app.get(&format!("{page}{sep}people=p01&find=EXTRA-01&step=find"), &owner).await;
        assert_eq!(found.status, StatusCode::OK, "{page}: searching stays on the page");
        let found = found.text();
        assert!(found.contains("value=\"p01\" id=\"person-p01\" checked"), "{page}: the ticked person stays ticked");
        assert_eq!(found.matches("name=\"people\"").count(), 1 + 10, "{page}: p01 and extra-010 to extra-019: {found}");
        assert!(found.contains("10 people found for “EXTRA-01”."), "{page}");
        assert!(found.contains("value=\"EXTRA-01\""), "{page}: the words stay in the box");
    }
    // Going on with those ticked starts the interview with them.
    let chosen = app.get(&format!("/studies/{study}/edit/interviews/new?id=fresh-9&people=p01&people=extra-012&find=Extra"), &owner).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    let started = app.get(&format!("/studies/{study}/capture/fresh-9?people=p01&people=extra-012"), &owner).await.text();
    assert!(started.contains("people: [p01, extra-012]"), "{started}");

    // The memo form asks for an interview's or a person's id instead of listing them all.
    let memos = app.get(&format!("/studies/{study}/memos"), &owner).await.text();
    assert!(memos.contains("<option value=\"person:\">") && memos.contains("name=\"about_id\""), "{memos}");
    assert!(!memos.contains("value=\"person:extra-001\""), "no option per person");
    let memo =
        app.form(Some(&owner), &format!("/studies/{study}/memos/new"), &format!("csrf={}&about=person%3A&about_id=extra-007&text=Follow+up", owner.csrf)).await;
    assert!(memo.status.is_redirection(), "{}", memo.text());
    let listed = app.get(&format!("/api/studies/{study}/memos"), &owner).await.json();
    assert!(listed.as_array().expect("memos").iter().any(|m| m["about"] == json!("person:extra-007")), "{listed}");
    let refused = app.form(Some(&owner), &format!("/studies/{study}/memos/new"), &format!("csrf={}&about=interview%3A&about_id=&text=Lost", owner.csrf)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text().contains("Write the id of the interview the memo is about"), "{}", refused.text());
});

on_every_backend!(a_collaboration_is_edited_as_forms_and_keeps_its_bytes, |app: App| async move {
    let owner = app.owner().await;
    let (id, _) = support::riverside_collaboration(&app).await;
    let page = app.get(&format!("/collaborations/{id}/files/collaboration.toml"), &owner).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("name=\"round-0-id\" value=\"2023\"") && html.contains("name=\"leader-new-0-name\"") && html.contains("id=\"v-purpose\""), "{html}");
    let version: i64 = html.split("name=\"version\" value=\"").nth(1).and_then(|v| v.split('"').next()).and_then(|v| v.parse().ok()).expect("a version");
    let stored = || async {
        let files =
            collabmap_exchange::archive::read_zip(&app.get(&format!("/api/studies/{id}/export"), &owner).await.body, collabmap_study::Limits::default())
                .expect("zip");
        files.get("collaboration.toml").map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    };
    let before = stored().await;
    let shape_form = |purpose: &str, extra: &str| {
        let form = collabmap_study::edit::toml_form::read_toml_form(
            &before,
            collabmap_study::edit::toml_form::TomlShape {
                values: &["name", "purpose", "codebook"],
                lists: &[("leader", &["name", "role", "since"]), ("round", &["id", "date"])],
            },
        )
        .expect("read");
        let mut fields = vec![format!("csrf={}", owner.csrf), format!("version={version}")];
        for (key, value) in ["name", "purpose", "codebook"].iter().zip(&form.values) {
            let value = if *key == "purpose" { purpose } else { value.as_str() };
            fields.push(format!("v-{key}={}", encoded(value)));
        }
        for (list, keys, rows) in [("leader", ["name", "role", "since"].as_slice(), &form.lists[0]), ("round", ["id", "date"].as_slice(), &form.lists[1])] {
            for (r, row) in rows.iter().enumerate() {
                for (key, cell) in keys.iter().zip(row) {
                    fields.push(format!("{list}-{r}-{key}={}", encoded(cell)));
                }
            }
        }
        fields.join("&") + extra
    };
    let unchanged = app
        .form(
            Some(&owner),
            &format!("/collaborations/{id}/files/collaboration.toml"),
            &shape_form("No one leaves hospital or prison in Riverside without a safe place to live.", ""),
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::SEE_OTHER);
    assert_eq!(stored().await, before, "an unchanged form changes nothing");

    let refused = app
        .form(
            Some(&owner),
            &format!("/collaborations/{id}/files/collaboration.toml"),
            &shape_form("Safe homes", "&round-new-0-id=2027&round-new-0-date=next+spring"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text());
    assert!(refused.text().contains("Not saved") && refused.text().contains("value=\"next spring\""), "{}", refused.text());
    assert_eq!(stored().await, before);

    let saved = app
        .form(
            Some(&owner),
            &format!("/collaborations/{id}/files/collaboration.toml"),
            &shape_form("Safe homes", "&round-new-0-id=2027&round-new-0-date=2027-03-15"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let after = stored().await;
    let expected = before.replace("purpose = \"No one leaves hospital or prison in Riverside without a safe place to live.\"", "purpose = \"Safe homes\"");
    assert_eq!(after, format!("{expected}\n[[round]]\nid = \"2027\"\ndate = \"2027-03-15\"\n"), "only the purpose and the new round change");

    // Statements of its own would orphan the answers given to the built-in ones: refused, with a short list of the problems, and what was typed kept.
    let survey = app.get(&format!("/collaborations/{id}/files/survey.toml"), &owner).await.text();
    assert!(survey.contains("name=\"item-new-0-text\""));
    let refused = app
        .form(
            Some(&owner),
            &format!("/collaborations/{id}/files/survey.toml"),
            &format!(
                "csrf={}&version=0&item-new-0-id=purpose-a&item-new-0-theme=common-purpose&item-new-0-text={}",
                owner.csrf,
                encoded("We agree what we are for")
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text();
    assert!(page.contains("value=\"We agree what we are for\"") && page.contains("more problems like these"), "kept, and the list cut short");
    assert!(page.matches("<li>responses.csv:").count() <= 20, "at most twenty problems listed");
    // An assessor's rating added through the form lands in evidence.toml, after the ones written by hand.
    let evidence_before = {
        let files =
            collabmap_exchange::archive::read_zip(&app.get(&format!("/api/studies/{id}/export"), &owner).await.body, collabmap_study::Limits::default())
                .expect("zip");
        String::from_utf8_lossy(files.get("evidence.toml").expect("evidence.toml")).into_owned()
    };
    let evidence_page = app.get(&format!("/collaborations/{id}/files/evidence.toml"), &owner).await.text();
    let evidence_version: i64 =
        evidence_page.split("name=\"version\" value=\"").nth(1).and_then(|v| v.split('"').next()).and_then(|v| v.parse().ok()).expect("a version");
    let added = app
        .form(
            Some(&owner),
            &format!("/collaborations/{id}/files/evidence.toml"),
            &format!(
                "csrf={}&version={evidence_version}&rating-new-0-round=2024&rating-new-0-theme=political-backing&rating-new-0-score=4&rating-new-0-evidence={}",
                owner.csrf,
                encoded("Cabinet minutes, May")
            ),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let files = collabmap_exchange::archive::read_zip(&app.get(&format!("/api/studies/{id}/export"), &owner).await.body, collabmap_study::Limits::default())
        .expect("zip");
    assert_eq!(
        files.get("evidence.toml").map(|b| String::from_utf8_lossy(b).into_owned()),
        Some(format!("{evidence_before}\n[[rating]]\nround = \"2024\"\ntheme = \"political-backing\"\nscore = 4\nevidence = \"Cabinet minutes, May\"\n")),
        "the score a number, every earlier byte kept"
    );
});
