//! The interview day on SQLite and PostgreSQL: drafts that are never lost and
//! never part of the study, the read-back, and checking a map back with an
//! interviewee whose consent is written into the study and kept everywhere.

mod support;

use axum::http::{Method, StatusCode};
use collabmap_study::{Interview, Study, load_from};
use serde_json::json;
use support::{App, Session};

/// The study as stored now.
async fn stored_study(app: &App) -> Study {
    let snapshot = app.store.snapshot(app.study).await.expect("read").expect("the study");
    load_from(&snapshot.files).study
}

/// The interview's name in addresses (its file name without `.md`).
fn name_of(interview: &Interview) -> String {
    interview.file.trim_start_matches("interviews/").trim_end_matches(".md").to_string()
}

async fn interview_text(app: &App, session: &Session, name: &str) -> (String, i64) {
    app.document(session, &format!("interviews/{name}")).await
}

on_every_backend!(drafts_are_kept_whatever_their_problems_and_go_when_the_interview_is_saved, |app: App| async move {
    let (owner, viewer) = (app.owner().await, app.login("viewer@example.org").await);
    let name = app.first_interview(&owner).await;
    let draft_url = format!("/api/studies/{}/interviews/{name}/draft", app.study);
    assert_eq!(app.get(&draft_url, &owner).await.status, StatusCode::NOT_FOUND, "no draft yet");
    let (saved, version) = interview_text(&app, &owner, &name).await;
    let broken = format!("{saved}\n- a line with #no-such-code\n");
    let kept = app.call(Method::PUT, &draft_url, Some(&owner), true, Some(json!({"text": broken}))).await;
    assert_eq!(kept.status, StatusCode::OK, "a draft with problems is kept: {}", kept.text());
    assert_eq!(app.get(&draft_url, &owner).await.json()["text"], json!(broken));
    assert_eq!(interview_text(&app, &owner, &name).await.0, saved, "a draft is not part of the study");
    assert_eq!(app.call(Method::PUT, &draft_url, Some(&viewer), true, Some(json!({"text": "x"}))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call(Method::PUT, &draft_url, Some(&owner), false, Some(json!({"text": "x"}))).await.status, StatusCode::FORBIDDEN, "CSRF");
    let dashboard = app.get(&format!("/studies/{}/", app.study), &owner).await.text();
    assert!(dashboard.contains(&format!("href=\"capture/{name}\"")), "the dashboard lists the draft");

    // The read-back comes from the draft being typed.
    let summary = app.get(&format!("/studies/{}/summary/{name}", app.study), &owner).await;
    assert_eq!(summary.status, StatusCode::OK);
    assert!(summary.text().contains("What you set out to do:") && summary.text().contains("you said you"), "{}", summary.text());

    // Saving the interview (sound words) removes its draft.
    let sound = saved.replacen("# Map\n\n", "# Map\n\n- Keep the promise made in the room\n", 1);
    let save = app
        .call(Method::PUT, &format!("/api/studies/{}/interviews/{name}", app.study), Some(&owner), true, Some(json!({"text": sound, "version": version})))
        .await;
    assert_eq!(save.status, StatusCode::OK, "{}", save.text());
    assert_eq!(app.get(&draft_url, &owner).await.status, StatusCode::NOT_FOUND, "the save removed the draft");
    // An autosave that lands just after the save, with the saved words, leaves no draft behind.
    let late = app.call(Method::PUT, &draft_url, Some(&owner), true, Some(json!({"text": sound}))).await.json();
    assert_eq!(late["same_as_saved"], json!(true));
    assert_eq!(app.get(&draft_url, &owner).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(Method::PUT, "/api/studies/999/interviews/x/draft", Some(&owner), true, Some(json!({"text": "x"}))).await.status,
        StatusCode::NOT_FOUND
    );
    // The capture page of a new interview asks who attends first; with them, it starts.
    let first = app.get(&format!("/studies/{}/capture/new-one", app.study), &owner).await.text();
    assert!(first.contains("Who is attending?"));
    let started = app.get(&format!("/studies/{}/capture/new-one?people=p01&people=p02", app.study), &owner).await.text();
    assert!(started.contains("people: [p01, p02]") && started.contains("id=\"outline\""), "{started}");
});

on_every_backend!(an_interviewee_checks_back_their_map_and_their_consent_reaches_the_study_once, |app: App| async move {
    let owner = app.owner().await;
    let study = stored_study(&app).await;
    // A group meeting whose quotes come from two attendees: each sees only their own.
    let group = study
        .interviews
        .iter()
        .find(|iv| {
            iv.people.len() > 1 && {
                let speakers: std::collections::HashSet<&str> = iv.quotes.iter().filter_map(|q| q.attribution.as_deref()).collect();
                speakers.len() > 1
            }
        })
        .expect("a group meeting with quotes from two people");
    let name = name_of(group);
    let person = group.quotes[0].attribution.clone().expect("attributed");
    let theirs: Vec<&str> = group.quotes.iter().filter(|q| q.attribution.as_deref() == Some(person.as_str())).map(|q| q.text.as_str()).collect();
    let others: Vec<&str> = group.quotes.iter().filter(|q| q.attribution.as_deref().is_some_and(|a| a != person)).map(|q| q.text.as_str()).collect();

    let links_url = format!("/api/studies/{}/interviews/{name}/checkbacks", app.study);
    let refused = app.call(Method::POST, &links_url, Some(&owner), true, Some(json!({"person": "not-an-attendee"}))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let made = app.call(Method::POST, &links_url, Some(&owner), true, Some(json!({"person": person, "days": 7}))).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let url = made.json()["url"].as_str().expect("url").to_string();
    let path = url.trim_start_matches("http://localhost");
    assert!(path.starts_with("/check/"), "{url}");

    // The interviewee's page: their map and quotes, no one else's, and no names at all.
    let page = app.page(path).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for quote in &theirs {
        assert!(html.contains(&escape(quote.lines().next().unwrap_or(quote))), "their quote {quote:?} is shown");
    }
    for quote in &others {
        assert!(!html.contains(&escape(quote.lines().next().unwrap_or(quote))), "another attendee's quote {quote:?} is never shown");
    }
    for attendee in &group.people {
        let someone = study.people.iter().find(|p| &p.id == attendee).expect("person");
        let name = someone.column(&study.people_columns, "name");
        assert!(name.is_empty() || !html.contains(name), "no one's name on the page: {name}");
    }
    assert!(html.contains("<svg") && html.contains("What you set out to do:"), "the map drawn and read back");

    // Nothing chosen: the page asks again, saying what is missing; nothing is stored.
    let before = stored_study(&app).await;
    let empty = app.form(None, path, "").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().contains("error-summary") && empty.text().contains("href=\"#all\""), "{}", empty.text());
    assert_eq!(stored_study(&app).await.interviews, before.interviews);

    // Named in general, the first quote kept anonymous, one suggestion.
    let quote_lines: Vec<usize> = group.quotes.iter().filter(|q| q.attribution.as_deref() == Some(person.as_str())).map(|q| q.line).collect();
    let first_concept = group.concepts().next().expect("a concept").1;
    let mut form = format!("all=named&concept-{}=Better+words", first_concept.line);
    for (n, line) in quote_lines.iter().enumerate() {
        form.push_str(&format!("&quote-{line}={}", if n == 0 { "anonymous" } else { "named" }));
    }
    let confirmed = app.form(None, path, &form).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
    assert!(confirmed.text().contains("Thank you"));

    let after = stored_study(&app).await;
    let checked = after.interviews.iter().find(|iv| iv.file == group.file).expect("interview");
    assert!(checked.checked_back, "checked_back: true is written");
    assert_eq!(checked.checked_back_on.as_deref().map(str::len), Some(10), "checked_back_on: DATE is written");
    let mine: Vec<bool> = checked.quotes.iter().filter(|q| q.attribution.as_deref() == Some(person.as_str())).map(|q| q.anonymous).collect();
    assert_eq!(mine.first(), Some(&true), "the quote they chose is anonymous");
    assert!(mine.iter().skip(1).all(|a| !a), "the others stay named");
    assert_eq!(
        checked.concepts().map(|(_, c)| c.text()).collect::<Vec<_>>(),
        group.concepts().map(|(_, c)| c.text()).collect::<Vec<_>>(),
        "suggestions are not applied by themselves"
    );
    let history = app.get(&format!("/api/studies/{}/history", app.study), &owner).await.json();
    assert_eq!(history[0]["by"], json!("the interviewee (check-back link)"), "{history}");

    // The link is spent: it says so, and changes nothing.
    let again = app.page(path).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.text().contains("already confirmed") && !again.text().contains("Back to your studies"), "{}", again.text());
    assert_eq!(app.form(None, path, "all=anonymous").await.status, StatusCode::GONE);

    // The editors see the consent and review the suggestion.
    let links = app.get(&links_url, &owner).await.json();
    assert_eq!(links[0]["state"], json!("confirmed"));
    assert_eq!(links[0]["consent"]["all"], json!("named"));
    let dashboard = app.get(&format!("/studies/{}/", app.study), &owner).await.text();
    assert!(dashboard.contains("may be named, one quote kept anonymous"), "the dashboard shows the consent given");
    let suggestions = app.get(&format!("/api/studies/{}/interviews/{name}/suggestions", app.study), &owner).await.json();
    assert_eq!(suggestions[0]["suggestion"], json!("Better words"));
    let id = suggestions[0]["id"].as_i64().expect("id");
    let accept =
        app.form(Some(&owner), &format!("/studies/{}/checkback/{name}/suggestions/{id}", app.study), &format!("csrf={}&decision=accept", owner.csrf)).await;
    assert_eq!(accept.status, StatusCode::SEE_OTHER, "{}", accept.text());
    let accepted = stored_study(&app).await;
    let edited = accepted.interviews.iter().find(|iv| iv.file == group.file).expect("interview");
    assert!(edited.concepts().any(|(_, c)| c.pole.starts_with("Better words")), "accepting puts the words in");
    let decided = app.get(&format!("/api/studies/{}/interviews/{name}/suggestions", app.study), &owner).await.json();
    assert_eq!(decided[0]["decision"], json!("accepted"));

    // A withdrawn link and an expired one each say so.
    let other = group.people.iter().find(|p| **p != person).expect("another attendee").clone();
    let withdrawn = app.call(Method::POST, &links_url, Some(&owner), true, Some(json!({"person": other}))).await.json();
    let listed = app.get(&links_url, &owner).await.json();
    let open = listed.as_array().expect("links").iter().find(|l| l["state"] == json!("open")).expect("open link")["id"].as_i64().expect("id");
    assert_eq!(app.call(Method::DELETE, &format!("{links_url}/{open}"), Some(&owner), true, None).await.status, StatusCode::NO_CONTENT);
    let page = app.page(withdrawn["url"].as_str().expect("url").trim_start_matches("http://localhost")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("withdrawn"));
    let later = app.call(Method::POST, &links_url, Some(&owner), true, Some(json!({"person": other}))).await.json();
    collabmap_store::testing::expire_checkbacks(&app.store, app.study).await;
    let page = app.page(later["url"].as_str().expect("url").trim_start_matches("http://localhost")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("expired"));
    assert_eq!(app.page("/check/not-a-token").await.status, StatusCode::NOT_FOUND);
});

