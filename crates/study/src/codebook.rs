//! Codebooks: the themes a study codes its items with, their hierarchy, and
//! the built-in `whole-systems` codebook.

use std::collections::HashMap;

use serde::Deserialize;

use crate::problem::{LineIndex, Problem, line_of_offset, suggestion};

/// Names of the codebooks built into collabmap.
pub const BUILTIN_CODEBOOKS: &[&str] = &["whole-systems"];

const WHOLE_SYSTEMS: &str = include_str!("../codebooks/whole-systems.toml");

/// What a codebook entry stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeKind {
    /// Something that made collaboration work: the codes the model is made of.
    Theme,
    /// Something that got in its way.
    Barrier,
    /// A reason to collaborate.
    Reason,
}

impl CodeKind {
    /// The word used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::Theme => "theme",
            CodeKind::Barrier => "barrier",
            CodeKind::Reason => "reason",
        }
    }
}

/// One codebook entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Lowercase id, `[a-z0-9-]+`, used as `#id` in interviews.
    pub id: String,
    /// Human name.
    pub name: String,
    /// The id of the broader entry this one belongs to.
    pub parent: Option<String>,
    /// Code, barrier or reason.
    pub kind: CodeKind,
    /// Whether the theme takes part in the model (always false for barriers and reasons).
    pub model: bool,
    /// Phrases whose presence in an item's text infers this code.
    pub indicators: Vec<String>,
    /// What the theme means, for readers of the report.
    pub description: String,
    /// Reflective questions for leaders.
    pub queries: Vec<String>,
    /// Line of the `[[theme]]` table in its file (1 for built-ins built in code).
    pub line: usize,
}

