//! The study format's trust rules: paths stay inside the study, pictures are
//! images, and both hold on disk and in memory alike.

use collabmap_study::{MemoryFiles, load_from, load_study};

const STUDY: &str = "title = \"T\"\ncodebook = \"whole-systems\"\n";
const PEOPLE: &str = "id,name\np01,Ana\n";
const INTERVIEW: &str = "---\npeople: [p01]\n---\n\n# Map\n\n- Cut detention #common-purpose\n";

fn study(settings: &str) -> MemoryFiles {
    let mut files = MemoryFiles::new();
    files.insert("study.toml", settings.as_bytes().to_vec());
    files.insert("people.csv", PEOPLE.as_bytes().to_vec());
    files.insert("interviews/a.md", INTERVIEW.as_bytes().to_vec());
    files
}

#[test]
fn a_codebook_outside_the_study_is_refused_at_its_line_and_never_read() {
    let outer = tempfile::tempdir().expect("temp");
    // A perfectly good codebook, one folder up: reading it would succeed if the path were followed.
    std::fs::write(outer.path().join("x.toml"), collabmap_study::Codebook::builtin_text("whole-systems").expect("built in")).expect("write");
    let dir = outer.path().join("study");
    let settings = "title = \"T\"\n\ncodebook = \"../x.toml\"\n";
    study(settings).write_folder(&dir).expect("write");
    for (surface, problems) in [("folder", load_study(&dir).problems), ("memory", load_from(&study(settings)).problems)] {
        assert!(
            problems.iter().any(|p| p.path == "study.toml" && p.line == 3 && p.message.contains("lies outside the study folder")),
            "{surface}: {problems:?}"
        );
    }
    for path in ["/etc/hosts", "C:\\\\codebooks\\\\x.toml", "a/../../x.toml"] {
        let problems = load_from(&study(&format!("title = \"T\"\ncodebook = \"{path}\"\n"))).problems;
        assert!(problems.iter().any(|p| p.line == 2 && p.message.contains("outside the study folder")), "{path}: {problems:?}");
    }
}

#[test]
fn pictures_must_be_images_in_the_folder_and_in_picture_lines() {
    let mut files = study(STUDY);
    files.insert("pictures/phish.html", b"<form action=https://evil.example>".to_vec());
    files.insert("pictures/ok.png", vec![0x89, b'P', b'N', b'G']);
    let problems = load_from(&files).problems;
    assert!(problems.iter().any(|p| p.path == "pictures/phish.html" && p.message.contains("not a picture")), "{problems:?}");
    assert!(!problems.iter().any(|p| p.path == "pictures/ok.png"), "{problems:?}");

    let mut files = study(STUDY);
    files.insert("notes/page.html", b"<p>".to_vec());
    files.insert("interviews/a.md", format!("{INTERVIEW}\n# Pictures\n\n![A page](notes/page.html)\n").into_bytes());
    let problems = load_from(&files).problems;
    assert!(problems.iter().any(|p| p.path == "interviews/a.md" && p.line == 11 && p.message.contains("not a picture")), "{problems:?}");
}

#[test]
fn an_anonymous_persons_identifying_columns_are_never_disclosed() {
    let columns: Vec<String> = ["id", "name", "role", "organisation", "attribution"].map(String::from).to_vec();
    let person = |anonymous: bool| collabmap_study::Person {
        id: "p1".into(),
        name: "Ann Secret".into(),
        values: ["p1", "Ann Secret", "Nurse", "Hidden Clinic", if anonymous { "anonymous" } else { "named" }].map(String::from).to_vec(),
        anonymous,
    };
    let anonymous = person(true);
    let shown_anonymous: Vec<&str> = columns.iter().map(|c| anonymous.disclosed(&columns, c)).collect();
    assert_eq!(shown_anonymous, ["p1", "", "Nurse", "", "anonymous"]);
    let named = person(false);
    let shown_named: Vec<&str> = columns.iter().map(|c| named.disclosed(&columns, c)).collect();
    assert_eq!(shown_named, ["p1", "Ann Secret", "Nurse", "Hidden Clinic", "named"]);
}