on_every_backend!(anonymity_chosen_at_check_back_reaches_every_surface, |app: App| async move {
    let owner = app.owner().await;
    let study = stored_study(&app).await;
    let alone = study.interviews.iter().find(|iv| iv.people.len() == 1 && !iv.quotes.is_empty()).expect("an interview of one person with quotes");
    let (name, person) = (name_of(alone), alone.people[0].clone());
    let full_name = study.people.iter().find(|p| p.id == person).expect("person").column(&study.people_columns, "name").to_string();
    assert!(!full_name.is_empty());
    let interview_page = format!("/studies/{}/interviews/{name}.html", app.study);
    assert!(app.get(&interview_page, &owner).await.text().contains(&full_name), "named before they chose anonymity (else this test proves nothing)");
    // They drew a rich picture in the interview.
    let photo: &[u8] = include_bytes!("../../../testdata/pictures/photo-with-gps.jpg");
    let pictures_url = format!("/api/studies/{}/interviews/{name}/pictures", app.study);
    let picture_path = upload_picture(&app, &owner, &pictures_url, photo, "Their drawing").await.json()["path"].as_str().expect("path").to_string();
    let with_picture = stored_study(&app).await;
    let picture_line = with_picture.interviews.iter().find(|iv| iv.file == alone.file).expect("interview").pictures.last().expect("picture").line;
    let url = app
        .call(Method::POST, &format!("/api/studies/{}/interviews/{name}/checkbacks", app.study), Some(&owner), true, Some(json!({"person": person})))
        .await
        .json()["url"]
        .as_str()
        .expect("url")
        .to_string();
    let path = url.trim_start_matches("http://localhost").to_string();
    let page = app.page(&path).await.text();
    assert!(page.contains(&format!("src=\"{path}/pictures/")), "their picture is on their page");
    let position = alone.pictures.len();
    let served = app.page(&format!("{path}/pictures/{position}")).await;
    assert_eq!((served.status, served.headers.get("content-type").and_then(|v| v.to_str().ok())), (StatusCode::OK, Some("image/jpeg")));
    assert_eq!(app.page(&format!("{path}/pictures/{}", position + 1)).await.status, StatusCode::NOT_FOUND, "only their own pictures");
    let unchosen = app.form(None, &path, "all=anonymous").await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY, "the picture's choice is asked for");
    let confirmed = app.form(None, &path, &format!("all=anonymous&picture-{picture_line}=private")).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
    let after = stored_study(&app).await;
    assert!(after.people.iter().find(|p| p.id == person).expect("person").anonymous, "people.csv says anonymous");
    let checked = after.interviews.iter().find(|iv| iv.file == alone.file).expect("interview");
    assert!(checked.quotes.iter().all(|q| q.anonymous), "every quote of theirs is anonymous");
    assert!(checked.pictures.last().expect("picture").not_for_publication, "the picture is marked not for publication");
    // The published report (as of this revision) leaves the picture out; members still see it in the workspace.
    let revision = app.get(&format!("/api/studies/{}", app.study), &owner).await.json()["revision"].as_i64().expect("revision");
    let published = app.get(&format!("/studies/{}/revisions/{revision}/interviews/{name}.html", app.study), &owner).await.text();
    assert!(!published.contains(&picture_path) && published.contains("asked that this picture not be published"), "{published}");
    let workspace = app.get(&format!("/studies/{}/interviews/{name}.html", app.study), &owner).await.text();
    assert!(workspace.contains(&picture_path) && workspace.contains("not for publication"));
    // The workspace's pages and the exports no longer name them.
    for page in [format!("/studies/{}/interviews/{name}.html", app.study), format!("/studies/{}/", app.study)] {
        let html = app.get(&page, &owner).await.text();
        assert!(!html.contains(&full_name), "{page} still names {full_name}");
    }
    let export = app.get(&format!("/api/studies/{}/export?format=csv", app.study), &owner).await;
    assert!(!String::from_utf8_lossy(&export.body).contains(&full_name), "the tables no longer name them");

    // The consent is in the study's files: it survives export and import.
    let folder = app.get(&format!("/api/studies/{}/export", app.study), &owner).await;
    assert_eq!(folder.status, StatusCode::OK);
    let imported = app.upload(&owner, folder.body).await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text());
    let copy = imported.json()["id"].as_i64().expect("id");
    let snapshot = app.store.snapshot(copy).await.expect("read").expect("the copy");
    let again = load_from(&snapshot.files).study;
    let copied = again.interviews.iter().find(|iv| iv.file == alone.file).expect("interview");
    assert!(copied.checked_back && copied.checked_back_on.is_some() && copied.quotes.iter().all(|q| q.anonymous));
    assert!(again.people.iter().find(|p| p.id == person).expect("person").anonymous);
});

