//! Search results as JSON and text: the same bytes from `collabmap search`
//! and the workspace's API.

use collabmap_analysis::search::Hit;
use collabmap_study::Study;
use serde::Serialize;

use crate::evidence::kind_name;

#[derive(Serialize)]
struct HitJson<'a> {
    file: &'a str,
    interview: &'a str,
    line: usize,
    kind: &'static str,
    text: &'a str,
    /// Where the words were found in `text`, as character offsets `[start, end)`.
    matches: Vec<[usize; 2]>,
    codes: Vec<&'a str>,
}

/// `search --format json`: `[{"file", "interview", "line", "kind", "text", "matches", "codes"}]`.
pub fn hits_json(study: &Study, hits: &[Hit]) -> String {
    let themes = study.codebook.themes();
    let rows: Vec<HitJson<'_>> = hits
        .iter()
        .map(|hit| {
            let interview = &study.interviews[hit.interview];
            // Character offsets, which every client language can slice by.
            let chars = |byte: usize| hit.text[..byte].chars().count();
            HitJson {
                file: &interview.file,
                interview: &interview.id,
                line: hit.line,
                kind: kind_name(hit.kind),
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
        let interview = &study.interviews[hit.interview];
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
        out.push_str(&format!(
            "{}:{}  {}  {marked}{}\n",
            interview.file,
            hit.line,
            kind_name(hit.kind),
            if codes.is_empty() { String::new() } else { format!("  {}", codes.join(" ")) }
        ));
    }
    out.push_str(&format!("{} found\n", if hits.len() == 1 { "1 item".to_string() } else { format!("{} items", hits.len()) }));
    out
}
