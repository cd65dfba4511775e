//! The workspace in a real browser: Debian's Chromium, driven through
//! chromedriver, against the real server on SQLite and on PostgreSQL.
//!
//! `./scripts/test` installs `chromium` and `chromium-driver`. Set
//! `COLLABMAP_SCREENSHOTS=DIR` to keep screenshots of the pages visited.

mod support;

use axum::http::{Method, StatusCode};
use collabmap_server::DEMO_EMAIL;
use fantoccini::Locator;
use serde_json::json;
use support::browser::{browser, fill_in_sign_in, on_every_backend, screenshot, serve, sign_in, text_of, wait_until};

async fn journey(app: support::App, driver: u16) {
    let (base, server) = serve(&app).await;
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;

    // Sign in: the workspace sends the browser to the sign-in page first.
    client.goto(&format!("{base}/")).await.expect("goto");
    assert!(client.current_url().await.expect("url").path().starts_with("/login"));
    fill_in_sign_in(&client).await;
    wait_until(&client, "document.querySelector('table.studies a')", "the studies list").await;

    // Open the demo study and see the model.
    client.find(Locator::Css("table.studies a")).await.expect("study link").click().await.expect("click");
    wait_until(&client, "document.querySelector('#model svg [data-level=\"0\"]')", "the model's attractor").await;
    let rings = client.execute("return document.querySelectorAll('#model svg [data-level]').length;", vec![]).await.expect("count");
    assert!(rings.as_u64().is_some_and(|n| n >= 12), "the model shows its themes: {rings}");
    screenshot(&client, "dashboard").await;

    // From the model's arrow to the chains behind it, and from a theme to its page.
    client.execute("document.querySelector('#model svg a.link').dispatchEvent(new MouseEvent('click', {bubbles: true}));", vec![]).await.expect("click");
    wait_until(
        &client,
        "location.pathname.includes('/evidence/') && location.pathname.includes('--') && document.querySelector('.evidence-person')",
        "a link's chains",
    )
    .await;
    client.back().await.expect("back");
    wait_until(&client, "document.querySelector('#model svg a:not(.link)')", "the dashboard again").await;
    client.execute("document.querySelector('#model svg a:not(.link)').dispatchEvent(new MouseEvent('click', {bubbles: true}));", vec![]).await.expect("click");
    wait_until(&client, "location.pathname.includes('/themes/')", "a theme page").await;
    assert!(!text_of(&client, "h1").await.is_empty());

    // Edit an interview and watch the map follow.
    let owner = app.owner().await;
    let interview = app.first_interview(&owner).await;
    let editor_url = format!("{base}/studies/{}/edit/interviews/{interview}", app.study);
    client.goto(&editor_url).await.expect("goto");
    wait_until(&client, "document.querySelector('#preview svg')", "the first drawing").await;
    let text = client.find(Locator::Css("#text")).await.expect("textarea");
    client
        .execute(
            "const t = document.getElementById('text'); t.focus(); const at = t.value.indexOf('# Map') + '# Map\\n\\n'.length; t.setSelectionRange(at, at);",
            vec![],
        )
        .await
        .expect("place the cursor");
    text.send_keys("- Zebra crossing for every school\n").await.expect("type");
    wait_until(&client, "document.getElementById('preview').textContent.includes('Zebra crossing')", "the preview to draw the new concept").await;
    assert!(text_of(&client, "#status").await.contains("Unsaved"));

    // A slip is shown at its line while typing.
    text.send_keys("- Mistyped tag #comon-purpose\n").await.expect("type");
    wait_until(&client, "document.querySelector('#problems li:not(.none)') && document.querySelector('#gutter .bad')", "the problem at its line").await;
    let problem = text_of(&client, "#problems li").await;
    assert!(problem.contains("common-purpose") && problem.contains(&format!("interviews/{interview}.md:")), "{problem}");
    screenshot(&client, "editor").await;
    client
        .execute("const t = document.getElementById('text'); t.value = t.value.replace('- Mistyped tag #comon-purpose\\n', ''); t.dispatchEvent(new Event('input'));", vec![])
        .await
        .expect("undo the slip");
    wait_until(&client, "document.querySelector('#problems li.none')", "the problem to clear").await;

    // Save.
    client.find(Locator::Css("#save")).await.expect("save").click().await.expect("click");
    wait_until(&client, "document.getElementById('status').textContent.startsWith('Saved')", "the save").await;
    let saved = app.get(&format!("/api/studies/{}/interviews/{interview}", app.study), &owner).await.json();
    assert!(saved["text"].as_str().is_some_and(|t| t.contains("- Zebra crossing for every school")));

    // Someone else saves; the browser's next save is refused and says so.
    let editor = app.login("editor@example.org").await;
    let theirs = format!("{}\n", saved["text"].as_str().expect("text"));
    let other = app
        .call(
            Method::PUT,
            &format!("/api/studies/{}/interviews/{interview}", app.study),
            Some(&editor),
            true,
            Some(json!({"text": theirs, "version": saved["version"]})),
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    text.send_keys("- Another concept\n").await.expect("type");
    client.find(Locator::Css("#save")).await.expect("save").click().await.expect("click");
    wait_until(&client, "!document.getElementById('conflict').hidden", "the conflict warning").await;
    assert!(text_of(&client, "#status").await.contains("changed by someone else"));
    let kept = app.get(&format!("/api/studies/{}/interviews/{interview}", app.study), &owner).await.json();
    assert_eq!(kept["text"].as_str(), Some(theirs.as_str()), "their save was not overwritten");
    client.find(Locator::Css("#load-theirs")).await.expect("button").click().await.expect("click");
    wait_until(&client, "document.getElementById('conflict').hidden && !document.getElementById('text').value.includes('Another concept')", "their version")
        .await;

    client.close().await.expect("close");
    server.abort();
}

/// A respondent answers through their link; the owner then sees the round's results.
async fn survey_journey(app: support::App, driver: u16) {
    let (base, server) = serve(&app).await;

    // A collaboration with a new, open round, four answers in and a link for a fifth respondent.
    let (id, token) = support::riverside_collaboration(&app).await;

    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;
    client.goto(&format!("{base}/survey/{token}")).await.expect("goto");
    wait_until(&client, "document.querySelector('form.survey')", "the survey form").await;
    // Continuing with statements unanswered lists them at the top, each a link to its statement.
    for item in ["share-power-1", "share-power-2", "common-purpose-1"] {
        client.find(Locator::Css(&format!("input[name='item-{item}'][value='3']"))).await.expect("choice").click().await.expect("click");
    }
    screenshot(&client, "survey").await;
    client.find(Locator::Css("button[value=check]")).await.expect("button").click().await.expect("click");
    wait_until(&client, "document.querySelector('.error-summary a[href=\"#item-share-power-3\"]')", "the error summary").await;
    assert_eq!(client.execute("return document.querySelectorAll('fieldset.missing').length;", vec![]).await.expect("script"), json!(33));
    assert!(
        client.execute("return document.querySelector(\"input[name='item-share-power-1'][value='3']\").checked;", vec![]).await.expect("script") == json!(true),
        "what was answered is kept"
    );
    // Keep what is answered and come back with the same link: it is all there.
    client.find(Locator::Css("button[value=save]")).await.expect("button").click().await.expect("click");
    wait_until(&client, "document.getElementById('kept')", "the answers kept").await;
    client.goto(&format!("{base}/survey/{token}")).await.expect("goto");
    wait_until(&client, "document.querySelector(\"input[name='item-share-power-2'][value='3']\").checked", "the kept answers").await;
    // Answer the rest, check the answers, change one, send.
    client
        .execute("document.querySelectorAll('fieldset.statement').forEach(f => { if (!f.querySelector('input:checked')) f.querySelector('input[value=\"4\"]').click(); });", vec![])
        .await
        .expect("answered");
    client.find(Locator::Css("button[value=check]")).await.expect("button").click().await.expect("click");
    wait_until(&client, "document.querySelector('dl.summary-list')", "the answers to check").await;
    assert!(text_of(&client, "dl.summary-list").await.contains("Neither agree nor disagree"));
    screenshot(&client, "survey-check").await;
    client.find(Locator::Css("button[formaction$='#item-share-power-1']")).await.expect("change").click().await.expect("click");
    wait_until(&client, "location.hash === '#item-share-power-1' && document.querySelector('form.survey')", "back at the statement").await;
    client.find(Locator::Css("input[name='item-share-power-1'][value='dont-know']")).await.expect("choice").click().await.expect("click");
    client.find(Locator::Css("button[value=check]")).await.expect("button").click().await.expect("click");
    wait_until(&client, "document.querySelector('dl.summary-list')", "the answers to check again").await;
    client.find(Locator::Css("button[value=send]")).await.expect("send").click().await.expect("click");
    wait_until(&client, "document.getElementById('saved')", "the confirmation").await;
    screenshot(&client, "survey-done").await;

    // The owner signs in and sees the round's results, now that five have answered.
    client.goto(&format!("{base}/login?next=/collaborations/{id}/")).await.expect("goto");
    fill_in_sign_in(&client).await;
    wait_until(&client, "document.querySelector('#round-2026 svg rect.bar')", "the 2026 profile").await;
    assert!(text_of(&client, "#round-2026 h2").await.contains("5 respondents"));
    screenshot(&client, "assessment").await;
    client.close().await.expect("close");
    server.abort();
}

/// The pages people read most, at a desktop width and at the narrowest phone
/// width WCAG asks for (320 CSS px): each draws with the workspace's own
/// stylesheet (the strict CSP would silently drop inline styles, so there
/// must be none), its figures are drawn, and nothing but a table or a
/// drawing (each in its own scrolling box) is wider than the screen.
async fn reading_journey(app: support::App, driver: u16) {
    let (base, server) = serve(&app).await;
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;
    sign_in(&client, &base).await;
    let study = app.study;
    let snapshot = app.store.snapshot(study).await.expect("read").expect("study");
    let first = collabmap_study::load_from(&snapshot.files).study.interviews[0].file.trim_start_matches("interviews/").trim_end_matches(".md").to_string();
    // A memo written from the page of what it is about lands there, at the memo.
    client.goto(&format!("{base}/studies/{study}/themes/common-purpose.html")).await.expect("goto");
    client.find(Locator::Css("#memos a[href*='memos/new?about=theme:common-purpose']")).await.expect("add a memo").click().await.expect("click");
    wait_until(&client, "document.activeElement === document.getElementById('text')", "the memo form, ready to type").await;
    client.find(Locator::Id("text")).await.expect("the memo box").send_keys("Who set the aim first? Compare the two boroughs.").await.expect("type");
    client.find(Locator::Css("main form button[type=submit]")).await.expect("save").click().await.expect("click");
    wait_until(&client, "location.pathname.endsWith('/themes/common-purpose.html') && location.hash.startsWith('#memo-')", "back on the theme page").await;
    assert!(text_of(&client, "#memos article.memo").await.contains("Who set the aim first?"));
    let pages = [
        ("index", format!("/studies/{study}/"), "document.querySelector('svg rect')"),
        ("analysis", format!("/studies/{study}/analysis.html"), "document.querySelector('[class*=shade-]')"),
        ("crosstab", format!("/studies/{study}/crosstab?by=country"), "document.querySelector('table')"),
        ("members", format!("/studies/{study}/members"), "document.querySelector('table')"),
        ("theme", format!("/studies/{study}/themes/common-purpose.html"), "document.querySelector('blockquote')"),
        ("evidence", format!("/studies/{study}/evidence/common-purpose.html"), "document.querySelector('.evidence-person a[href*=\"#L\"]')"),
        ("search", format!("/studies/{study}/search?q=families&code=service-user"), "document.querySelector('ol.hits mark')"),
        ("history", format!("/studies/{study}/history"), "document.querySelector('table.history')"),
        ("memos", format!("/studies/{study}/memos"), "document.querySelector('article.memo')"),
        ("memo-new", format!("/studies/{study}/memos/new?about=theme:common-purpose"), "document.querySelector('textarea#text')"),
        ("checkback-editor", format!("/studies/{study}/checkback/{first}"), "document.querySelector('form select[name=person]')"),
        ("summary", format!("/studies/{study}/summary/{first}"), "document.querySelector('ol.read-back li')"),
        ("capture-existing", format!("/studies/{study}/capture/{first}"), "document.querySelector('#map svg g.concept')"),
        ("add-picture", format!("/studies/{study}/add-picture/{first}"), "!document.getElementById('draw').hidden"),
    ];
    for (width, height) in [(1366u32, 900u32), (320, 720)] {
        client.set_window_size(width, height).await.expect("resize");
        for (name, path, drawn) in &pages {
            client.goto(&format!("{base}{path}")).await.expect("goto");
            wait_until(&client, drawn, &format!("{name} at {width} px")).await;
            let inline = client.execute("return document.querySelectorAll('[style], style').length;", vec![]).await.expect("script");
            assert_eq!(inline, json!(0), "{name}: inline styles, which the page's CSP blocks");
            let styled = client.execute("return getComputedStyle(document.body).fontFamily;", vec![]).await.expect("script");
            assert!(styled.as_str().is_some_and(|f| !f.is_empty() && f != "\"Times New Roman\""), "{name}: the stylesheet applies ({styled})");
            screenshot(&client, &format!("{name}-{width}")).await;
            // Wider than the screen is allowed only inside a box that scrolls on its own.
            let overflowing = client
                .execute(
                    "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect(); if (r.width === 0 || r.right <= w + 1) return false; for (let p = e; p && p !== document.body; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return false; } return true; }).slice(0, 5).map(e => e.tagName + '.' + e.className.baseVal + e.className);",
                    vec![],
                )
                .await
                .expect("script");
            assert_eq!(overflowing, json!([]), "{name} at {width} px: wider than the screen");
        }
    }

    // The search box on a study's pages finds words, marked, linked to their lines.
    client.set_window_size(1366, 900).await.expect("resize");
    client.goto(&format!("{base}/studies/{study}/")).await.expect("goto");
    client.find(Locator::Css("header form.search input[name=q]")).await.expect("the search box").send_keys("families").await.expect("type");
    client.find(Locator::Css("header form.search button")).await.expect("button").click().await.expect("click");
    wait_until(&client, "document.querySelector('ol.hits li mark')", "the results").await;
    assert_eq!(text_of(&client, "ol.hits li mark").await.to_lowercase(), "families");
    client.find(Locator::Css("ol.hits li a[href*='#L']")).await.expect("a result").click().await.expect("click");
    wait_until(
        &client,
        "location.pathname.includes('/interviews/') && location.hash.startsWith('#L') && document.getElementById(location.hash.slice(1))",
        "the item on its interview page",
    )
    .await;

    // Save with a message, find it in the history, see what changed, and put the earlier version back.
    let owner = app.owner().await;
    let interview = app.first_interview(&owner).await;
    let document = app.get(&format!("/api/studies/{study}/interviews/{interview}"), &owner).await.json();
    let original = document["text"].as_str().expect("text").to_string();
    // Tagged with every theme, so that some count moves (the interviewee cannot already hold them all).
    let table: Vec<serde_json::Value> = serde_json::from_value(app.get(&format!("/api/studies/{study}/table"), &owner).await.json()).expect("rows");
    let every_tag: Vec<String> = table.iter().filter_map(|row| row["theme"].as_str()).map(|t| format!("#{t}")).collect();
    let edited = original.replace("# Map", &format!("# Map\n\n- Ask the tenants first #service-user\n  - Everything at once {}\n", every_tag.join(" ")));
    client.goto(&format!("{base}/studies/{study}/")).await.expect("goto");
    let counts_before = text_of(&client, "table.mentions").await;
    // In the editor: the new text, and a reason typed beside the Save button.
    client.goto(&format!("{base}/studies/{study}/edit/interviews/{interview}")).await.expect("goto");
    wait_until(&client, "document.getElementById('text') && document.getElementById('save-message')", "the editor").await;
    client
        .execute("const t = document.getElementById('text'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));", vec![json!(edited)])
        .await
        .expect("edit");
    client.find(Locator::Id("save-message")).await.expect("the reason box").send_keys("Added what she said at the door").await.expect("type");
    client.find(Locator::Css("#save")).await.expect("save").click().await.expect("click");
    wait_until(&client, "document.getElementById('status').textContent.startsWith('Saved')", "the save").await;
    assert_eq!(
        client.execute("return document.getElementById('save-message').value;", vec![]).await.expect("script"),
        json!(""),
        "the reason goes with one save only"
    );
    client.goto(&format!("{base}/studies/{study}/")).await.expect("goto");
    assert_ne!(text_of(&client, "table.mentions").await, counts_before, "the save moves a count");
    client.goto(&format!("{base}/studies/{study}/history")).await.expect("goto");
    wait_until(&client, "document.querySelector('table.history')", "the history").await;
    assert!(text_of(&client, "table.history tbody tr").await.contains("Added what she said at the door"));
    client.find(Locator::Css("table.history tbody tr a")).await.expect("the changed file").click().await.expect("click");
    wait_until(&client, "document.querySelector('pre.diff .added')", "the diff").await;
    assert!(text_of(&client, "pre.diff .added").await.contains("+ - Ask the tenants first #service-user"));
    screenshot(&client, "history-diff").await;
    // The version before the edit: the file's row marked "imported".
    client.goto(&format!("{base}/studies/{study}/history")).await.expect("goto");
    wait_until(&client, "document.querySelector('table.history')", "the history").await;
    client
        .execute("[...document.querySelectorAll('table.history tbody tr')].find(r => r.textContent.includes('imported') && r.textContent.includes(arguments[0])).querySelector('a').click();", vec![json!(format!("interviews/{interview}.md"))])
        .await
        .expect("open the earlier version");
    wait_until(&client, "document.querySelector('form.actions button[type=submit]')", "the earlier version").await;
    client.find(Locator::Css("form.actions button[type=submit]")).await.expect("the restore button").click().await.expect("click");
    wait_until(&client, "location.pathname.endsWith('/history') && document.querySelector('table.history')", "back to the history").await;
    assert!(text_of(&client, "table.history tbody tr").await.contains("restored"));
    let back = app.get(&format!("/api/studies/{study}/interviews/{interview}"), &owner).await.json();
    assert_eq!(back["text"].as_str(), Some(original.as_str()), "the earlier version is back");
    client.goto(&format!("{base}/studies/{study}/")).await.expect("goto");
    assert_eq!(text_of(&client, "table.mentions").await, counts_before, "the table is back as it was");
    // The report as it was at the first revision is there to read, table and all.
    client.goto(&format!("{base}/studies/{study}/history")).await.expect("goto");
    client
        .find(Locator::Css("table.history tbody tr:last-child a[href$='/revisions/1/']"))
        .await
        .expect("the first revision's report")
        .click()
        .await
        .expect("click");
    wait_until(&client, "location.pathname.endsWith('/revisions/1/') && document.querySelector('table.mentions')", "the report at revision 1").await;
    assert_eq!(text_of(&client, "table.mentions").await, counts_before, "revision 1 shows the table as imported");

    // From a count to a mention, and from the mention to its line in the editor.
    client.goto(&format!("{base}/studies/{study}/")).await.expect("goto");
    client.find(Locator::Css("table.mentions a[href^='evidence/']")).await.expect("a count").click().await.expect("click");
    wait_until(&client, "location.pathname.includes('/evidence/')", "the evidence page").await;
    let edit = client.find(Locator::Css(".evidence-person a[href*='edit/interviews/']")).await.expect("an edit link");
    let href = edit.attr("href").await.expect("href").expect("an address");
    let line: u64 = href.rsplit("#L").next().and_then(|l| l.parse().ok()).expect("a line");
    edit.click().await.expect("click");
    wait_until(&client, "document.getElementById('text') && document.activeElement === document.getElementById('text')", "the editor at the line").await;
    let at = client
        .execute("const t = document.getElementById('text'); return t.value.substring(0, t.selectionStart).split('\\n').length;", vec![])
        .await
        .expect("script");
    assert_eq!(at, json!(line), "the editor selects the mention's line");
    client.close().await.expect("close");
    server.abort();
}

/// WebDriver's codes for the keys live capture is written with.
const ENTER: &str = "\u{e007}";
const TAB: &str = "\u{e004}";
const SHIFT_TAB: &str = "\u{e008}\u{e004}\u{e000}";

/// Live capture with the keyboard only: three levels, a contrast pole and a
/// code offered after `#`; the tab closed and opened again finds the draft
/// intact; saving makes it part of the study.
async fn capture_journey(app: support::App, driver: u16) {
    let (base, server) = serve(&app).await;
    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;
    sign_in(&client, &base).await;
    let study = app.study;
    client.goto(&format!("{base}/studies/{study}/capture/live-1")).await.expect("goto");
    wait_until(&client, "document.querySelector('input[name=people]')", "the question of who attends").await;
    client.find(Locator::Css("input[name=people][value=p01]")).await.expect("p01").click().await.expect("click");
    client.find(Locator::Css("main form button[type=submit]")).await.expect("start").click().await.expect("click");
    wait_until(&client, "document.activeElement === document.getElementById('outline')", "the map, ready to type").await;
    let outline = client.find(Locator::Id("outline")).await.expect("outline");
    // The first concept's bullet is there to type after.
    outline.send_keys("Cut detention of young people").await.expect("type");
    outline.send_keys(&format!("{ENTER}{TAB}Meet every week ... meet when things go wrong{ENTER}{TAB}Share the data #commo")).await.expect("type");
    wait_until(&client, "!document.getElementById('suggestions').hidden", "codes offered after #").await;
    outline.send_keys(ENTER).await.expect("accept the code");
    outline.send_keys(&format!("{ENTER}{SHIFT_TAB}Agree one plan")).await.expect("type");
    let typed = client.execute("return document.getElementById('outline').value;", vec![]).await.expect("script");
    assert_eq!(
        typed,
        json!("- Cut detention of young people\n  - Meet every week ... meet when things go wrong\n    - Share the data #common-purpose \n  - Agree one plan"),
        "Enter, Tab, Shift+Tab and the offered code wrote the outline"
    );
    wait_until(&client, "document.querySelectorAll('#map svg g.concept').length === 4", "the map drawn as typed").await;
    wait_until(&client, "document.getElementById('status').textContent.includes('Draft kept on the server')", "the draft kept on the server").await;
    screenshot(&client, "capture").await;

    // Close the tab: a new one finds the draft.
    client.goto("about:blank").await.expect("leave");
    let draft = app.store.draft(study, "live-1").await.expect("read").expect("a draft on the server");
    assert!(draft.text.contains("Share the data #common-purpose"));
    client.goto(&format!("{base}/studies/{study}/capture/live-1?people=p01")).await.expect("goto");
    wait_until(&client, "document.getElementById('outline').value.includes('Agree one plan')", "the draft restored").await;
    assert!(text_of(&client, "#status").await.contains("Restored"));
    client.find(Locator::Id("outline")).await.expect("outline").send_keys("\u{e009}s\u{e000}").await.expect("Ctrl+S");
    wait_until(&client, "document.getElementById('status').textContent.startsWith('Saved')", "the interview saved").await;
    assert!(app.store.draft(study, "live-1").await.expect("read").is_none(), "saving removed the draft");
    let saved = app.store.snapshot(study).await.expect("read").expect("study");
    let text = String::from_utf8_lossy(saved.files.get("interviews/live-1.md").expect("the interview is in the study")).into_owned();
    assert!(text.contains("people: [p01]") && text.contains("    - Share the data #common-purpose"), "{text}");
    client.goto(&format!("{base}/studies/{study}/summary/live-1")).await.expect("goto");
    wait_until(&client, "document.querySelectorAll('ol.read-back li').length === 4", "the read-back").await;
    assert!(
        text_of(&client, "ol.read-back li:nth-child(3)")
            .await
            .starts_with("To meet every week rather than meet when things go wrong, you said you share the data")
    );

    // The interviewee draws a rich picture with a finger: it joins the interview as a PNG.
    client.goto(&format!("{base}/studies/{study}/add-picture/live-1")).await.expect("goto");
    wait_until(&client, "!document.getElementById('draw').hidden", "the drawing area").await;
    client
        .execute(
            "const c = document.getElementById('canvas'); const r = c.getBoundingClientRect(); const at = (type, f) => c.dispatchEvent(new PointerEvent(type, {pointerId: 1, bubbles: true, clientX: r.left + f * r.width, clientY: r.top + f * r.height})); at('pointerdown', 0.1); for (let i = 2; i < 9; i++) at('pointermove', i / 10); at('pointerup', 0.9);",
            vec![],
        )
        .await
        .expect("drawn");
    client.find(Locator::Id("explanation")).await.expect("explanation").send_keys("The partners, and the one road between them").await.expect("type");
    screenshot(&client, "picture").await;
    client.find(Locator::Css("#picture-form button[type=submit]")).await.expect("add").click().await.expect("click");
    wait_until(&client, "location.pathname.endsWith('/interviews/live-1.html')", "back on the interview page").await;
    let with_picture = app.store.snapshot(study).await.expect("read").expect("study");
    let drawing = with_picture.files.get("pictures/live-1-1.png").expect("the drawing is in the study");
    assert!(drawing.starts_with(b"\x89PNG"), "a PNG");
    let text = String::from_utf8_lossy(with_picture.files.get("interviews/live-1.md").expect("interview")).into_owned();
    assert!(text.contains("![Rich picture](pictures/live-1-1.png)\nThe partners, and the one road between them"), "{text}");
    client.close().await.expect("close");
    server.abort();
}

/// An interviewee on a phone checks back their map through a link: changes
/// nothing, keeps one quote anonymous, confirms; the study then says so, and
/// the link says it is spent. Withdrawn and expired links say so too.
async fn checkback_journey(app: support::App, driver: u16) {
    let (base, server) = serve(&app).await;
    let study = app.study;
    let snapshot = app.store.snapshot(study).await.expect("read").expect("study");
    let loaded = collabmap_study::load_from(&snapshot.files).study;
    let interview = loaded.interviews.iter().find(|iv| iv.people.len() == 1 && iv.quotes.len() >= 2).expect("an interview of one person with quotes");
    let name = interview.file.trim_start_matches("interviews/").trim_end_matches(".md").to_string();
    let person = interview.people[0].clone();
    let demo = app.store.user_by_email(DEMO_EMAIL).await.expect("query").expect("demo user");
    let token = app.store.issue_checkback(study, &name, &person, demo.id, 14).await.expect("a link");

    let profile = tempfile::tempdir().expect("profile folder");
    let client = browser(driver, profile.path()).await;
    client.set_window_size(320, 720).await.expect("a phone's width");
    client.goto(&format!("{base}/check/{token}")).await.expect("goto");
    wait_until(&client, "document.querySelector('form figure svg') && document.querySelector('ol.read-back li')", "their map, drawn and read back").await;
    let wider = client.execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth;", vec![]).await.expect("script");
    assert_eq!(wider, json!(false), "the page fits a 320 px screen");
    screenshot(&client, "checkback-320").await;
    // Confirming without choosing says what is missing, at the top.
    client.find(Locator::Css("form button[type=submit]")).await.expect("confirm").click().await.expect("click");
    wait_until(&client, "document.querySelector('.error-summary a[href=\"#all\"]')", "the error summary").await;
    screenshot(&client, "checkback-missing-320").await;
    let first_quote = interview.quotes[0].line;
    for quote in &interview.quotes {
        let choice = if quote.line == first_quote { "anonymous" } else { "named" };
        client.find(Locator::Css(&format!("input[name='quote-{}'][value='{choice}']", quote.line))).await.expect("a choice").click().await.expect("click");
    }
    client.find(Locator::Css("input[name=all][value=named]")).await.expect("named").click().await.expect("click");
    client.find(Locator::Css("form button[type=submit]")).await.expect("confirm").click().await.expect("click");
    wait_until(&client, "document.querySelector('h1') && document.querySelector('h1').textContent.includes('Thank you')", "the thank-you page").await;
    screenshot(&client, "checkback-done-320").await;

    let after = app.store.snapshot(study).await.expect("read").expect("study");
    let text = String::from_utf8_lossy(after.files.get(&interview.file).expect("the interview")).into_owned();
    assert!(text.contains("checked_back: true"), "{text}");
    assert!(text.contains(&format!("— {person}, anonymous")), "the quote they chose reads `, anonymous`: {text}");
    // The report keeps that quote apart from the interview that would name them.
    let quote_words = interview.quotes[0].text.lines().next().expect("words").to_string();
    client.goto(&format!("{base}/login?next=/studies/{study}/interviews/{name}.html")).await.expect("goto");
    fill_in_sign_in(&client).await;
    // The sign-in page has a heading too: wait for the interview's own address,
    // or the check below would read the sign-in page and prove nothing.
    let interview_path = format!("/studies/{study}/interviews/{name}.html");
    wait_until(&client, &format!("location.pathname === '{interview_path}' && document.querySelector('main h1')"), "the interview page").await;
    let page = client.source().await.expect("source");
    assert!(!page.contains(&quote_words), "the anonymous quote is no longer shown beside the interview that names them");
    client.goto(&format!("{base}/check/{token}")).await.expect("goto");
    wait_until(&client, "location.pathname.startsWith('/check/') && document.querySelector('h1')", "the spent link's page").await;
    let heading = text_of(&client, "h1").await;
    let url = client.current_url().await.expect("url");
    assert!(heading.contains("already confirmed"), "{heading} at {url}");

    // A withdrawn link and an expired one each say so, in words for the interviewee.
    let withdrawn = app.store.issue_checkback(study, &name, &person, demo.id, 14).await.expect("a link");
    let link = app.store.checkback(&withdrawn).await.expect("read").expect("found");
    app.store.revoke_checkback(study, link.id).await.expect("withdrawn");
    client.goto(&format!("{base}/check/{withdrawn}")).await.expect("goto");
    wait_until(&client, "location.pathname.startsWith('/check/') && document.querySelector('h1')", "the withdrawn link's page").await;
    assert!(text_of(&client, "h1").await.contains("withdrawn"));
    let expired = app.store.issue_checkback(study, &name, &person, demo.id, 14).await.expect("a link");
    collabmap_store::testing::expire_checkbacks(&app.store, study).await;
    client.goto(&format!("{base}/check/{expired}")).await.expect("goto");
    wait_until(&client, "location.pathname.startsWith('/check/') && document.querySelector('h1')", "the expired link's page").await;
    assert!(text_of(&client, "h1").await.contains("expired"));
    screenshot(&client, "checkback-expired-320").await;
    client.close().await.expect("close");
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_browses_the_model_and_edits_an_interview() {
    on_every_backend("the editing journey", journey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_respondent_answers_through_a_link_and_the_results_update() {
    on_every_backend("the survey journey", survey_journey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_read_well_on_a_desktop_and_a_phone() {
    on_every_backend("the reading journey", reading_journey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interview_is_captured_live_with_the_keyboard_and_its_draft_survives_a_closed_tab() {
    on_every_backend("the live capture journey", capture_journey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interviewee_checks_back_on_a_phone_and_keeps_a_quote_anonymous() {
    on_every_backend("the check-back journey", checkback_journey).await;
}