on_every_backend!(a_rich_picture_is_kept_without_its_location_and_joins_its_interview, |app: App| async move {
    let (owner, viewer) = (app.owner().await, app.login("viewer@example.org").await);
    let name = app.first_interview(&owner).await;
    let photo: &[u8] = include_bytes!("../../../testdata/pictures/photo-with-gps.jpg");
    let url = format!("/api/studies/{}/interviews/{name}/pictures", app.study);
    let refused = upload_picture(&app, &viewer, &url, photo, "Viewer's").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let not_a_picture = upload_picture(&app, &owner, &url, b"<svg onload=alert(1)/>", "Script").await;
    assert_eq!(not_a_picture.status, StatusCode::BAD_REQUEST, "{}", not_a_picture.text());
    let added = upload_picture(&app, &owner, &url, photo, "The river of referrals").await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let path = added.json()["path"].as_str().expect("path").to_string();
    assert_eq!(path, format!("pictures/{name}-1.jpg"));

    let snapshot = app.store.snapshot(app.study).await.expect("read").expect("study");
    let stored = snapshot.files.get(&path).expect("the picture is in the study");
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "no EXIF (and so no GPS position) was kept");
    let study = load_from(&snapshot.files).study;
    let interview = study.interviews.iter().find(|iv| name_of(iv) == name).expect("interview");
    let picture = interview.pictures.last().expect("a picture");
    assert_eq!(
        (picture.caption.as_str(), picture.path.as_str(), picture.explanation.as_str()),
        ("The river of referrals", path.as_str(), "Everything flows to the front desk, then stops.")
    );
    let served = app.get(&format!("/studies/{}/{path}", app.study), &owner).await;
    assert_eq!((served.status, served.headers.get("content-type").and_then(|v| v.to_str().ok())), (StatusCode::OK, Some("image/jpeg")));
    assert_eq!(served.body, stored.to_vec());
    let second = upload_picture(&app, &owner, &url, photo, "Again").await;
    assert_eq!(second.json()["path"], json!(format!("pictures/{name}-2.jpg")), "a new name, never over an earlier picture");
});

