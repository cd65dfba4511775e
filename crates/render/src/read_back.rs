//! The end-of-interview summary: the map read back to the interviewee as
//! numbered sentences, in the order the map was written, so the interviewer
//! can read it aloud and ask what is missing.

use collabmap_study::{Concept, Interview, MapNodeKind};

/// One sentence of the read-back, with the line of the map it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The line in the interview file.
    pub line: usize,
    /// The sentence.
    pub text: String,
}

/// The map of `interview` as sentences a person can hear: each purpose, then
/// for each means "To END, you said you MEANS.", a means that works against
/// its end quoted as said ("You said “…” worked against your aim to …",
/// whatever its grammar), and a cross-link said as "also".
pub fn read_back(interview: &Interview) -> Vec<Sentence> {
    let concept = |index: usize| match &interview.map.get(index)?.kind {
        MapNodeKind::Concept(concept) => Some(concept),
        MapNodeKind::CrossLink { .. } => None,
    };
    let mut sentences = Vec::new();
    for node in &interview.map {
        let end = node.parent.and_then(concept);
        let text = match (&node.kind, end) {
            (MapNodeKind::Concept(means), None) => format!("What you set out to do: {}.", spoken(means, false)),
            (MapNodeKind::Concept(means), Some(end)) if node.negative => {
                format!("You said “{}” worked against your aim to {}.", spoken(means, false), spoken(end, true))
            }
            (MapNodeKind::Concept(means), Some(end)) => format!("To {}, you said you {}.", spoken(end, true), spoken(means, true)),
            (MapNodeKind::CrossLink { resolved: Some(target), .. }, Some(end)) => match concept(*target) {
                Some(means) if node.negative => format!("You also said “{}” worked against your aim to {}.", spoken(means, false), spoken(end, true)),
                Some(means) => format!("To {}, you also said you {}.", spoken(end, true), spoken(means, true)),
                None => continue,
            },
            _ => continue,
        };
        sentences.push(Sentence { line: node.line, text });
    }
    sentences
}

/// A concept's words as they sit inside a sentence: the first letter lowered
/// unless it starts an acronym ("NHS"), the contrast said as "rather than",
/// and no full stop of its own.
fn spoken(concept: &Concept, inside: bool) -> String {
    let mut words = concept.pole.trim().trim_end_matches(['.', '!', '?', ';', ':']).to_string();
    if inside {
        let mut chars = words.chars();
        if let (Some(first), second) = (chars.next(), chars.next())
            && first.is_uppercase()
            && !second.is_some_and(char::is_uppercase)
        {
            words = first.to_lowercase().chain(words.chars().skip(1)).collect();
        }
    }
    if let Some(contrast) = &concept.contrast {
        words.push_str(" rather than ");
        words.push_str(contrast.trim().trim_end_matches(['.', '!', '?', ';', ':']));
    }
    words
}

/// The map as a nested list in HTML, each concept under the end it serves,
/// in the order written: the drawing's text alternative. A contrast pole
/// reads "rather than", a means that works against its end says so, and a
/// cross-link names the concept it points to.
pub fn outline_html(interview: &Interview) -> String {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); interview.map.len()];
    let mut heads = Vec::new();
    for (index, node) in interview.map.iter().enumerate() {
        match node.parent.filter(|&p| p < index) {
            Some(parent) => children[parent].push(index),
            None => heads.push(index),
        }
    }
    let mut out = String::new();
    outline_items(interview, &children, &heads, &mut out);
    out
}

fn outline_items(interview: &Interview, children: &[Vec<usize>], items: &[usize], out: &mut String) {
    if items.is_empty() {
        return;
    }
    out.push_str("<ul class=\"map-outline\">");
    for &index in items {
        let node = &interview.map[index];
        out.push_str("<li>");
        if node.negative {
            out.push_str("<em>Works against the end above:</em> ");
        }
        match &node.kind {
            MapNodeKind::Concept(concept) => out.push_str(&crate::svg::escape(&spoken(concept, false))),
            MapNodeKind::CrossLink { resolved, .. } => {
                let target = resolved.and_then(|t| match &interview.map.get(t)?.kind {
                    MapNodeKind::Concept(concept) => Some(spoken(concept, false)),
                    MapNodeKind::CrossLink { .. } => None,
                });
                out.push_str(&format!("<em>Also:</em> {}", crate::svg::escape(&target.unwrap_or_else(|| "a concept named elsewhere".into()))));
            }
        }
        outline_items(interview, children, &children[index], out);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use collabmap_study::{InterviewContext, parse_interview};

    #[test]
    fn a_map_reads_back_as_numbered_sentences_in_the_order_written() {
        let text = "---\npeople: [p1]\n---\n\n# Map\n\n- Cut detention of young people ^aim\n  - Meet every week ... meet when things go wrong\n    - Share the NHS data\n  - (-) Targets set in London\n- Keep families housed\n  - [[#^aim]]\n";
        let codebook = collabmap_study::Codebook::default();
        let people = ["p1"].into_iter().collect();
        let projects = Default::default();
        let context = InterviewContext { codebook: &codebook, people: &people, projects: &projects, files: None, check_codes: false };
        let (interview, problems) = parse_interview(text.as_bytes(), "interviews/i.md", &context);
        assert!(problems.is_empty(), "{problems:?}");
        let outline = outline_html(&interview);
        assert!(
            outline.starts_with("<ul class=\"map-outline\"><li>Cut detention of young people<ul class=\"map-outline\"><li>Meet every week rather than meet when things go wrong<ul class=\"map-outline\"><li>Share the NHS data</li></ul></li><li><em>Works against the end above:</em> Targets set in London</li></ul></li>"),
            "{outline}"
        );
        assert!(
            outline.contains("<li>Keep families housed<ul class=\"map-outline\"><li><em>Also:</em> Cut detention of young people</li></ul></li>"),
            "{outline}"
        );
        let said: Vec<(usize, String)> = read_back(&interview).into_iter().map(|s| (s.line, s.text)).collect();
        assert_eq!(
            said,
            [
                (7, "What you set out to do: Cut detention of young people.".to_string()),
                (8, "To cut detention of young people, you said you meet every week rather than meet when things go wrong.".to_string()),
                (9, "To meet every week rather than meet when things go wrong, you said you share the NHS data.".to_string()),
                (10, "You said “Targets set in London” worked against your aim to cut detention of young people.".to_string()),
                (11, "What you set out to do: Keep families housed.".to_string()),
                (12, "To keep families housed, you also said you cut detention of young people.".to_string()),
            ]
        );
        let acronym = Concept { pole: "NHS trusts.".into(), ..Concept::default() };
        assert_eq!(spoken(&acronym, true), "NHS trusts");
    }
}
