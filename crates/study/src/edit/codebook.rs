//! The codebook edited as a form: each theme's fields read from the TOML a
//! researcher wrote, and written back changing only the keys whose values
//! changed (with `toml_edit`, which keeps comments, order and spacing), so
//! a form sent back unchanged leaves the file byte for byte as it was.

use std::collections::BTreeMap;

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use super::EditError;

/// One theme as the form shows it; absent keys read as their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThemeFields {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `parent`; empty for none.
    pub parent: String,
    /// `kind`: `theme`, `barrier` or `reason`.
    pub kind: String,
    /// `model` (themes only; true when absent).
    pub model: bool,
    /// `indicators`.
    pub indicators: Vec<String>,
    /// `description`.
    pub description: String,
    /// `queries`: the reflective questions.
    pub queries: Vec<String>,
}

/// A change the form makes to a theme (numbered in file order from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeEdit {
    /// The theme's fields as the form sent them.
    Fields(ThemeFields),
    /// The theme is removed.
    Remove,
}

fn parse(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>().map_err(|e| EditError::Csv(format!("the codebook is not valid TOML: {}", e.message())))
}

fn themes_of(document: &DocumentMut) -> Option<&ArrayOfTables> {
    document.get("theme").and_then(Item::as_array_of_tables)
}

fn string_of(table: &Table, key: &str) -> String {
    table.get(key).and_then(Item::as_str).unwrap_or_default().to_string()
}