/// An ordered set of themes with a parent hierarchy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Codebook {
    /// The built-in name or the file name it came from.
    pub name: String,
    themes: Vec<Code>,
    by_id: HashMap<String, usize>,
    parents: Vec<Option<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodebookFile {
    #[serde(default)]
    theme: Vec<toml::Spanned<ThemeEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeEntry {
    id: toml::Spanned<String>,
    name: String,
    parent: Option<toml::Spanned<String>>,
    kind: Option<CodeKind>,
    model: Option<bool>,
    #[serde(default)]
    indicators: Vec<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    queries: Vec<String>,
}

/// Whether `id` is a well-formed codebook id.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A code id the codebook does not have, with the nearest one it has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the codebook has no theme `{id}`{hint}")]
pub struct UnknownCode {
    /// The id asked for.
    pub id: String,
    /// " (did you mean …?)", or nothing.
    pub hint: String,
}

impl Codebook {
    /// A built-in codebook by name.
    pub fn builtin(name: &str) -> Option<Codebook> {
        match name {
            "whole-systems" => {
                let (codebook, problems) = Codebook::parse(WHOLE_SYSTEMS, "whole-systems");
                debug_assert!(problems.is_empty(), "built-in codebook is invalid: {problems:?}");
                Some(codebook)
            }
            _ => None,
        }
    }

    /// The TOML text of a built-in codebook, for `collabmap new` and exports.
    pub fn builtin_text(name: &str) -> Option<&'static str> {
        (name == "whole-systems").then_some(WHOLE_SYSTEMS)
    }

    /// Parses a codebook file. Never fails: bad entries become problems and are left out.
    pub fn parse(text: &str, path: &str) -> (Codebook, Vec<Problem>) {
        let mut problems = Vec::new();
        let file: CodebookFile = match toml::from_str(text) {
            Ok(file) => file,
            Err(error) => {
                let line = error.span().map(|s| line_of_offset(text, s.start)).unwrap_or(1);
                problems.push(Problem::new(path, line, format!("invalid codebook: {}", error.message())));
                return (Codebook { name: path.to_string(), ..Default::default() }, problems);
            }
        };
        let mut themes: Vec<Code> = Vec::new();
        let mut by_id = HashMap::new();
        let mut parent_lines = Vec::new();
        // One index for every entry's line, so a codebook of any size is read in linear time.
        let lines = LineIndex::new(text.as_bytes());
        for entry in file.theme {
            let line = lines.line(entry.span().start);
            let entry = entry.into_inner();
            let id_line = lines.line(entry.id.span().start);
            let id = entry.id.into_inner();
            if !is_valid_id(&id) {
                problems.push(Problem::new(path, id_line, format!("theme id `{id}` must use only lowercase letters, digits and `-` (try `{}`)", slug(&id))));
                continue;
            }
            if let Some(&first) = by_id.get(&id) {
                let first: &Code = &themes[first];
                problems.push(Problem::new(
                    path,
                    id_line,
                    format!("duplicate theme id `{id}` (first defined at line {}); give each theme its own id", first.line),
                ));
                continue;
            }
            let kind = entry.kind.unwrap_or(CodeKind::Theme);
            let model = kind == CodeKind::Theme && entry.model.unwrap_or(true);
            let parent_line = entry.parent.as_ref().map(|p| lines.line(p.span().start));
            by_id.insert(id.clone(), themes.len());
            parent_lines.push(parent_line.unwrap_or(line));
            themes.push(Code {
                id,
                name: entry.name,
                parent: entry.parent.map(toml::Spanned::into_inner),
                kind,
                model,
                indicators: entry.indicators,
                description: entry.description.trim().to_string(),
                queries: entry.queries,
                line,
            });
        }
        // Unknown parents are reported and cut, so the hierarchy below is always a forest.
        for (index, theme) in themes.iter_mut().enumerate() {
            if let Some(parent) = &theme.parent
                && !by_id.contains_key(parent)
            {
                let hint = suggestion(parent, by_id.keys().map(String::as_str), "");
                problems.push(Problem::new(path, parent_lines[index], format!("theme `{}` has unknown parent `{parent}`{hint}", theme.id)));
                theme.parent = None;
            }
        }
        let mut codebook = Codebook { name: path.to_string(), themes, by_id, parents: Vec::new() };
        for cycle_start in codebook.index_parents_breaking_cycles() {
            problems.push(Problem::new(
                path,
                parent_lines[cycle_start],
                format!("theme `{}` is its own ancestor through `parent`; break the cycle by removing one parent", codebook.themes[cycle_start].id),
            ));
        }
        (codebook, problems)
    }

    /// Builds a codebook from themes already checked (for generators and tests).
    ///
    /// Unknown parents are dropped and duplicates keep their first occurrence.
    pub fn from_themes(name: &str, themes: Vec<Code>) -> Codebook {
        let mut kept: Vec<Code> = Vec::new();
        let mut by_id = HashMap::new();
        for theme in themes {
            if by_id.contains_key(&theme.id) {
                continue;
            }
            by_id.insert(theme.id.clone(), kept.len());
            kept.push(theme);
        }
        for theme in &mut kept {
            if theme.parent.as_ref().is_some_and(|p| !by_id.contains_key(p)) {
                theme.parent = None;
            }
        }
        let mut codebook = Codebook { name: name.to_string(), themes: kept, by_id, parents: Vec::new() };
        codebook.index_parents_breaking_cycles();
        codebook
    }

    /// Indexes parents, cutting one parent on each cycle so the hierarchy is a
    /// forest; returns the themes whose parent was cut.
    fn index_parents_breaking_cycles(&mut self) -> Vec<usize> {
        self.index_parents();
        let cut = self.cycles();
        for &index in &cut {
            self.themes[index].parent = None;
        }
        self.index_parents();
        cut
    }

    fn index_parents(&mut self) {
        self.parents = self.themes.iter().map(|t| t.parent.as_ref().and_then(|p| self.by_id.get(p).copied())).collect();
    }

    /// One theme on each parent cycle, in file order.
    fn cycles(&self) -> Vec<usize> {
        let mut on_cycle = Vec::new();
        let mut state = vec![0u8; self.themes.len()]; // 0 unseen, 1 on the current walk, 2 done
        for start in 0..self.themes.len() {
            let mut walk = Vec::new();
            let mut at = Some(start);
            while let Some(index) = at {
                match state[index] {
                    2 => break,
                    1 => {
                        on_cycle.push(index);
                        break;
                    }
                    _ => {}
                }
                state[index] = 1;
                walk.push(index);
                at = self.parents[index];
            }
            for index in walk {
                state[index] = 2;
            }
        }
        on_cycle.sort_unstable();
        on_cycle
    }

    /// The entries in display order.
    pub fn themes(&self) -> &[Code] {
        &self.themes
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.themes.len()
    }

    /// Whether the codebook has no entries.
    pub fn is_empty(&self) -> bool {
        self.themes.is_empty()
    }

    /// The position of `id` in display order.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The index of `id`, or a refusal that names it and suggests the nearest
    /// id ("the codebook has no theme `x` (did you mean y?)").
    pub fn index_or_refusal(&self, id: &str) -> Result<usize, UnknownCode> {
        self.index_of(id).ok_or_else(|| UnknownCode { id: id.to_string(), hint: suggestion(id, self.themes.iter().map(|t| t.id.as_str()), "") })
    }

    /// The entry with `id`.
    pub fn get(&self, id: &str) -> Option<&Code> {
        self.index_of(id).map(|i| &self.themes[i])
    }

    /// The parent of the entry at `index`.
    pub fn parent_of(&self, index: usize) -> Option<usize> {
        self.parents.get(index).copied().flatten()
    }

    /// The ancestors of the entry at `index`, nearest first.
    pub fn ancestors(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.parent_of(index), move |&i| self.parent_of(i))
    }

    /// The children of the entry at `index`, in display order.
    pub fn children_of(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.themes.len()).filter(move |&i| self.parents[i] == Some(index))
    }

    /// The nearest entry, itself or an ancestor, that is a model theme.
    pub fn projection(&self, index: usize) -> Option<usize> {
        std::iter::once(index).chain(self.ancestors(index)).find(|&i| self.themes[i].model)
    }

    /// Serialises the codebook back to its file format.
    pub fn to_toml(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for theme in &self.themes {
            let _ = writeln!(out, "[[theme]]\nid = {}\nname = {}", quote(&theme.id), quote(&theme.name));
            if let Some(parent) = &theme.parent {
                let _ = writeln!(out, "parent = {}", quote(parent));
            }
            if theme.kind != CodeKind::Theme {
                let _ = writeln!(out, "kind = {}", quote(theme.kind.as_str()));
            }
            if theme.kind == CodeKind::Theme && !theme.model {
                out.push_str("model = false\n");
            }
            if !theme.indicators.is_empty() {
                let _ = writeln!(out, "indicators = [{}]", list(&theme.indicators));
            }
            if !theme.description.is_empty() {
                let _ = writeln!(out, "description = {}", quote(&theme.description));
            }
            if !theme.queries.is_empty() {
                let _ = writeln!(out, "queries = [{}]", list(&theme.queries));
            }
            out.push('\n');
        }
        out
    }
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
}

