//! Every page people read, checked as the public sector checks its own:
//! axe-core (pinned in `scripts/axe`, installed by `./scripts/test`)
//! injected through WebDriver into Debian's Chromium, for WCAG 2.0, 2.1 and
//! 2.2 at levels A and AA, at a desktop width and at 320 CSS px; and at
//! 320 px, no page scrolls sideways (WCAG 1.4.10, reflow).
//!
//! The pages: the sign-in and studies pages, every page of a study in the
//! workspace (report pages, editors, history, memos, capture, check-back),
//! a collaboration's pages, the survey a respondent answers, the interviewee's
//! check-back page, refusals, and the published report (a past revision is
//! served exactly as `collabmap report` writes it).

mod support;

use fantoccini::{Client, Locator};
use serde_json::json;
use support::browser::{browser, on_sqlite, screenshot, serve, sign_in};

/// axe-core's tags for what must pass: WCAG 2.0, 2.1 and 2.2, A and AA.
const WCAG_TAGS: [&str; 6] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/// The axe-core script `./scripts/test` installs (or `COLLABMAP_AXE`).
fn axe_source() -> String {
    let path = std::env::var("COLLABMAP_AXE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data/axe/node_modules/axe-core/axe.min.js"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("axe-core is missing at {} ({e}): run ./scripts/test, which installs it from npm", path.display()))
}

/// A page to check: a name for messages and screenshots, its path, and a
/// script that is true once the page has drawn what it draws.
struct Page {
    name: String,
    path: String,
    ready: &'static str,
}

fn page(name: &str, path: impl Into<String>, ready: &'static str) -> Page {
    Page { name: name.into(), path: path.into(), ready }
}

/// What axe finds on the page the browser shows: one line per violation and element.
async fn axe_violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(&format!("{axe}\n;window.__axe = axe; return true;"), vec![]).await.expect("axe-core loads");
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
               .then(r => done(r.violations.flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ').slice(0, 300)}`))))
               .catch(e => done([`axe failed: ${e}`]));",
            vec![json!(WCAG_TAGS)],
        )
        .await
        .expect("axe runs");
    serde_json::from_value(found).expect("a list of violations")
}

/// Whether the page scrolls sideways: its width beyond the viewport's.
async fn sideways_scroll(client: &Client) -> i64 {
    let excess = client.execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![]).await.expect("script");
    excess.as_i64().unwrap_or(0)
}

/// Waits until `script` is true in the page, for at most 20 seconds: whether it became true.
async fn drawn(client: &Client, script: &str) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if client.execute(&format!("return !!({script});"), vec![]).await.is_ok_and(|v| v == json!(true)) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// Checks every page in `pages` at both widths; returns what failed.
async fn check_pages(client: &Client, base: &str, axe: &str, pages: &[Page]) -> Vec<String> {
    let mut failures = Vec::new();
    for (width, height) in [(1366u32, 900u32), (320, 720)] {
        client.set_window_size(width, height).await.expect("resize");
        for page in pages {
            client.goto(&format!("{base}{}", page.path)).await.expect("goto");
            if !drawn(client, page.ready).await {
                failures.push(format!("{} at {width} px ({}): never drew ({})", page.name, page.path, page.ready));
                continue;
            }
            screenshot(client, &format!("a11y-{}-{width}", page.name)).await;
            for violation in axe_violations(client, axe).await {
                failures.push(format!("{} at {width} px ({}): {violation}", page.name, page.path));
            }
            if width == 320 {
                let excess = sideways_scroll(client).await;
                if excess > 0 {
                    let culprits = client
                        .execute(
                            "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect(); if (r.width === 0 || r.right <= w + 1) return false; for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return false; } return true; }).slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : ''));",
                            vec![],
                        )
                        .await
                        .expect("script");
                    failures.push(format!("{} at 320 px ({}): the page scrolls sideways by {excess} px; too wide: {culprits}", page.name, page.path));
                }
            }
        }
    }
    failures
}

