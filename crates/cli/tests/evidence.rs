//! `collabmap evidence`: every count and every kept link opens to exactly the
//! people behind it, on every test study, and the hand-worked study shows how
//! each person was credited.

mod support;

use support::{collabmap, json_of, studies};

use std::collections::BTreeSet;

use serde_json::Value;

fn distinct(items: &Value, key: &str) -> BTreeSet<String> {
    items.as_array().expect("a list").iter().map(|m| m[key].as_str().expect("a person").to_string()).collect()
}

#[test]
fn every_count_and_every_kept_link_opens_to_exactly_its_people() {
    for study in studies::all() {
        let dir = study.arg();
        let table = json_of(&["table", &dir, "--all", "--format", "json"]);
        for row in table.as_array().expect("rows") {
            let theme = row["theme"].as_str().expect("theme");
            let evidence = json_of(&["evidence", &dir, "--theme", theme, "--format", "json"]);
            for key in ["people", "out_of", "projects"] {
                assert_eq!(evidence[key], row[key], "{}: {theme} {key}", study.name);
            }
            let people = distinct(&evidence["mentions"], "person");
            assert_eq!(people.len() as u64, row["people"].as_u64().expect("people"), "{}: {theme}: the mentions' people are the count", study.name);
            for mention in evidence["mentions"].as_array().expect("mentions") {
                assert!(["concept", "quote", "story", "picture"].contains(&mention["kind"].as_str().expect("kind")), "{mention}");
                assert!(["explicit", "inferred", "group", "rollup"].contains(&mention["how"].as_str().expect("how")), "{mention}");
                let file = std::fs::read_to_string(study.dir.join(mention["file"].as_str().expect("file"))).expect("the mention's file");
                let line = file.lines().nth(mention["line"].as_u64().expect("line") as usize - 1).expect("the mention's line");
                let words = mention["text"].as_str().expect("text");
                let first_word = words.split_whitespace().next().unwrap_or("");
                assert!(line.contains(first_word), "{}: {theme}: line {} of {} is {line:?}, not {words:?}", study.name, mention["line"], mention["file"]);
            }
        }
        let model = json_of(&["model", &dir, "--format", "json"]);
        for link in model["links"].as_array().expect("links") {
            let (from, to) = (link["from"].as_str().expect("from"), link["to"].as_str().expect("to"));
            let evidence = json_of(&["evidence", &dir, "--link", from, to, "--format", "json"]);
            assert_eq!(evidence["weight"], link["people"], "{}: {from} -> {to}", study.name);
            assert_eq!(evidence["kept"], Value::Bool(true));
            let people = distinct(&evidence["chains"], "person");
            assert_eq!(people.len() as u64, link["people"].as_u64().expect("people"), "{}: {from} -> {to}: the chains' people are the weight", study.name);
            for chain in evidence["chains"].as_array().expect("chains") {
                let path = chain["path"].as_array().expect("path");
                assert_eq!(path.first().map(|s| &s["theme"]), Some(&Value::from(from)));
                assert_eq!(path.last().map(|s| &s["theme"]), Some(&Value::from(to)));
            }
        }
    }
}

