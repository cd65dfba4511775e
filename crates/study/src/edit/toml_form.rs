//! A TOML file of top-level values and lists of tables (an assessment's
//! `collaboration.toml`, `survey.toml`, `evidence.toml`) edited as a form:
//! boxes for the values, a row per table. Written back with `toml_edit`
//! changing only the values that changed, so a form sent back unchanged
//! leaves the file byte for byte as it was, comments included.

use std::collections::BTreeMap;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value, value};

use super::{EditError, RowEdit};

/// What a form edits in a file: its top-level values and its lists of tables, by key.
#[derive(Debug, Clone, Copy)]
pub struct TomlShape {
    /// Top-level keys shown as single boxes.
    pub values: &'static [&'static str],
    /// `[[key]]` lists shown as tables, with the keys of each row.
    pub lists: &'static [(&'static str, &'static [&'static str])],
}

/// A file's contents as the form shows them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TomlForm {
    /// Each of the shape's top-level values (empty when absent).
    pub values: Vec<String>,
    /// Each of the shape's lists: every table's cells in the shape's key order.
    pub lists: Vec<Vec<Vec<String>>>,
}

/// What a posted form asks for, in the shape's order.
#[derive(Debug, Clone, Default)]
pub struct TomlChanges {
    /// The top-level values.
    pub values: Vec<String>,
    /// Per list, in the shape's order.
    pub lists: Vec<ListChanges>,
}

/// What a form changes in one list of tables.
#[derive(Debug, Clone, Default)]
pub struct ListChanges {
    /// Rows changed or removed, by position.
    pub edits: BTreeMap<usize, RowEdit>,
    /// Rows added at the end (rows of empty cells are left out).
    pub added: Vec<Vec<String>>,
}

fn parse(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>().map_err(|e| EditError::Csv(format!("not valid TOML: {}", e.message())))
}

/// A value as a form box shows it: a string as written, a number or boolean as TOML writes it.
fn shown(item: Option<&Item>) -> String {
    match item.and_then(Item::as_value) {
        Some(Value::String(s)) => s.value().clone(),
        Some(other) => other.clone().decorated("", "").to_string(),
        None => String::new(),
    }
}

/// Reads `text` in `shape`.
pub fn read_toml_form(text: &str, shape: TomlShape) -> Result<TomlForm, EditError> {
    let document = parse(text)?;
    let values = shape.values.iter().map(|key| shown(document.get(key))).collect();
    let lists = shape
        .lists
        .iter()
        .map(|(key, fields)| {
            document
                .get(key)
                .and_then(Item::as_array_of_tables)
                .map(|tables| tables.iter().map(|table| fields.iter().map(|f| shown(table.get(f))).collect()).collect())
                .unwrap_or_default()
        })
        .collect();
    Ok(TomlForm { values, lists })
}

/// Sets `key` of `table` to what the form says, when that differs from what
/// it holds: a number stays a number when the box holds one (a new value is
/// a number when it reads as one and the key is numeric by nature, `score`),
/// an emptied box removes the key.
fn set(table: &mut Table, key: &str, wanted: &str) {
    let wanted = wanted.trim();
    if shown(table.get(key)) == wanted {
        return;
    }
    if wanted.is_empty() {
        table.remove(key);
        return;
    }
    let was_number = table.get(key).and_then(Item::as_value).is_some_and(|v| v.is_integer() || v.is_float());
    let numeric = was_number || key == "score";
    let item = match (numeric, wanted.parse::<i64>(), wanted.parse::<f64>()) {
        (true, Ok(integer), _) => value(integer),
        (true, _, Ok(float)) if float.is_finite() => value(float),
        _ => value(wanted),
    };
    table[key] = item;
}

/// `text` with `changes` made in `shape`.
pub fn write_toml_form(text: &str, shape: TomlShape, changes: &TomlChanges) -> Result<String, EditError> {
    let mut document = parse(text)?;
    for (key, wanted) in shape.values.iter().zip(&changes.values) {
        set(document.as_table_mut(), key, wanted);
    }
    for ((key, fields), ListChanges { edits, added }) in shape.lists.iter().zip(&changes.lists) {
        let has_rows = added.iter().any(|row| row.iter().any(|c| !c.trim().is_empty()));
        if document.get(key).is_none() && has_rows {
            document[key] = Item::ArrayOfTables(ArrayOfTables::new());
        }
        let Some(tables) = document.get_mut(key) else { continue };
        let Some(tables) = tables.as_array_of_tables_mut() else {
            return Err(EditError::Csv(format!("`{key}` is not a list of [[{key}]] tables: edit the file as text")));
        };
        for (&index, edit) in edits.iter().rev() {
            match edit {
                RowEdit::Remove if index < tables.len() => {
                    tables.remove(index);
                }
                RowEdit::Cells(cells) => {
                    if let Some(table) = tables.get_mut(index) {
                        for (field, cell) in fields.iter().zip(cells) {
                            set(table, field, cell);
                        }
                    }
                }
                RowEdit::Remove => {}
            }
        }
        for row in added.iter().filter(|row| row.iter().any(|c| !c.trim().is_empty())) {
            let mut table = Table::new();
            for (field, cell) in fields.iter().zip(row) {
                set(&mut table, field, cell);
            }
            tables.push(table);
        }
    }
    Ok(document.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: TomlShape = TomlShape { values: &["name", "purpose"], lists: &[("leader", &["name", "role", "since"]), ("rating", &["round", "score"])] };
    const TEXT: &str = "# Ours\nname = \"Riverside\"\npurpose = \"Homes\"\n\n[[leader]]\nname = \"Dana\"   # chair since the start\nrole = \"chair\"\nsince = \"2019-01-15\"\n\n[[rating]]\nround = \"2023\"\nscore = 3.5\n";

    #[test]
    fn a_form_sent_back_unchanged_is_the_same_file() {
        let form = read_toml_form(TEXT, SHAPE).expect("read");
        assert_eq!(form.values, ["Riverside", "Homes"]);
        assert_eq!(form.lists[0], [["Dana", "chair", "2019-01-15"]]);
        assert_eq!(form.lists[1], [["2023", "3.5"]]);
        let same = TomlChanges {
            values: form.values.clone(),
            lists: form
                .lists
                .iter()
                .map(|rows| ListChanges { edits: rows.iter().cloned().map(RowEdit::Cells).enumerate().collect(), added: vec![vec![String::new(); 3]] })
                .collect(),
        };
        assert_eq!(write_toml_form(TEXT, SHAPE, &same).expect("written"), TEXT);
    }

    #[test]
    fn only_what_changed_is_written_and_numbers_stay_numbers() {
        let changes = TomlChanges {
            values: vec!["Riverside".into(), "Safe homes".into()],
            lists: vec![
                ListChanges { edits: BTreeMap::from([(0, RowEdit::Remove)]), added: vec![vec!["Sam".into(), "manager".into(), "2023-09-01".into()]] },
                ListChanges { edits: BTreeMap::from([(0, RowEdit::Cells(vec!["2023".into(), "4".into()]))]), added: vec![vec!["2024".into(), "2.5".into()]] },
            ],
        };
        let written = write_toml_form(TEXT, SHAPE, &changes).expect("written");
        assert_eq!(
            written,
            "# Ours\nname = \"Riverside\"\npurpose = \"Safe homes\"\n\n[[leader]]\nname = \"Sam\"\nrole = \"manager\"\nsince = \"2023-09-01\"\n\n[[rating]]\nround = \"2023\"\nscore = 4\n\n[[rating]]\nround = \"2024\"\nscore = 2.5\n",
            "a new table of a list stays with its list"
        );
    }
}