/// Every kind of page, signed in as the demo's owner, then signed out.
async fn every_page_passes(app: support::App, driver: u16) {
    let axe = axe_source();
    let (base, server) = serve(&app).await;
    let study = app.study;
    let owner = app.owner().await;
    let interview = app.first_interview(&owner).await;
    let snapshot = app.store.snapshot(study).await.expect("read").expect("study");
    let loaded = collabmap_study::load_from(&snapshot.files).study;
    let person = loaded.interviews.iter().find(|iv| iv.file == format!("interviews/{interview}.md")).expect("the interview").people[0].clone();
    let theme = "common-purpose";
    let (collaboration, survey) = support::riverside_collaboration(&app).await;
    let demo = app.store.user_by_email(collabmap_server::DEMO_EMAIL).await.expect("query").expect("demo user");
    let check = app.store.issue_checkback(study, &interview, &person, demo.id, 14).await.expect("a check-back link");
    // A memo, so that the memo editor has one to open.
    let memo = app
        .form(Some(&owner), &format!("/studies/{study}/memos/new"), &format!("csrf={}&about=theme%3A{theme}&text=Who+set+the+aim+first%3F", owner.csrf))
        .await;
    assert!(memo.status.is_redirection(), "a memo is written: {}", memo.text());
    let memo_name = app
        .store
        .snapshot(study)
        .await
        .expect("read")
        .expect("study")
        .files
        .iter()
        .find_map(|(k, _)| k.strip_prefix("memos/").map(|m| m.trim_end_matches(".md").to_string()))
        .expect("a memo file");

    let any = "document.querySelector('main h1')";
    let signed_out = [
        page("sign-in", "/login", "document.querySelector('input[name=email]')"),
        page("survey", format!("/survey/{survey}"), "document.querySelector('form.survey')"),
        page("survey-unknown-link", "/survey/no-such-link", any),
        page("check-back-interviewee", format!("/check/{check}"), "document.querySelector('form figure svg')"),
        page("check-back-unknown-link", "/check/no-such-link", any),
    ];
    let s = format!("/studies/{study}");
    let signed_in = [
        page("studies", "/", "document.querySelector('table.studies a')"),
        page("dashboard", format!("{s}/"), "document.querySelector('#model svg')"),
        page("analysis", format!("{s}/analysis.html"), any),
        page("theme", format!("{s}/themes/{theme}.html"), any),
        page("evidence", format!("{s}/evidence/{theme}.html"), any),
        page("interview", format!("{s}/interviews/{interview}.html"), any),
        page("interview-list", format!("{s}/interviews.html?sort=date&order=desc&q=i0"), "document.querySelector('#interview-words')"),
        page("report-memos", format!("{s}/memos.html"), any),
        page("search", format!("{s}/search?q=families"), any),
        page("crosstab", format!("{s}/crosstab?by=country"), any),
        page("agreement", format!("{s}/agreement"), any),
        page("edit-interview", format!("{s}/edit/interviews/{interview}"), "document.querySelector('#preview svg')"),
        page("new-interview", format!("{s}/edit/interviews/new?id=brand-new"), "document.querySelector('input[name=people]')"),
        page("new-interview-editor", format!("{s}/edit/interviews/brand-new?people=p01"), "document.getElementById('text')"),
        page("edit-people", format!("{s}/edit/people"), "document.querySelector('table.form-table input')"),
        page("edit-people-text", format!("{s}/edit/people/text"), "document.getElementById('text')"),
        page("edit-projects", format!("{s}/edit/projects"), "document.querySelector('table.form-table input')"),
        page("edit-codebook", format!("{s}/edit/codebook"), "document.querySelector('ul.theme-tree fieldset')"),
        page("edit-codebook-text", format!("{s}/edit/codebook/text"), "document.getElementById('text')"),
        page("edit-settings", format!("{s}/edit/settings"), "document.getElementById('text')"),
        page("edit-memo", format!("{s}/edit/memos/{memo_name}"), "document.getElementById('text')"),
        page("members", format!("{s}/members"), any),
        page("exchange", format!("{s}/exchange"), any),
        page("memos", format!("{s}/memos"), any),
        page("memo-new", format!("{s}/memos/new?about=theme:{theme}"), any),
        page("history", format!("{s}/history"), any),
        page("history-file", format!("{s}/history/file?path=interviews/{interview}.md&revision=1"), any),
        page("capture-start", format!("{s}/capture?interview=brand-new"), any),
        page("capture", format!("{s}/capture/{interview}"), "document.querySelector('#map svg')"),
        page("summary", format!("{s}/summary/{interview}"), any),
        page("check-back", format!("{s}/checkback/{interview}"), any),
        page("add-picture", format!("{s}/add-picture/{interview}"), any),
        page("published-report", format!("{s}/revisions/1/"), "document.querySelector('#model svg')"),
        page("published-analysis", format!("{s}/revisions/1/analysis.html"), any),
        page("published-theme", format!("{s}/revisions/1/themes/{theme}.html"), any),
        page("published-interview", format!("{s}/revisions/1/interviews/{interview}.html"), any),
        page("published-evidence", format!("{s}/revisions/1/evidence/{theme}.html"), any),
        page("collaboration", format!("/collaborations/{collaboration}/"), any),
        page("collaboration-file", format!("/collaborations/{collaboration}/files/collaboration.toml"), "document.querySelector('table.form-table')"),
        page("collaboration-survey", format!("/collaborations/{collaboration}/files/survey.toml"), any),
        page("collaboration-file-text", format!("/collaborations/{collaboration}/files/collaboration.toml/text"), "document.querySelector('textarea')"),
        page("compare", format!("/compare?id={collaboration}"), any),
        page("not-found", "/studies/999999/", any),
        page("sign-out", "/logout", any),
    ];

    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;
    let mut failures = check_pages(&client, &base, &axe, &signed_out).await;
    client.set_window_size(1366, 900).await.expect("resize");
    sign_in(&client, &base).await;
    failures.extend(check_pages(&client, &base, &axe, &signed_in).await);
    client.close().await.expect("close");
    server.abort();
    assert!(failures.is_empty(), "{} accessibility failures:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_meets_wcag_2_2_aa_at_desktop_and_phone_widths() {
    on_sqlite("the accessibility check", 15, every_page_passes).await;
}

/// The pages that change shape when a list is long: past 200 people, the
/// new-interview page and live capture's first step search for attendees,
/// and the memo form asks for an id; the interview list sorted and filtered;
/// a history of more than one page, with a revision of many files.
async fn long_lists_pass(app: support::App, driver: u16) {
    let axe = axe_source();
    app.add_people(250).await;
    let demo = app.store.user_by_email(collabmap_server::DEMO_EMAIL).await.expect("query").expect("demo user");
    let memo = |n: usize, words: &str| collabmap_store::Change {
        path: format!("memos/m{n:02}.md"),
        expected: None,
        content: Some(format!("---\nabout: study\n---\n\n{words}\n").into_bytes()),
    };
    app.store.change_files(app.study, demo.id, &(0..25).map(|n| memo(n, "first")).collect::<Vec<_>>(), None, None).await.expect("saved");
    for round in 0..55 {
        let version = app.store.snapshot(app.study).await.expect("read").expect("study").versions.get("memos/m00.md").copied();
        app.store
            .change_files(app.study, demo.id, &[collabmap_store::Change { expected: version, ..memo(0, &format!("round {round}")) }], None, None)
            .await
            .expect("saved");
    }
    let (base, server) = serve(&app).await;
    let s = format!("/studies/{}", app.study);
    let found = "document.querySelector('input[name=people][checked]') && document.querySelector('[role=status]')";
    let pages = [
        page("new-interview-search", format!("{s}/edit/interviews/new?id=brand-new&people=p01&find=extra-01&step=find"), found),
        page("capture-start-search", format!("{s}/capture/brand-new?people=p01&find=Extra+Person&step=find"), found),
        page("memos-by-id", format!("{s}/memos"), "document.querySelector('#about-id')"),
        page("interview-list-empty", format!("{s}/interviews.html?q=no-such-words&checked=no"), "document.querySelector('#interview-words')"),
        page("history-second-page", format!("{s}/history?page=2"), "document.querySelector('nav.pager a')"),
    ];
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;
    client.set_window_size(1366, 900).await.expect("resize");
    sign_in(&client, &base).await;
    let failures = check_pages(&client, &base, &axe, &pages).await;
    client.close().await.expect("close");
    server.abort();
    assert!(failures.is_empty(), "{} accessibility failures:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_long_lists_meet_wcag_2_2_aa_at_desktop_and_phone_widths() {
    on_sqlite("the long lists' accessibility check", 5, long_lists_pass).await;
}

/// WebDriver's codes for the keys the journey presses.
const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";
const ESCAPE: &str = "\u{e00c}";
const SPACE: &str = "\u{e00d}";
const RIGHT: &str = "\u{e014}";
const CONTROL: &str = "\u{e009}";
const RELEASE: &str = "\u{e000}";

/// Presses `keys` on whatever has the focus, as a person at a keyboard does.
async fn press(client: &Client, keys: &str) {
    client.active_element().await.expect("something has the focus").send_keys(keys).await.expect("keys pressed");
}

/// Presses Tab until `script` (about `document.activeElement`) is true; how many presses it took.
async fn tab_until(client: &Client, script: &str, what: &str) -> usize {
    for presses in 1..=80 {
        press(client, TAB).await;
        if client.execute(&format!("const e = document.activeElement; return !!({script});"), vec![]).await.expect("script") == json!(true) {
            return presses;
        }
    }
    panic!("Tab never reached {what}");
}

/// The keyboard alone: sign in, add a bullet to an interview and indent it
/// with Tab, go from the problem list to the problem's line and fix it,
/// save; then answer a survey through its link to the confirmation page.
async fn keyboard_only(app: support::App, driver: u16) {
    let (base, server) = serve(&app).await;
    let study = app.study;
    let owner = app.owner().await;
    let interview = app.first_interview(&owner).await;
    let (_, survey) = support::riverside_collaboration(&app).await;
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;

    // Sign in: the e-mail box has the focus; Tab to the password; Enter sends.
    client.goto(&format!("{base}/login?next=/studies/{study}/edit/interviews/{interview}")).await.expect("goto");
    wait_for(&client, "document.activeElement && document.activeElement.name === 'email'", "the e-mail box focused").await;
    press(&client, collabmap_server::DEMO_EMAIL).await;
    press(&client, TAB).await;
    press(&client, &format!("{}{ENTER}", collabmap_server::DEMO_PASSWORD)).await;
    wait_for(&client, "document.getElementById('text') && document.querySelector('#preview svg')", "the interview's editor").await;

    // The skip link is the first stop, and leads past the menus.
    press(&client, TAB).await;
    assert_eq!(client.execute("return document.activeElement.className;", vec![]).await.expect("script"), json!("skip-link"));
    press(&client, ENTER).await;
    tab_until(&client, "e.id === 'text'", "the text box").await;
    // After the first concept of the map: a new bullet, indented under it with Tab.
    client
        .execute(
            "const t = document.getElementById('text'); const at = t.value.indexOf('\\n', t.value.indexOf('# Map\\n\\n- ') + 8); t.setSelectionRange(at, at);",
            vec![],
        )
        .await
        .expect("the caret after the first concept");
    press(&client, &format!("{ENTER}- Share the caseload #comon-purpose")).await;
    press(&client, "\u{e011}").await; // Home
    press(&client, TAB).await;
    let text = client.execute("return document.getElementById('text').value;", vec![]).await.expect("script");
    assert!(text.as_str().is_some_and(|t| t.contains("\n  - Share the caseload #comon-purpose")), "Tab indented the bullet: {text}");
    wait_for(&client, "document.querySelector('#problems button.problem')", "the misspelt code in the problem list").await;
    // Esc, then Tab, leaves the text box; Tab reaches the problem; Enter goes to its line.
    press(&client, ESCAPE).await;
    tab_until(&client, "e.classList.contains('problem')", "the problem").await;
    screenshot(&client, "keyboard-problem").await;
    press(&client, ENTER).await;
    let on_line = client
        .execute(
            "const t = document.getElementById('text'); return document.activeElement === t && t.value.substring(t.selectionStart, t.selectionEnd);",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(on_line, json!("  - Share the caseload #comon-purpose"), "the caret is on the problem's line");
    press(&client, "  - Share the caseload #common-purpose").await;
    wait_for(&client, "document.querySelector('#problems li.none')", "no problem left").await;
    press(&client, &format!("{CONTROL}s{RELEASE}")).await;
    wait_for(&client, "document.getElementById('status').textContent.startsWith('Saved')", "the save").await;
    let saved = app.get(&format!("/api/studies/{study}/interviews/{interview}"), &owner).await.json();
    assert!(saved["text"].as_str().is_some_and(|t| t.contains("\n  - Share the caseload #common-purpose\n")), "{saved}");

    // The survey: Tab into each statement, Space chooses the first answer, the arrows move along.
    client.goto(&format!("{base}/survey/{survey}")).await.expect("goto");
    wait_for(&client, "document.querySelector('form.survey')", "the survey").await;
    press(&client, TAB).await;
    press(&client, ENTER).await;
    let statements = client.execute("return document.querySelectorAll('fieldset.statement').length;", vec![]).await.expect("script").as_u64().expect("a count");
    for _ in 0..statements {
        press(&client, TAB).await;
        press(&client, &format!("{SPACE}{RIGHT}{RIGHT}{RIGHT}")).await;
    }
    let agreed = client.execute("return document.querySelectorAll('input[value=\"4\"]:checked').length;", vec![]).await.expect("script");
    assert_eq!(agreed, json!(statements), "every statement answered \"Agree\" from the keyboard");
    press(&client, TAB).await;
    press(&client, ENTER).await;
    wait_for(&client, "document.querySelector('dl.summary-list')", "the answers to check").await;
    // The pages only a form leads to are checked here, at both widths.
    let axe = axe_source();
    for width in [320, 1366] {
        client.set_window_size(width, 800).await.expect("resize");
        assert_eq!(axe_violations(&client, &axe).await, Vec::<String>::new(), "the answers to check at {width} px");
        assert_eq!(sideways_scroll(&client).await, 0, "the answers to check at {width} px");
    }
    tab_until(&client, "e.value === 'send'", "the send button").await;
    press(&client, ENTER).await;
    wait_for(&client, "document.getElementById('saved')", "the confirmation").await;
    assert_eq!(axe_violations(&client, &axe).await, Vec::<String>::new(), "the confirmation");
    screenshot(&client, "keyboard-survey-done").await;
    client.close().await.expect("close");
    server.abort();
}

/// [`drawn`], failing the test when it never becomes true.
async fn wait_for(client: &Client, script: &str, what: &str) {
    assert!(drawn(client, script).await, "timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_and_the_survey_work_from_the_keyboard_alone() {
    on_sqlite("the keyboard journey", 5, keyboard_only).await;
}

/// The report's reading aids at work: the header marks the page shown; a
/// drawing zooms by button and by key and fits its box again; the model and
/// a map are also there in words; the interview list filters and sorts (on
/// the server in the workspace, in the page in a published report); a
/// theme page lists who mentioned it.
async fn reading_aids(app: support::App, driver: u16) {
    let (base, server) = serve(&app).await;
    let study = app.study;
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;
    sign_in(&client, &base).await;

    client.goto(&format!("{base}/studies/{study}/analysis.html")).await.expect("goto");
    wait_for(&client, "document.querySelector('nav.study-nav')", "the header").await;
    let current = client.execute("return [...document.querySelectorAll('[aria-current=page]')].map(a => a.textContent);", vec![]).await.expect("script");
    assert_eq!(current, json!(["Analysis"]), "one link, the page's own, is marked current");

    client.goto(&format!("{base}/studies/{study}/")).await.expect("goto");
    wait_for(&client, "document.querySelector('.drawing-tools button')", "the drawing's zoom buttons").await;
    let width = "return document.querySelector('#model svg').getBoundingClientRect().width;";
    let fitted = client.execute(width, vec![]).await.expect("script").as_f64().expect("a width");
    client.find(Locator::Css(".drawing-tools button[aria-label='Zoom in']")).await.expect("zoom in").click().await.expect("click");
    let larger = client.execute(width, vec![]).await.expect("script").as_f64().expect("a width");
    assert!(larger > fitted * 1.2, "zoomed in: {fitted} → {larger}");
    client.execute("document.querySelector('#model figure, #model .diagram').focus();", vec![]).await.expect("focus the drawing");
    press(&client, "0").await;
    let again = client.execute(width, vec![]).await.expect("script").as_f64().expect("a width");
    assert!((again - fitted).abs() < 2.0, "0 fits it again: {fitted} → {again}");
    // The new interview's id box checks what is typed (its pattern is valid in the browser's regular expressions).
    let refused = client
        .execute("const box = document.querySelector('form.actions input[name=id]'); box.value = 'two words'; const bad = box.validity.patternMismatch; box.value = 'i-99.b_2'; return [bad, box.validity.patternMismatch];", vec![])
        .await
        .expect("script");
    assert_eq!(refused, json!([true, false]), "a space is refused, letters, digits, dots, dashes and underscores pass");
    let places = client.execute("return document.querySelectorAll('#model-in-words table.model-places tbody tr').length;", vec![]).await.expect("script");
    assert!(places.as_u64().is_some_and(|n| n >= 12), "the model in words lists its themes: {places}");

    // The workspace's interview list sorts and filters on the server, every
    // interview at once: the headings are links, the filter a form.
    client.find(Locator::Css("table.interviews th:nth-child(5) a")).await.expect("the concepts column").click().await.expect("click");
    wait_for(&client, "location.search.includes('sort=concepts') && document.querySelector('th[aria-sort=ascending]')", "the list sorted by concepts").await;
    client.find(Locator::Css("table.interviews th:nth-child(5) a")).await.expect("the concepts column").click().await.expect("click");
    wait_for(&client, "location.search.includes('order=desc') && document.querySelector('th[aria-sort=descending]')", "most concepts first").await;
    let concepts = "return [...document.querySelectorAll('table.interviews tbody tr')].map(r => Number(r.cells[4].textContent));";
    let counts: Vec<u64> = serde_json::from_value(client.execute(concepts, vec![]).await.expect("script")).expect("numbers");
    assert!(counts.len() > 9 && counts.windows(2).all(|w| w[0] >= w[1]), "sorted by concepts, most first: {counts:?}");
    client.find(Locator::Css("#interview-words")).await.expect("the filter box").send_keys("i0\u{E007}").await.expect("type and press Enter");
    wait_for(&client, "location.search.includes('q=i0')", "the filtered list").await;
    let ids: Vec<String> = serde_json::from_value(
        client.execute("return [...document.querySelectorAll('table.interviews tbody tr')].map(r => r.cells[0].textContent);", vec![]).await.expect("script"),
    )
    .expect("ids");
    assert_eq!(ids.len(), 9, "i01 to i09: {ids:?}");
    let filtered: Vec<u64> = serde_json::from_value(client.execute(concepts, vec![]).await.expect("script")).expect("numbers");
    assert!(filtered.windows(2).all(|w| w[0] >= w[1]), "the filter keeps the order: {filtered:?}");

    // The published report has no server to ask: its script filters and sorts the page in the browser.
    client.goto(&format!("{base}/studies/{study}/revisions/1/")).await.expect("goto");
    wait_for(&client, "document.querySelector('.table-filter input')", "the report's filter box").await;
    client.find(Locator::Css(".table-filter input")).await.expect("the filter box").send_keys("i0").await.expect("type");
    let shown =
        client.execute("return [...document.querySelectorAll('table.interviews tbody tr')].filter(r => !r.hidden).length;", vec![]).await.expect("script");
    assert_eq!(shown, json!(9), "i01 to i09");
    client.find(Locator::Css("table.interviews th:nth-child(5) button.sort")).await.expect("the concepts column").click().await.expect("click");
    client.find(Locator::Css("table.interviews th:nth-child(5) button.sort")).await.expect("the concepts column").click().await.expect("click");
    let sorted = client
        .execute("return [...document.querySelectorAll('table.interviews tbody tr')].filter(r => !r.hidden).map(r => Number(r.cells[4].textContent));", vec![])
        .await
        .expect("script");
    let counts: Vec<u64> = serde_json::from_value(sorted).expect("numbers");
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "sorted by concepts, most first: {counts:?}");
    assert_eq!(
        client.execute("return document.querySelector('table.interviews th:nth-child(5)').getAttribute('aria-sort');", vec![]).await.expect("script"),
        json!("descending")
    );

    // A theme page lists who mentioned it; an interview page has its map in words.
    client.goto(&format!("{base}/studies/{study}/themes/common-purpose.html")).await.expect("goto");
    wait_for(&client, "document.querySelector('#who table.who tbody tr a[href*=\"../interviews/\"]')", "who mentioned the theme").await;
    let interview = app.first_interview(&app.owner().await).await;
    client.goto(&format!("{base}/studies/{study}/interviews/{interview}.html")).await.expect("goto");
    wait_for(&client, "document.querySelector('#map-in-words ul.map-outline li')", "the map in words").await;
    client.close().await.expect("close");
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_pages_help_people_read_them() {
    on_sqlite("the reading aids", 5, reading_aids).await;
}