fn strings_of(table: &Table, key: &str) -> Vec<String> {
    table.get(key).and_then(Item::as_array).map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn fields_of(table: &Table) -> ThemeFields {
    let kind = table.get("kind").and_then(Item::as_str).unwrap_or("theme").to_string();
    ThemeFields {
        id: string_of(table, "id"),
        name: string_of(table, "name"),
        parent: string_of(table, "parent"),
        model: kind == "theme" && table.get("model").and_then(Item::as_bool).unwrap_or(true),
        kind,
        indicators: strings_of(table, "indicators"),
        description: string_of(table, "description"),
        queries: strings_of(table, "queries"),
    }
}

/// Every theme of the codebook `text`, in file order.
pub fn read_codebook(text: &str) -> Result<Vec<ThemeFields>, EditError> {
    let document = parse(text)?;
    Ok(themes_of(&document).map(|themes| themes.iter().map(fields_of).collect()).unwrap_or_default())
}

/// Sets `key` to `wanted` when it differs from what `table` says (read with
/// the key's default); a key at its default that the file never wrote stays
/// unwritten, and one set back to its default is removed.
fn set_string(table: &mut Table, key: &str, wanted: &str, default: &str) {
    let current = table.get(key).and_then(Item::as_str).unwrap_or(default);
    if current == wanted {
        return;
    }
    if wanted == default && key != "id" && key != "name" {
        table.remove(key);
    } else {
        table[key] = value(wanted);
    }
}

fn set_strings(table: &mut Table, key: &str, wanted: &[String]) {
    if strings_of(table, key) == wanted {
        return;
    }
    if wanted.is_empty() {
        table.remove(key);
    } else {
        table[key] = value(wanted.iter().map(String::as_str).collect::<Array>());
    }
}

fn apply(table: &mut Table, fields: &ThemeFields) {
    set_string(table, "id", fields.id.trim(), "");
    set_string(table, "name", fields.name.trim(), "");
    set_string(table, "parent", fields.parent.trim(), "");
    set_string(table, "kind", fields.kind.trim(), "theme");
    let model_now = table.get("model").and_then(Item::as_bool).unwrap_or(true);
    if fields.kind.trim() == "theme" && model_now != fields.model {
        if fields.model {
            table.remove("model");
        } else {
            table["model"] = value(false);
        }
    }
    set_strings(table, "indicators", &fields.indicators);
    set_string(table, "description", fields.description.trim(), "");
    set_strings(table, "queries", &fields.queries);
}

/// The codebook with `edits` made and `added` themes at the end. A theme
/// sent back as it was is not touched; of a changed theme only the changed
/// keys are written.
pub fn write_codebook(text: &str, edits: &BTreeMap<usize, ThemeEdit>, added: &[ThemeFields]) -> Result<String, EditError> {
    let mut document = parse(text)?;
    if document.get("theme").is_none() {
        document["theme"] = Item::ArrayOfTables(ArrayOfTables::new());
    }
    let Some(themes) = document.get_mut("theme").and_then(Item::as_array_of_tables_mut) else {
        return Err(EditError::Csv("the codebook's `theme` is not a list of [[theme]] tables: edit it as text".into()));
    };
    for (&index, edit) in edits.iter().rev() {
        match edit {
            ThemeEdit::Remove if index < themes.len() => {
                themes.remove(index);
            }
            ThemeEdit::Fields(fields) => {
                if let Some(table) = themes.get_mut(index)
                    && fields_of(table) != *fields
                {
                    apply(table, fields);
                }
            }
            ThemeEdit::Remove => {}
        }
    }
    for fields in added.iter().filter(|f| !f.id.trim().is_empty() || !f.name.trim().is_empty()) {
        let mut table = Table::new();
        table["id"] = value(fields.id.trim());
        table["name"] = value(fields.name.trim());
        apply(&mut table, fields);
        themes.push(table);
    }
    Ok(document.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Our codebook\nname = \"ours\"\n\n# the attractor\n[[theme]]\nid = \"user\"\nname   = \"Users first\"   # aligned by hand\nindicators = [\"walk in their shoes\"]\n\n[[theme]]\nid = \"purpose\"\nname = \"Common purpose\"\nparent = \"user\"\n\n[[theme]]\nid = \"turf\"\nname = \"Turf wars\"\nkind = \"barrier\"\n";

    #[test]
    fn a_codebook_sent_back_unchanged_is_the_same_file() {
        let themes = read_codebook(TEXT).expect("read");
        assert_eq!(themes.len(), 3);
        assert_eq!(themes[0].indicators, ["walk in their shoes"]);
        assert!(themes[0].model && !themes[2].model, "a barrier is never part of the model");
        assert_eq!(themes[1].parent, "user");
        let same: BTreeMap<usize, ThemeEdit> = themes.iter().cloned().map(ThemeEdit::Fields).enumerate().collect();
        assert_eq!(write_codebook(TEXT, &same, &[ThemeFields::default()]).expect("written"), TEXT);
        let builtin = crate::Codebook::builtin_text("whole-systems").expect("the built-in codebook");
        let themes = read_codebook(builtin).expect("read");
        assert_eq!(themes.len(), crate::Codebook::builtin("whole-systems").expect("built in").themes().len());
        let same: BTreeMap<usize, ThemeEdit> = themes.into_iter().map(ThemeEdit::Fields).enumerate().collect();
        assert_eq!(write_codebook(builtin, &same, &[]).expect("written"), builtin, "the built-in codebook, comments and all");
    }

    #[test]
    fn only_the_changed_keys_are_written() {
        let mut themes = read_codebook(TEXT).expect("read");
        themes[1].description = "Why we are here".into();
        themes[1].queries = vec!["Who set the aim?".into()];
        themes[1].model = false;
        let mut edits: BTreeMap<usize, ThemeEdit> = themes.iter().cloned().map(ThemeEdit::Fields).enumerate().collect();
        edits.insert(2, ThemeEdit::Remove);
        let added =
            ThemeFields { id: "listen".into(), name: "Listen".into(), parent: "user".into(), kind: "theme".into(), model: true, ..ThemeFields::default() };
        let written = write_codebook(TEXT, &edits, &[added]).expect("written");
        assert!(
            written.starts_with("# Our codebook\nname = \"ours\"\n\n# the attractor\n[[theme]]\nid = \"user\"\nname   = \"Users first\"   # aligned by hand\n"),
            "{written}"
        );
        assert!(written.contains("parent = \"user\"\nmodel = false\ndescription = \"Why we are here\"\nqueries = [\"Who set the aim?\"]\n"), "{written}");
        assert!(!written.contains("turf"), "{written}");
        assert!(written.ends_with("[[theme]]\nid = \"listen\"\nname = \"Listen\"\nparent = \"user\"\n"), "{written}");
        let again = read_codebook(&written).expect("read again");
        assert_eq!(again.len(), 3);
        assert_eq!(again[1].queries, ["Who set the aim?"]);
    }
}
