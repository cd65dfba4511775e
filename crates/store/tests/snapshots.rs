//! Snapshots stay consistent and available while saves land, on both databases.

use collabmap_store::testing::every_backend;
use collabmap_store::{Change, Store};
use collabmap_study::MemoryFiles;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_taken_during_saves_are_whole_and_never_refused() {
    for database in every_backend().await {
        let store = Store::open(&database.url).await.expect("open");
        let owner = store.add_user("owner@example.org", "a long secret", false).await.expect("user");
        let mut files = MemoryFiles::new();
        for n in 0..20 {
            files.insert(format!("interviews/i{n}.md"), b"0".to_vec());
        }
        let study = store.create_study(owner.id, "S", &files).await.expect("study");
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut versions = [1i64; 20];
                for round in 1..=15i64 {
                    for (n, version) in versions.iter_mut().enumerate() {
                        let change = Change { path: format!("interviews/i{n}.md"), expected: Some(*version), content: Some(round.to_string().into_bytes()) };
                        *version = store.change_files(study, owner.id, &[change], None, None).await.expect("saved without conflict");
                    }
                }
            })
        };
        let mut seen = 0;
        while !writer.is_finished() {
            let snapshot = store.snapshot(study).await.expect("a snapshot is never refused").expect("the study");
            // Every file's version is at most the study's revision, and the newest file carries it.
            let newest = snapshot.versions.values().copied().max().expect("files");
            assert!(newest <= snapshot.revision, "{newest} > {}", snapshot.revision);
            assert!(snapshot.revision == 1 || newest == snapshot.revision, "files from one revision only");
            seen += 1;
        }
        writer.await.expect("writer");
        assert!(seen > 0);
        store.close().await;
        database.remove().await;
    }
}

#[tokio::test]
async fn a_study_at_any_revision_is_every_file_as_it_was_then() {
    for database in every_backend().await {
        let store = Store::open(&database.url).await.expect("open");
        let owner = store.add_user("owner@example.org", "a long secret", false).await.expect("user");
        let mut files = MemoryFiles::new();
        for path in ["a.md", "b.md", "c.md"] {
            files.insert(path.to_string(), format!("{path} 1").into_bytes());
        }
        let study = store.create_study(owner.id, "S", &files).await.expect("study");
        let change =
            |path: &str, expected: Option<i64>, content: Option<&str>| Change { path: path.into(), expected, content: content.map(|c| c.as_bytes().to_vec()) };
        // Revision 2 changes a, 3 adds d, 4 removes b, 5 changes a again.
        let steps = [
            change("a.md", Some(1), Some("a.md 2")),
            change("d.md", None, Some("d.md 3")),
            change("b.md", Some(1), None),
            change("a.md", Some(2), Some("a.md 5")),
        ];
        for step in steps {
            store.change_files(study, owner.id, &[step], None, None).await.expect("saved");
        }
        let expected: [&[(&str, &str)]; 5] = [
            &[("a.md", "a.md 1"), ("b.md", "b.md 1"), ("c.md", "c.md 1")],
            &[("a.md", "a.md 2"), ("b.md", "b.md 1"), ("c.md", "c.md 1")],
            &[("a.md", "a.md 2"), ("b.md", "b.md 1"), ("c.md", "c.md 1"), ("d.md", "d.md 3")],
            &[("a.md", "a.md 2"), ("c.md", "c.md 1"), ("d.md", "d.md 3")],
            &[("a.md", "a.md 5"), ("c.md", "c.md 1"), ("d.md", "d.md 3")],
        ];
        for (revision, files) in (1..).zip(expected) {
            let snapshot = store.snapshot_at(study, revision).await.expect("read").expect("a revision the study has");
            let mut found: Vec<(String, String)> = snapshot.files.iter().map(|(p, b)| (p.to_string(), String::from_utf8_lossy(b).into_owned())).collect();
            found.sort();
            let wanted: Vec<(String, String)> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
            assert_eq!(found, wanted, "{} at revision {revision}", database.url);
            assert_eq!(snapshot.revision, revision);
            for path in store.paths_ever(study).await.expect("paths") {
                assert_eq!(store.file_at(study, &path, revision).await.expect("file"), snapshot.files.get(&path).map(<[u8]>::to_vec), "{path} at {revision}");
            }
        }
        // One file's history is the study's history of that file.
        for path in ["a.md", "b.md", "c.md", "d.md"] {
            let all: Vec<_> = store.history(study).await.expect("history").into_iter().filter(|c| c.path == path).collect();
            assert_eq!(store.file_history(study, path).await.expect("file history"), all, "{path}");
        }
        let revisions: Vec<i64> = store.file_history(study, "a.md").await.expect("file history").iter().map(|c| c.revision).collect();
        assert_eq!(revisions, [5, 2, 1], "a.md: changed at 5 and 2, imported at 1");
        assert!(store.snapshot_at(study, 6).await.expect("read").is_none(), "no revision after the latest");
        assert!(store.snapshot_at(study, 0).await.expect("read").is_none());
        // Read a page at a time, each revision's files cut to one, the history is the whole history.
        store.change_files(study, owner.id, &[change("e.md", None, Some("e")), change("f.md", None, Some("f"))], None, None).await.expect("saved");
        let whole = store.history(study).await.expect("history");
        let mut expected: Vec<i64> = whole.iter().map(|c| c.revision).collect();
        expected.dedup();
        let (_, total) = store.history_page(study, 0, 1, 1).await.expect("page");
        assert_eq!(total, expected.len() as i64);
        let mut seen = Vec::new();
        for skip in (0..total).step_by(2) {
            let (page, count) = store.history_page(study, skip, 2, 1).await.expect("page");
            assert_eq!(count, total);
            assert!(page.len() <= 2);
            for revision in page {
                let all: Vec<_> = whole.iter().filter(|c| c.revision == revision.changes[0].revision).cloned().collect();
                assert_eq!((revision.files, revision.changes.clone()), (all.len() as i64, all[..1].to_vec()), "{}", database.url);
                seen.push(revision.changes[0].revision);
            }
        }
        assert_eq!(seen, expected, "every revision once, newest first");
        let (newest, _) = store.history_page(study, 0, 1, 10).await.expect("page");
        assert_eq!((newest[0].files, newest[0].changes.len()), (2, 2), "the two files of the last save");
        assert!(store.history_page(study, total, 2, 1).await.expect("page").0.is_empty(), "past the end: nothing");
        store.close().await;
        database.remove().await;
    }
}