#[test]
fn the_hand_worked_study_shows_how_each_person_was_credited() {
    let dir = studies::own("counting-rules").to_string_lossy().into_owned();
    let power = json_of(&["evidence", &dir, "--theme", "power", "--format", "json"]);
    let credited: Vec<(String, String, Value)> = power["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .map(|m| (m["person"].as_str().expect("p").to_string(), m["how"].as_str().expect("how").to_string(), m["indicator"].clone()))
        .collect();
    let expected = [
        ("p2", "explicit", Value::Null),
        ("p3", "rollup", Value::Null),
        ("p4", "inferred", Value::from("hand over")),
        ("p5", "inferred", Value::from("hand over")),
    ];
    assert_eq!(credited, expected.map(|(p, h, i)| (p.to_string(), h.to_string(), i)));

    // system -> user runs through a cross-link and a concept without themes.
    let link = json_of(&["evidence", &dir, "--link", "system", "user", "--format", "json"]);
    let steps: Vec<u64> = link["chains"][0]["path"].as_array().expect("path").iter().map(|s| s["line"].as_u64().expect("line")).collect();
    assert_eq!(steps, [11, 13, 9]);

    let text = String::from_utf8(collabmap(&["evidence", &dir, "--theme", "power"]).stdout).expect("utf-8");
    assert!(text.starts_with("power (Share power): 4 of 5 people, in 1 project\n"), "{text}");
    assert!(text.contains("interviews/i2.md:11  concept (inferred \"hand over\")  Hand over the budget"), "{text}");
    let csv = String::from_utf8(collabmap(&["evidence", &dir, "--theme", "purpose", "--format", "csv"]).stdout).expect("utf-8");
    assert!(csv.starts_with("person,interview,file,line,kind,how,indicator,text\n") && csv.contains("p3,i2,interviews/i2.md,16,quote,explicit,,"), "{csv}");

    let unknown = collabmap(&["evidence", &dir, "--theme", "powr"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("the codebook has no theme `powr` (did you mean power?)"));
    assert!(!collabmap(&["evidence", &dir]).status.success(), "a theme or a link must be named");
}

#[test]
fn in_a_group_meeting_those_who_did_not_say_it_are_credited_by_the_group() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("interviews")).expect("folder");
    std::fs::write(dir.path().join("study.toml"), "title = \"t\"\ncodebook = \"whole-systems\"\n").expect("write");
    std::fs::write(dir.path().join("people.csv"), "id,name\np1,A\np2,B\n").expect("write");
    std::fs::write(dir.path().join("interviews/g.md"), "---\npeople: [p1, p2]\n---\n\n# Map\n\n- Let districts choose @p1 #share-power\n").expect("write");
    let study = dir.path().to_string_lossy().into_owned();
    let evidence = json_of(&["evidence", &study, "--theme", "share-power", "--format", "json"]);
    let how: Vec<(&str, &str)> =
        evidence["mentions"].as_array().expect("m").iter().map(|m| (m["person"].as_str().expect("p"), m["how"].as_str().expect("h"))).collect();
    assert_eq!(how, [("p1", "explicit"), ("p2", "group")]);
}

