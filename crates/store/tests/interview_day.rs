//! Drafts and check-back links keep their promises on both databases: one
//! draft per interview, one open link per attendee, and a confirmation that
//! is recorded together with its change to the study or not at all.

use collabmap_store::testing::every_backend;
use collabmap_store::{Change, CheckBackState, ConfirmError, NewSuggestion, Note, Store};
use collabmap_study::MemoryFiles;

async fn study_with_one_interview(store: &Store) -> (i64, i64) {
    let owner = store.add_user("owner@example.org", "a long secret", false).await.expect("user");
    let mut files = MemoryFiles::new();
    files.insert("interviews/i1.md".to_string(), b"first".to_vec());
    let study = store.create_study(owner.id, "S", &files).await.expect("study");
    (owner.id, study)
}

#[tokio::test]
async fn an_interview_has_one_draft_until_it_is_discarded() {
    for database in every_backend().await {
        let store = Store::open(&database.url).await.expect("open");
        let (owner, study) = study_with_one_interview(&store).await;
        assert_eq!(store.draft(study, "i1").await.expect("read"), None);
        store.save_draft(study, "i1", owner, "- half a map #unknown").await.expect("kept");
        store.save_draft(study, "i1", owner, "- more of it").await.expect("kept");
        let draft = store.draft(study, "i1").await.expect("read").expect("a draft");
        assert_eq!((draft.text.as_str(), draft.saved_by.as_deref()), ("- more of it", Some("owner@example.org")));
        store.save_draft(study, "new-one", owner, "x").await.expect("kept");
        let names: Vec<String> = store.drafts(study).await.expect("list").into_iter().map(|d| d.interview).collect();
        assert_eq!(names, ["i1", "new-one"]);
        store.discard_draft(study, "i1").await.expect("discarded");
        assert_eq!(store.draft(study, "i1").await.expect("read"), None);
        store.close().await;
        database.remove().await;
    }
}

#[tokio::test]
async fn the_latest_drafts_come_first_and_the_rest_are_counted() {
    for database in every_backend().await {
        let store = Store::open(&database.url).await.expect("open");
        let (owner, study) = study_with_one_interview(&store).await;
        for n in 0..5 {
            store.save_draft(study, &format!("d{n}"), owner, "- a long text that the list never reads").await.expect("kept");
        }
        // Kept a second later: the clock the drafts are stamped with counts seconds.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        store.save_draft(study, "d0", owner, "- typed again").await.expect("kept");
        let (latest, total) = store.latest_drafts(study, 3).await.expect("list");
        let names: Vec<_> = latest.iter().map(|d| d.interview.as_str()).collect();
        assert_eq!((names, total), (vec!["d0", "d1", "d2"], 5), "the draft typed last first, then by name; all five counted");
        assert_eq!(latest[0].saved_by.as_deref(), Some("owner@example.org"));
        let other = store.create_study(owner, "T", &MemoryFiles::new()).await.expect("study");
        assert_eq!(store.latest_drafts(other, 3).await.expect("list"), (Vec::new(), 0), "another study's drafts are its own");
        store.close().await;
        database.remove().await;
    }
}

#[tokio::test]
async fn a_check_back_is_confirmed_once_together_with_its_change() {
    for database in every_backend().await {
        let store = Store::open(&database.url).await.expect("open");
        let (owner, study) = study_with_one_interview(&store).await;
        let first = store.issue_checkback(study, "i1", "p1", owner, 14).await.expect("issued");
        let second = store.issue_checkback(study, "i1", "p1", owner, 14).await.expect("issued");
        let now = i64::MAX / 2;
        let earlier = store.checkback(&first).await.expect("read").expect("found");
        assert_eq!(earlier.state(earlier.created), CheckBackState::Revoked, "one open link per attendee");
        let link = store.checkback(&second).await.expect("read").expect("found");
        assert_eq!(link.state(link.created), CheckBackState::Open);
        assert_eq!(link.state(now), CheckBackState::Expired);
        assert_eq!(store.checkback("not a token").await.expect("read"), None);

        let note = Note { message: Some("checked back".into()), author: Some("the interviewee (check-back link)".into()), ..Note::default() };
        let suggestion = NewSuggestion { line: 7, kind: "concept".into(), original: "Meet".into(), suggestion: "Meet weekly".into() };
        // A change that conflicts leaves the link open and nothing recorded.
        let stale = Change { path: "interviews/i1.md".into(), expected: Some(99), content: Some(b"second".to_vec()) };
        assert!(matches!(store.confirm_checkback(&link, "{}", std::slice::from_ref(&suggestion), &[stale], 1, &note).await, Err(ConfirmError::Change(_))));
        assert_eq!(store.checkback(&second).await.expect("read").expect("found").confirmed, None);
        assert!(store.suggestions(study, None).await.expect("list").is_empty());

        let change = Change { path: "interviews/i1.md".into(), expected: Some(1), content: Some(b"second".to_vec()) };
        let revision =
            store.confirm_checkback(&link, "{\"all\":\"anonymous\"}", &[suggestion], std::slice::from_ref(&change), 1, &note).await.expect("confirmed");
        assert_eq!(revision, 2);
        let confirmed = store.checkback(&second).await.expect("read").expect("found");
        assert_eq!(confirmed.state(now), CheckBackState::Confirmed);
        assert_eq!(confirmed.consent.as_deref(), Some("{\"all\":\"anonymous\"}"));
        let again = Change { expected: Some(2), ..change };
        assert!(matches!(store.confirm_checkback(&link, "{}", &[], &[again], 2, &note).await, Err(ConfirmError::Closed)));
        let history = store.history(study).await.expect("history");
        assert_eq!(history[0].by.as_deref(), Some("the interviewee (check-back link)"), "the history says who changed it");

        let suggestions = store.suggestions(study, Some("i1")).await.expect("list");
        assert_eq!((suggestions.len(), suggestions[0].person.as_str(), suggestions[0].decision.as_deref()), (1, "p1", None));
        assert!(store.decide_suggestion(study, suggestions[0].id, true, owner).await.expect("decided"));
        assert!(!store.decide_suggestion(study, suggestions[0].id, false, owner).await.expect("read"), "decided once");
        let decided = store.suggestions(study, None).await.expect("list");
        assert_eq!((decided[0].decision.as_deref(), decided[0].decided_by.as_deref()), (Some("accepted"), Some("owner@example.org")));

        let third = store.issue_checkback(study, "i1", "p2", owner, 14).await.expect("issued");
        let open = store.checkback(&third).await.expect("read").expect("found");
        assert!(store.revoke_checkback(study, open.id).await.expect("revoked"));
        assert!(!store.revoke_checkback(study, open.id).await.expect("read"), "revoked once");
        assert!(matches!(store.confirm_checkback(&open, "{}", &[], &[], 2, &note).await, Err(ConfirmError::Closed)));
        assert_eq!(store.checkbacks(study, None).await.expect("list").len(), 3);
        store.close().await;
        database.remove().await;
    }
}
