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