#[tokio::test]
async fn a_snapshot_built_from_an_earlier_one_and_the_changes_since_equals_a_fresh_one() {
    for database in every_backend().await {
        let store = Store::open(&database.url).await.expect("open");
        let owner = store.add_user("owner@example.org", "a long secret", false).await.expect("user");
        let mut files = MemoryFiles::new();
        for n in 0..6 {
            files.insert(format!("interviews/i{n}.md"), format!("i{n} 1").into_bytes());
        }
        let study = store.create_study(owner.id, "S", &files).await.expect("study");
        let mut kept = vec![store.snapshot(study).await.expect("read").expect("study")];
        // Changes, additions, deletions and a file deleted then added again, one or two files a save.
        for step in 0..24u32 {
            let now = store.snapshot(study).await.expect("read").expect("study");
            let path = format!("interviews/i{}.md", (step * 7) % 9);
            let expected = now.versions.get(&path).copied();
            let content = if step % 5 == 4 && expected.is_some() { None } else { Some(format!("{path} at step {step}").into_bytes()) };
            let mut changes = vec![Change { path: path.clone(), expected, content }];
            if step % 3 == 0 {
                let other = format!("memos/m{step}.md");
                changes.push(Change { path: other, expected: None, content: Some(b"memo".to_vec()) });
            }
            store.change_files(study, owner.id, &changes, None, None).await.expect("saved");
            let fresh = store.snapshot(study).await.expect("read").expect("study");
            // From the revision just before, and from every earlier one: the same files and versions.
            for earlier in &kept {
                let built = store.snapshot_after(study, earlier.revision, &earlier.files, &earlier.versions).await.expect("read").expect("study");
                assert_eq!(built.revision, fresh.revision);
                assert_eq!(built.files, fresh.files, "files from revision {} to {}", earlier.revision, fresh.revision);
                assert_eq!(built.versions, fresh.versions, "versions from revision {} to {}", earlier.revision, fresh.revision);
            }
            kept.push(fresh);
        }
        assert!(store.snapshot_after(424_242, kept[0].revision, &kept[0].files, &kept[0].versions).await.expect("read").is_none(), "no such study");
        store.close().await;
        database.remove().await;
    }
}
