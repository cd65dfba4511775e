//! Search results as JSON and text: the same bytes from `collabmap search`
//! and the workspace's API.

use collabmap_analysis::search::{Hit, Source};
use collabmap_study::Study;
use serde::Serialize;

use crate::evidence::kind_name;

#[derive(Serialize)]
struct HitJson<'a> {
    file: &'a str,
    /// The interview's id; null for a memo.
    interview: Option<&'a str>,
    line: usize,
    kind: &'static str,
    text: &'a str,
    /// Where the words were found in `text`, as character offsets `[start, end)`.
    matches: Vec<[usize; 2]>,
    codes: Vec<&'a str>,
}

/// The file a hit is in, its interview's id (none for a memo) and the kind of text.
pub fn where_found<'s>(study: &'s Study, hit: &Hit) -> (&'s str, Option<&'s str>, &'static str) {
    match hit.source {
        Source::Interview { index, kind } => {
            let interview = &study.interviews[index];
            (&interview.file, Some(&interview.id), kind_name(kind))
        }
        Source::Memo(memo) => (&study.memos[memo].file, None, "memo"),
    }
}

/// `search --format json`: `[{"file", "interview", "line", "kind", "text", "matches", "codes"}]`.
pub fn hits_json(study: &Study, hits: &[Hit]) -> String {
    let themes = study.codebook.themes();
    let rows: Vec<HitJson<'_>> = hits
        .iter()
        .map(|hit| {
            let (file, interview, kind) = where_found(study, hit);
            // Character offsets, which every client language can slice by.
            let chars = |byte: usize| hit.text[..byte].chars().count();
            HitJson {
                file,
                interview,
                line: hit.line,
                kind,
                text: &hit.text,
                matches: hit.matches.iter().map(|&(start, end)| [chars(start), chars(end)]).collect(),
                codes: hit.codes.iter().map(|&t| themes[t].id.as_str()).collect(),
            }
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
}

/// `search`: one line per hit, `file:line  kind  text` with each match in [brackets], then its codes.
pub fn hits_text(study: &Study, hits: &[Hit]) -> String {
    let themes = study.codebook.themes();
    let mut out = String::new();
    for hit in hits {
        let (file, _, kind) = where_found(study, hit);
        let mut marked = String::new();
        let mut at = 0;
        for &(start, end) in &hit.matches {
            if start < at {
                continue;
            }
            marked.push_str(&hit.text[at..start]);
            marked.push('[');
            marked.push_str(&hit.text[start..end]);
            marked.push(']');
            at = end;
        }
        marked.push_str(&hit.text[at..]);
        let codes: Vec<String> = hit.codes.iter().map(|&t| format!("#{}", themes[t].id)).collect();
        out.push_str(&format!("{file}:{}  {kind}  {marked}{}\n", hit.line, if codes.is_empty() { String::new() } else { format!("  {}", codes.join(" ")) }));
    }
    out.push_str(&format!("{} found\n", if hits.len() == 1 { "1 item".to_string() } else { format!("{} items", hits.len()) }));
    out
}