/// A codebook id made from a free name: lowercase ASCII letters and digits, words joined by `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "theme".to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_projects() {
        let codebook = Codebook::builtin("whole-systems").expect("built in");
        assert_eq!(codebook.len(), 22);
        let front_line = codebook.index_of("front-line").expect("front-line");
        assert_eq!(codebook.projection(front_line), Some(front_line));
        assert_eq!(codebook.parent_of(front_line), codebook.index_of("common-purpose"));
        let outcome = codebook.index_of("outcome-measures").expect("outcome");
        assert_eq!(codebook.projection(outcome), codebook.index_of("service-user"));
        let barrier = codebook.index_of("impatience").expect("impatience");
        assert_eq!(codebook.projection(barrier), None);
        for theme in codebook.themes() {
            assert!(!theme.description.is_empty(), "{} has no description", theme.id);
            assert!((3..=5).contains(&theme.queries.len()), "{} needs 3 to 5 questions", theme.id);
        }
    }

    #[test]
    fn reports_duplicates_unknown_parents_and_cycles_at_their_lines() {
        let text = "[[theme]]\nid = \"a\"\nname = \"A\"\nparent = \"b\"\n\n[[theme]]\nid = \"b\"\nname = \"B\"\nparent = \"a\"\n\n[[theme]]\nid = \"a\"\nname = \"again\"\n\n[[theme]]\nid = \"c\"\nname = \"C\"\nparent = \"bb\"\n";
        let (codebook, problems) = Codebook::parse(text, "codebook.toml");
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(lines.iter().any(|l| l.starts_with("codebook.toml:12: duplicate theme id `a`")), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("codebook.toml:18: theme `c` has unknown parent `bb` (did you mean b?)")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("its own ancestor")), "{lines:?}");
        assert_eq!(codebook.len(), 3);
    }

    #[test]
    fn kinds_other_than_theme_are_never_in_the_model() {
        let (codebook, problems) = Codebook::parse("[[theme]]\nid = \"x\"\nname = \"X\"\nkind = \"barrier\"\nmodel = true\n", "c.toml");
        assert!(problems.is_empty());
        assert!(!codebook.themes()[0].model);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let (_, problems) = Codebook::parse("[[theme]]\nid = \"x\"\nname = \"X\"\nindicator = [\"y\"]\n", "c.toml");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("indicator"), "{:?}", problems);
        assert!(problems[0].line >= 1);
    }

    #[test]
    fn round_trips_through_toml() {
        let codebook = Codebook::builtin("whole-systems").expect("built in");
        let (again, problems) = Codebook::parse(&codebook.to_toml(), "whole-systems");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            again.themes(),
            codebook
                .themes()
                .iter()
                .cloned()
                .map(|mut t| {
                    t.line = again.get(&t.id).map_or(0, |x| x.line);
                    t
                })
                .collect::<Vec<_>>()
                .as_slice()
        );
    }
}
