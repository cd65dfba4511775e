//! `analyse`, `trace` and `agree` end to end: hand-computed figures on a
//! small study, and sound output on every test study (testdata/studies,
//! and the shared corpora when present).

mod support;

use support::{collabmap, json_of, studies};

use std::path::Path;

use serde_json::{Value, json};

/// Two interviews: a map with a head, a reinforcing loop through a
/// cross-link, a negative link and an isolated concept; and a two-concept
/// balancing loop.
fn small_study(dir: &Path) {
    std::fs::create_dir_all(dir.join("interviews")).expect("folder");
    std::fs::write(dir.join("study.toml"), "title = \"Small\"\ncodebook = \"whole-systems\"\n").expect("write");
    std::fs::write(dir.join("people.csv"), "id,name,country\np1,Ana,UK\np2,Ben,India\n").expect("write");
    std::fs::write(
        dir.join("interviews/a.md"),
        "---\npeople: [p1]\n---\n\n# Map\n\n- Fewer evictions ^evict\n  - Keep families housed #service-user ^goal\n    - Agree one aim #common-purpose ^aim\n      - Meet weekly #relationships ^meet\n        - [[#^goal]]\n    - (-) Separate budgets #institutional-inertia ^budget\n- Publish results ^pub\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("interviews/b.md"),
        "---\npeople: [p2]\n---\n\n# Map\n\n- Trust between agencies ^trust\n  - (-) Blame for failures ^blame\n    - [[#^trust]]\n",
    )
    .expect("write");
}

