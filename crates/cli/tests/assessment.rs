//! `assess`, `compare` and `survey` end to end, on the worked example and on
//! broken folders.

mod support;

use support::collabmap;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/riverside-partnership")
}

fn json_of(args: &[&str]) -> Value {
    let output = collabmap(args);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[test]
fn the_worked_example_shows_gaps_closing_as_power_is_shared() {
    let dir = example().to_string_lossy().to_string();
    let result = json_of(&["assess", &dir, "--format", "json"]);
    assert_eq!(result["name"], json!("Riverside Homes and Health Partnership"));
    let rounds = result["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.iter().map(|r| r["round"].as_str().expect("id")).collect::<Vec<_>>(), vec!["2023", "2024", "2025"]);
    let rules = |r: &Value| {
        r["gaps"]
            .as_array()
            .expect("gaps")
            .iter()
            .map(|g| (g["rule"].as_str().expect("rule").to_string(), g["theme"].as_str().map(str::to_string)))
            .collect::<Vec<_>>()
    };
    let power = Some("share-power".to_string());
    assert_eq!(
        rules(&rounds[0]),
        vec![("neglected-core".into(), power.clone()), ("insist-without-sharing".into(), power.clone()), ("leadership-tenure".into(), None)]
    );
    assert_eq!(
        rules(&rounds[1]),
        vec![
            ("insist-without-sharing".into(), power.clone()),
            ("contested".into(), power.clone()),
            ("leadership-tenure".into(), None),
            ("leadership-tenure".into(), None)
        ]
    );
    assert_eq!(rules(&rounds[2]), vec![("leadership-tenure".into(), None)], "by 2025 only the new manager's short tenure remains");
    let theme = |r: &Value, id: &str| r["themes"].as_array().expect("themes").iter().find(|t| t["theme"] == json!(id)).expect("theme").clone();
    // Themes come in codebook order, with every field of the specification.
    let first = &rounds[0]["themes"][0];
    for key in ["theme", "n", "mean", "ad", "band", "contested", "change", "by_organisation"] {
        assert!(first.get(key).is_some(), "{key}");
    }
    assert_eq!(first["theme"], json!("service-user"));
    assert_eq!(theme(&rounds[0], "share-power")["change"], Value::Null);
    assert!(theme(&rounds[1], "share-power")["change"].as_f64().is_some_and(|c| c > 0.5));
    // The assessor's rating stands in where no partner answered.
    let backing = theme(&rounds[0], "political-backing");
    assert_eq!((backing["n"].clone(), backing["mean"].clone(), backing["ad"].clone()), (json!(0), json!(3.5), Value::Null));
    // Small organisations are pooled; none with fewer than five is shown alone.
    let organisations = theme(&rounds[0], "share-power")["by_organisation"].clone();
    assert_eq!(
        organisations.as_array().map(|o| o.iter().map(|x| x["organisation"].as_str().expect("name").to_string()).collect::<Vec<_>>()),
        Some(vec!["Riverside Council".to_string(), "Riverside Health Trust".to_string(), "Other organisations".to_string()])
    );
    // Numbers carry two decimals at most.
    let mean = theme(&rounds[0], "share-power")["mean"].as_f64().expect("mean");
    assert_eq!((mean * 100.0).round() / 100.0, mean);

    let text = String::from_utf8(collabmap(&["assess", &dir]).stdout).expect("utf-8");
    assert!(text.contains("Gap: insist-without-sharing") && text.contains("? "), "gaps come with questions");

    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let written = collabmap(&["assess", &dir, "--format", "html", "-o", &site.to_string_lossy()]);
    assert!(written.status.success());
    let html = std::fs::read_to_string(site.join("index.html")).expect("page");
    assert_eq!(html.matches("class=\"bar\"").count(), 36, "a bar per theme in each of three rounds");
    assert!(html.contains("data-band=\"concern\"") && html.contains("<h2>Trend</h2>") && html.contains("Gaps and questions"));
}

#[test]
fn survey_and_compare() {
    let dir = example().to_string_lossy().to_string();
    let markdown = String::from_utf8(collabmap(&["survey", &dir]).stdout).expect("utf-8");
    assert_eq!(markdown.lines().filter(|l| l.starts_with("| ") && l.contains("○")).count(), 36, "three statements per model theme");
    assert!(markdown.contains("`share-power-2`"));
    let html = String::from_utf8(collabmap(&["survey", &dir, "--format", "html"]).stdout).expect("utf-8");
    assert!(html.starts_with("<!doctype html>") && html.contains("share-power-3"));

    // A second collaboration: the same partners, still at their first round.
    let out = tempfile::tempdir().expect("tempdir");
    let other = out.path().join("other");
    std::fs::create_dir_all(&other).expect("folder");
    for file in ["collaboration.toml", "responses.csv", "evidence.toml"] {
        std::fs::copy(example().join(file), other.join(file)).expect("copy");
    }
    let toml = std::fs::read_to_string(other.join("collaboration.toml")).expect("read").replace("Riverside Homes and Health Partnership", "Northgate Pilot");
    let toml = toml.split("\n[[round]]\nid = \"2024\"").next().expect("first part").to_string();
    std::fs::write(other.join("collaboration.toml"), toml).expect("write");
    let responses: String = std::fs::read_to_string(other.join("responses.csv"))
        .expect("read")
        .lines()
        .filter(|l| !l.starts_with("2024,") && !l.starts_with("2025,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(other.join("responses.csv"), responses).expect("write");
    let other_dir = other.to_string_lossy().to_string();
    let compared = json_of(&["compare", &dir, &other_dir, "--format", "json"]);
    let names: Vec<&str> = compared["collaborations"].as_array().expect("list").iter().map(|c| c["name"].as_str().expect("name")).collect();
    assert_eq!(names, vec!["Riverside Homes and Health Partnership", "Northgate Pilot"]);
    assert_eq!(compared["collaborations"][1]["latest"]["round"], json!("2023"));
    let text = String::from_utf8(collabmap(&["compare", &dir, &other_dir]).stdout).expect("utf-8");
    assert!(text.contains("Northgate Pilot:") && text.contains("insist-without-sharing"));
    let page = out.path().join("page");
    assert!(collabmap(&["compare", &dir, &other_dir, "--format", "html", "-o", &page.to_string_lossy()]).status.success());
    assert_eq!(std::fs::read_to_string(page.join("index.html")).expect("page").matches("<svg").count(), 2);
}

#[test]
fn broken_folders_are_refused_with_every_problem_and_nothing_is_scored() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("broken");
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::write(dir.join("collaboration.toml"), "name = \"X\"\n\n[[leader]]\nname = \"Ana\"\n\n[[round]]\nid = \"r1\"\ndate = \"2024-01-01\"\n")
        .expect("write");
    std::fs::write(
        dir.join("responses.csv"),
        "round,respondent,organisation,role,item,score\nr1,a,Police,officer,share-power-1,6\nr2,a,Police,officer,share-power-1,4\nr1,a,Police,officer,no-such-item,4\nr1,a,Health,officer,share-power-2,4\n",
    )
    .expect("write");
    std::fs::write(dir.join("survey.toml"), "[[item]]\nid = \"share-power-1\"\ntheme = \"share-power\"\ntext = \"a\"\n\n[[item]]\nid = \"share-power-2\"\ntheme = \"share-power\"\ntext = \"b\"\n\n[[item]]\nid = \"x\"\ntheme = \"sharepower\"\ntext = \"c\"\n").expect("write");
    let output = collabmap(&["assess", &dir.to_string_lossy(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing is scored");
    let errors = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "collaboration.toml:3: leader `Ana` has no `since` date",
        "survey.toml:11: item `x`: `sharepower` is not a theme of the model (did you mean share-power?)",
        "responses.csv:2: score `6` is not 1, 2, 3, 4 or 5",
        "responses.csv:3: unknown round `r2`",
        "responses.csv:4: unknown item `no-such-item`",
        "responses.csv:5: respondent `a` is listed under `Police` and `Health` in round `r1`",
    ] {
        assert!(errors.contains(expected), "missing {expected:?} in:\n{errors}");
    }
    let missing = collabmap(&["assess", &out.path().join("nowhere").to_string_lossy()]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("has no collaboration.toml"));
}