/// Sends a picture as the multipart form the API takes.
async fn upload_picture(app: &App, session: &Session, url: &str, bytes: &[u8], caption: &str) -> support::Reply {
    let boundary = "collabmap-test-boundary";
    let mut body: Vec<u8> = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n{caption}\r\n").as_bytes());
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"explanation\"\r\n\r\nEverything flows to the front desk,\r\n\r\nthen stops.\r\n")
            .as_bytes(),
    );
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(url)
        .header("host", "localhost")
        .header("cookie", format!("collabmap_session={}", session.cookie))
        .header("x-csrf-token", &session.csrf)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .expect("request");
    app.send(request).await
}

/// Text as the pages escape it.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}

on_every_backend!(people_without_an_account_get_pages_written_for_them, |app: App| async move {
    // A survey respondent or an interviewee has no studies to go back to: their pages say what to do instead.
    for (path, words) in [("/survey/not-a-token", "ask whoever sent it for a new one"), ("/check/not-a-token", "ask the researcher who sent it for a new one")]
    {
        let reply = app.page(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        let html = reply.text();
        assert!(html.contains(words), "{path}: {html}");
        assert!(!html.contains("Back to your studies") && !html.contains("Sign out"), "{path} offers the workspace to someone without an account");
    }
});

on_every_backend!(the_dashboard_shows_the_latest_check_back_links_of_a_large_study, |app: App| async move {
    let owner = app.owner().await;
    let owner_id = app.store.user_by_email("demo@collabmap.local").await.expect("query").expect("the owner").id;
    let study = stored_study(&app).await;
    // Sixty attendees sent a link, one of them twice: the table keeps each attendee's latest.
    let mut sent = Vec::new();
    for (n, interview) in study.interviews.iter().cycle().take(60).enumerate() {
        let person = format!("{}-{n}", interview.people[0]);
        app.store.issue_checkback(app.study, &name_of(interview), &person, owner_id, 14).await.expect("a link");
        sent.push((name_of(interview), person));
    }
    let (first_name, first_person) = sent[0].clone();
    app.store.issue_checkback(app.study, &first_name, &first_person, owner_id, 14).await.expect("a second link");
    let dashboard = app.get(&format!("/studies/{}/", app.study), &owner).await.text();
    let panel = dashboard.split("id=\"consent-title\"").nth(1).expect("the consent panel");
    let panel = panel.split("</section>").next().expect("its end");
    assert_eq!(panel.matches("<tr><td>").count(), 50, "fifty attendees, the latest: {panel}");
    assert!(panel.contains("The 50 attendees sent a link most recently are shown, of 60."), "{panel}");
    assert!(panel.contains(&format!(">{first_person}<")), "the attendee sent a link last is shown once: {panel}");
    assert_eq!(panel.matches(&format!(">{first_person}<")).count(), 1);
    assert!(!panel.contains(&format!(">{}<", sent[1].1)), "an attendee sent a link long ago is left to the interview's page");
    // The interview's own page lists every link of that interview.
    let links = app.get(&format!("/api/studies/{}/interviews/{}/checkbacks", app.study, sent[1].0), &owner).await.json();
    assert!(links.as_array().expect("links").iter().any(|l| l["person"] == json!(sent[1].1)), "{links}");
});

on_every_backend!(the_dashboard_lists_the_latest_drafts_and_counts_the_rest, |app: App| async move {
    let owner = app.owner().await;
    let owner_id = app.store.user_by_email("demo@collabmap.local").await.expect("query").expect("the owner").id;
    for n in 0..60 {
        app.store.save_draft(app.study, &format!("draft-{n:02}"), owner_id, "- half a map").await.expect("kept");
    }
    let dashboard = app.get(&format!("/studies/{}/", app.study), &owner).await.text();
    let panel = dashboard.split("id=\"live-title\"").nth(1).expect("the drafts panel");
    let panel = panel.split("</section>").next().expect("its end");
    assert_eq!(panel.matches("<li><a href=\"capture/draft-").count(), 50, "fifty drafts: {panel}");
    assert!(panel.contains("the 50 kept most recently of 60"), "{panel}");
});