/// Every `href="…"` in `html`.
fn links_in(html: &str) -> Vec<String> {
    html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

#[test]
fn the_report_opens_every_count_and_kept_link_to_its_evidence() {
    for study in studies::all() {
        let out = tempfile::tempdir().expect("temp");
        let site = out.path().join("site");
        let report = collabmap(&["report", &study.arg(), "-o", &site.to_string_lossy()]);
        assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
        let index = std::fs::read_to_string(site.join("index.html")).expect("index");
        let table = json_of(&["table", &study.arg(), "--format", "json"]);
        for row in table.as_array().expect("rows") {
            let theme = row["theme"].as_str().expect("theme");
            assert!(index.contains(&format!("href=\"evidence/{theme}.html\"")), "{}: the count of {theme} opens its evidence", study.name);
            let page = std::fs::read_to_string(site.join(format!("evidence/{theme}.html"))).expect("an evidence page");
            let sections = page.matches("<section class=\"evidence-person\">").count() as u64;
            let people = row["people"].as_u64().expect("people");
            // People counted only through quotes given anonymously are not listed by name or interview.
            if page.contains("Quotes given anonymously") {
                assert!(sections <= people)
            } else {
                assert_eq!(sections, people, "{}: {theme}", study.name)
            }
            for link in links_in(&page).into_iter().filter(|l| l.starts_with("../interviews/")) {
                let (file, anchor) = link
                    .trim_start_matches("../")
                    .split_once('#')
                    .map_or((link.trim_start_matches("../").to_string(), None), |(f, a)| (f.to_string(), Some(a.to_string())));
                let target = std::fs::read_to_string(site.join(&file)).unwrap_or_else(|_| panic!("{}: {link} leads nowhere", study.name));
                if let Some(anchor) = anchor {
                    assert!(target.contains(&format!("id=\"{anchor}\"")), "{}: {link}: no such line on the interview page", study.name);
                }
            }
        }
        let analysis = std::fs::read_to_string(site.join("analysis.html")).expect("analysis");
        let model = json_of(&["model", &study.arg(), "--format", "json"]);
        for link in model["links"].as_array().expect("links") {
            let page = format!("evidence/{}--{}.html", link["from"].as_str().expect("from"), link["to"].as_str().expect("to"));
            assert!(analysis.contains(&format!("href=\"{page}\"")) && site.join(&page).is_file(), "{}: {page}", study.name);
            assert!(index.contains(&format!("<a href=\"{page}\" class=\"link\">")), "{}: the model diagram's arrow opens {page}", study.name);
            let html = std::fs::read_to_string(site.join(&page)).expect("page");
            assert_eq!(html.matches("<section class=\"evidence-person\">").count() as u64, link["people"].as_u64().expect("people"), "{}: {page}", study.name);
        }
    }
}

#[test]
fn an_anonymous_quote_stands_apart_on_its_evidence_page() {
    let dir = tempfile::tempdir().expect("temp");
    let study = dir.path().join("study");
    std::fs::create_dir_all(study.join("interviews")).expect("folder");
    std::fs::write(study.join("study.toml"), "title = \"t\"\ncodebook = \"whole-systems\"\n").expect("write");
    std::fs::write(study.join("people.csv"), "id,name,organisation\np06,Pat Vance,Harbour Trust\n").expect("write");
    std::fs::write(
        study.join("interviews/a.md"),
        "---\npeople: [p06]\n---\n\n# Map\n\n- Cut detention #common-purpose\n\n# Quotes\n\n> The board never listened to us. #share-power\n> — p06, anonymous\n",
    )
    .expect("write");
    let site = dir.path().join("site");
    assert!(collabmap(&["report", &study.to_string_lossy(), "-o", &site.to_string_lossy()]).status.success());
    let page = std::fs::read_to_string(site.join("evidence/share-power.html")).expect("page");
    assert!(page.contains("Quotes given anonymously") && page.contains("The board never listened to us."), "{page}");
    assert!(!page.contains("Pat Vance") && !page.contains("Harbour Trust") && !page.contains("interviews/a.html"), "{page}");
    let purpose = std::fs::read_to_string(site.join("evidence/common-purpose.html")).expect("page");
    assert!(purpose.contains("Pat Vance") && purpose.contains("interviews/a.html#L7"), "named mentions keep their person and line");
}

#[test]
fn every_breakdown_cell_of_a_theme_page_opens_to_exactly_its_people() {
    for study in studies::all() {
        let out = tempfile::tempdir().expect("temp");
        let site = out.path().join("site");
        assert!(collabmap(&["report", &study.arg(), "-o", &site.to_string_lossy()]).status.success());
        for column in ["country", "organisation"] {
            let by = collabmap(&["table", &study.arg(), "--all", "--by", column, "--format", "json"]);
            if !by.status.success() {
                continue; // the study's people.csv has no such column
            }
            let table: Value = serde_json::from_slice(&by.stdout).expect("json");
            for row in table.as_array().expect("rows") {
                let theme = row["theme"].as_str().expect("theme");
                let Ok(whole_page) = std::fs::read_to_string(site.join(format!("themes/{theme}.html"))) else { continue };
                // This column's table only: groups of two columns may share a label ("Other …").
                let start = whole_page.find(&format!("<h2>By {column}</h2>")).expect("the breakdown's table");
                let theme_page = &whole_page[start..start + whole_page[start..].find("</section>").expect("its end")];
                let anonymous_quotes =
                    std::fs::read_to_string(site.join(format!("evidence/{theme}.html"))).expect("evidence").contains("Quotes given anonymously");
                for (key, count) in row["by"].as_object().expect("by") {
                    let group = key.split_once('=').map_or(key.as_str(), |(_, g)| g);
                    let count = count.as_u64().expect("count");
                    let cell = format!(
                        "<tr><td>{}</td><td class=\"num\">",
                        group.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
                    );
                    let Some(at) = theme_page.find(&cell) else {
                        assert_eq!(count, 0, "{}: {theme}, {key}: a cell that counts someone is on the theme page", study.name);
                        continue;
                    };
                    let after = &theme_page[at + cell.len()..];
                    if count == 0 {
                        assert!(after.starts_with("0</td>"), "{}: {theme}, {key}: an empty cell opens nothing", study.name);
                        continue;
                    }
                    let link = links_in(after).into_iter().next().expect("the cell's link");
                    assert!(link.starts_with(&format!("../evidence/{theme}/{column}/")), "{}: {theme}, {key}: {link}", study.name);
                    let page = std::fs::read_to_string(site.join(link.trim_start_matches("../"))).expect("the cell's evidence page");
                    let sections = page.matches("<section class=\"evidence-person\">").count() as u64;
                    // Those counted only through quotes given anonymously are never listed beside a group.
                    if anonymous_quotes {
                        assert!(sections <= count, "{}: {theme}, {key}", study.name);
                    } else {
                        assert_eq!(sections, count, "{}: {theme}, {key}: the page lists exactly the people the cell counts", study.name);
                    }
                    assert!(!page.contains("<h2>Quotes given anonymously"), "{}: {link}", study.name);
                }
            }
        }
    }
}