#[test]
fn analyse_gives_the_hand_computed_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_study(dir.path());
    let study = dir.path().to_string_lossy().to_string();
    let a = json_of(&["analyse", &study, "--interview", "a", "--format", "json"]);
    let concepts = a["concepts"].as_array().expect("concepts");
    let by_id = |id: &str| concepts.iter().find(|c| c["id"] == json!(id)).unwrap_or_else(|| panic!("{id}")).clone();
    for (id, domain, central, role) in [
        ("evict", 1, 2.5, "head"),
        ("goal", 4, 4.0, "ordinary"),
        ("aim", 2, 3.0, "ordinary"),
        ("meet", 2, 3.0, "ordinary"),
        ("budget", 1, 2.5, "tail"),
        ("pub", 0, 0.0, "isolated"),
    ] {
        let c = by_id(id);
        assert_eq!(c["domain"], json!(domain), "{id} domain");
        assert_eq!(c["central"].as_f64(), Some(central), "{id} central");
        assert_eq!(c["role"], json!(role), "{id} role");
        assert_eq!(c["interview"], json!("a"));
    }
    assert_eq!(by_id("aim")["text"], json!("Agree one aim"));
    assert_eq!(a["heads"], json!([{"interview": "a", "id": "evict", "hieset": ["goal", "aim", "meet", "budget"]}]));
    assert_eq!(a["potent"], json!([{"interview": "a", "id": "budget", "text": "Separate budgets", "heads": 1}]));
    assert_eq!(a["loops"], json!([{"interview": "a", "concepts": ["goal", "meet", "aim"], "polarity": "reinforcing"}]));
    let figures = &a["figures"];
    assert_eq!(figures["concepts"], json!(6));
    assert_eq!(figures["links"], json!(5));
    assert_eq!(figures["links_per_concept"], json!(0.8333));
    assert_eq!(figures["density"], json!(0.1667));
    assert_eq!(
        (figures["heads"].clone(), figures["tails"].clone(), figures["isolated"].clone(), figures["loops"].clone()),
        (json!(1), json!(1), json!(1), json!(1))
    );
    // The isolated concept is a cluster of its own; every concept is in exactly one cluster.
    let clusters = a["clusters"].as_array().expect("clusters");
    assert!(clusters.iter().any(|c| c["concepts"] == json!(["pub"])));
    assert_eq!(clusters.iter().map(|c| c["concepts"].as_array().map_or(0, Vec::len)).sum::<usize>(), 6);
    let negative = a["links"].as_array().expect("links").iter().find(|l| l["from"] == json!("budget")).expect("budget link").clone();
    assert_eq!(negative, json!({"interview": "a", "from": "budget", "to": "goal", "negative": true, "people": ["p1"]}));

    // The second map's loop has one negative link: balancing. The study is the union of both maps.
    let whole = json_of(&["analyse", &study, "--format", "json"]);
    assert!(whole["loops"].as_array().expect("loops").contains(&json!({"interview": "b", "concepts": ["trust", "blame"], "polarity": "balancing"})));
    assert_eq!(whole["figures"]["concepts"], json!(8));
    assert_eq!(whole["figures"]["links"], json!(7));
    assert_eq!(whole["figures"]["density"], json!(0.2188), "links over the links possible inside each map: 7 / (6·5 + 2·1)");
    let csv = String::from_utf8(collabmap(&["analyse", &study, "--format", "csv"]).stdout).expect("utf-8");
    assert!(csv.starts_with("interview,id,text,domain,central,role,cluster\n"));
    assert!(csv.contains("a,evict,Fewer evictions,1,2.5,head,"));
    let unknown = collabmap(&["analyse", &study, "--interview", "c"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no interview `c`"));
}

#[test]
fn analyse_trace_and_agree_run_on_every_study() {
    for study in studies::all() {
        let path = study.arg();
        let analysis = json_of(&["analyse", &path, "--format", "json"]);
        let concepts = analysis["concepts"].as_array().expect("concepts");
        let links = analysis["links"].as_array().expect("links").len() as u64;
        assert_eq!(analysis["figures"]["concepts"].as_u64(), Some(concepts.len() as u64));
        assert_eq!(analysis["figures"]["links"].as_u64(), Some(links));
        let domains: u64 = concepts.iter().map(|c| c["domain"].as_u64().expect("domain")).sum();
        assert_eq!(domains, 2 * links, "{path}: each link counts once at each end");
        for concept in concepts {
            let role = concept["role"].as_str().expect("role");
            let domain = concept["domain"].as_u64().expect("domain");
            assert!((role == "isolated") == (domain == 0), "{path}: {concept}");
        }
        for cycle in analysis["loops"].as_array().expect("loops") {
            assert!(["reinforcing", "balancing"].contains(&cycle["polarity"].as_str().expect("polarity")));
        }
        let text = String::from_utf8(collabmap(&["analyse", &path]).stdout).expect("utf-8");
        assert!(text.contains("Most central concepts"));

        let table: Value = json_of(&["table", "--format", "json", &path]);
        let themes: Vec<String> = table.as_array().expect("rows").iter().map(|r| r["theme"].as_str().expect("theme").to_string()).collect();
        let traced = json_of(&["trace", &path, "--from", &themes[themes.len() - 1], "--to", &themes[0], "--format", "json"]);
        let threaded = json_of(&["trace", &path, "--from", &themes[themes.len() - 1], "--to", &themes[0], "--thread", "--format", "json"]);
        for path_found in traced["paths"].as_array().expect("paths") {
            let steps = path_found["steps"].as_array().expect("steps");
            assert!(!steps.is_empty() && steps.len() <= 4);
            let weakest = steps.iter().map(|s| s["people"].as_u64().expect("people")).min();
            assert_eq!(path_found["weakest"].as_u64(), weakest);
            assert!(path_found["thread"].as_u64() <= weakest, "a thread cannot outnumber its weakest step");
        }
        assert!(threaded["paths"].as_array().expect("paths").iter().all(|p| p["thread"].as_u64() > Some(0)));
        assert!(threaded["paths"].as_array().map(Vec::len) <= traced["paths"].as_array().map(Vec::len));

        // A study agrees with itself perfectly.
        let same = json_of(&["agree", &path, &path, "--format", "json"]);
        assert_eq!(same["overall"]["agreement"], json!(1.0));
        assert_eq!(same["overall"]["kappa"], json!(1.0));
        assert_eq!(same["differences"], json!([]));
    }
}

#[test]
fn agree_counts_codes_and_reports_changed_items() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second, third) = (dir.path().join("first"), dir.path().join("second"), dir.path().join("third"));
    for folder in [&first, &second, &third] {
        small_study(folder);
    }
    // The second coder moved a code and reworded one concept.
    let text = std::fs::read_to_string(second.join("interviews/a.md")).expect("read");
    let changed = text.replace("Agree one aim #common-purpose", "Agree one aim #whole-system").replace("Publish results", "Publish the results");
    std::fs::write(second.join("interviews/a.md"), changed).expect("write");
    let (a, b) = (first.to_string_lossy().to_string(), second.to_string_lossy().to_string());
    let result = json_of(&["agree", &a, &b, "--format", "json"]);
    // 8 concepts, one reworded: 7 compared.
    assert_eq!(result["items"], json!(7));
    assert_eq!(result["differences"], json!([{"interview": "a", "kind": "concept", "position": 6, "message": "the text differs between copies"}]));
    let theme = |id: &str| result["themes"].as_array().expect("themes").iter().find(|t| t["theme"] == json!(id)).expect("theme").clone();
    let purpose = theme("common-purpose");
    assert_eq!(
        (purpose["both"].clone(), purpose["first_only"].clone(), purpose["second_only"].clone(), purpose["neither"].clone()),
        (json!(0), json!(1), json!(0), json!(6))
    );
    // Po = 6/7; Pe = (1·0 + 6·7)/49 = 6/7; κ = 0.
    assert_eq!(purpose["kappa"], json!(0.0));
    assert_eq!(purpose["agreement"], json!(0.8571));
    // A theme nobody used: every item absent for both, kappa undefined.
    assert_eq!(theme("share-power")["kappa"], Value::Null);
    assert_eq!(theme("relationships")["kappa"], json!(1.0));

    // Three codings add Krippendorff's alpha.
    let c = third.to_string_lossy().to_string();
    let three = json_of(&["agree", &a, &b, &c, "--format", "json"]);
    assert!(three["overall"]["alpha"].as_f64().is_some_and(|alpha| alpha > 0.0 && alpha < 1.0));
    let too_few = collabmap(&["agree", &a]);
    assert!(!too_few.status.success());
}

#[test]
fn the_report_shows_the_analyses() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_study(&dir.path().join("study"));
    let site = dir.path().join("site");
    let output = collabmap(&["report", &dir.path().join("study").to_string_lossy(), "-o", &site.to_string_lossy()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let page = std::fs::read_to_string(site.join("interviews/a.html")).expect("interview page");
    assert!(page.contains("<h2>Structure</h2>") && page.contains("6 concepts, 5 links"));
    assert!(page.contains("reinforcing</span> Keep families housed → Meet weekly → Agree one aim"), "the loop is listed");
    assert_eq!(page.matches("class=\"concept in-loop\"").count(), 3, "the loop's concepts are outlined");
    assert!(page.contains("class=\"concept option\"") && page.contains("data-role=\"head\""));
    let other = std::fs::read_to_string(site.join("interviews/b.html")).expect("interview page");
    assert!(other.contains("balancing</span> Trust between agencies → Blame for failures"));
    let analysis = std::fs::read_to_string(site.join("analysis.html")).expect("analysis page");
    for heading in ["Most central concepts", "Potent options", "Evidence for each theme link", "Themes mentioned together", "By country"] {
        assert!(analysis.contains(heading), "{heading}");
    }
    assert!(std::fs::read_to_string(site.join("index.html")).expect("index").contains("href=\"analysis.html\""));
}
