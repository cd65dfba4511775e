//! `people.csv` and `projects.csv`.

use std::collections::HashMap;

use crate::model::{Person, Project};
use crate::parse::text::decode;
use crate::problem::{LineIndex, Problem, suggestion};

/// The rows of a CSV file with an `id` and a `name` column.
struct Rows {
    columns: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn read_rows(bytes: &[u8], path: &str, problems: &mut Vec<Problem>) -> Option<Rows> {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((line, message)) => {
            problems.push(Problem::new(path, line, message));
            return None;
        }
    };
    // The csv crate's own line count is one short per row in CRLF files (Excel's), so lines come from byte offsets.
    let lines = LineIndex::new(text.as_bytes());
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let columns: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(str::to_string).collect(),
        Err(error) => {
            problems.push(Problem::new(path, 1, format!("unreadable header: {error}")));
            return None;
        }
    };
    let mut missing = false;
    for required in ["id", "name"] {
        if !columns.iter().any(|c| c == required) {
            let hint = suggestion(required, columns.iter().map(String::as_str), "");
            problems.push(Problem::new(path, 1, format!("the header has no `{required}` column{hint}: the first line must name the columns, such as id,name")));
            missing = true;
        }
    }
    let mut seen = HashMap::new();
    for (position, column) in columns.iter().enumerate() {
        if column.is_empty() {
            problems.push(Problem::new(path, 1, format!("column {} has no name in the header", position + 1)));
        } else if seen.insert(column.as_str(), position).is_some() {
            problems.push(Problem::new(path, 1, format!("the column `{column}` appears twice in the header")));
        }
    }
    if missing {
        return None;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(1, |p| lines.line_of_record(text.as_bytes(), p.byte() as usize));
                if record.iter().all(str::is_empty) {
                    continue;
                }
                rows.push((line, record.iter().map(str::to_string).collect()));
            }
            Err(error) => {
                let line = error.position().map_or(1, |p| lines.line_of_record(text.as_bytes(), p.byte() as usize));
                let message = match error.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("this row has {len} fields but the header has {expected_len}: quote values that contain commas")
                    }
                    _ => format!("unreadable row: {error}"),
                };
                problems.push(Problem::new(path, line, message));
            }
        }
    }
    Some(Rows { columns, rows })
}

/// Reads rows keyed by a unique `id`, reporting empty and duplicate ids.
fn keyed_rows(bytes: &[u8], path: &str, problems: &mut Vec<Problem>, kind: &str) -> (Vec<String>, Vec<(usize, Vec<String>)>) {
    let Some(Rows { columns, rows }) = read_rows(bytes, path, problems) else { return (Vec::new(), Vec::new()) };
    let id_column = columns.iter().position(|c| c == "id").unwrap_or(0);
    let mut first_line: foldhash::HashMap<String, usize> = foldhash::HashMapExt::with_capacity(rows.len());
    let mut kept = Vec::new();
    for (line, values) in rows {
        let id = values[id_column].clone();
        if id.is_empty() {
            problems.push(Problem::new(path, line, format!("this {kind} has no id")));
        } else if id.contains(char::is_whitespace) || id.starts_with(['#', '@', '^']) {
            problems.push(Problem::new(path, line, format!("{kind} id `{id}` must be one word, without spaces or a leading #, @ or ^")));
        } else if let Some(first) = first_line.get(&id) {
            problems.push(Problem::new(path, line, format!("duplicate {kind} id `{id}` (first on line {first}): give each {kind} its own id")));
        } else {
            first_line.insert(id, line);
            kept.push((line, values));
        }
    }
    (columns, kept)
}

/// Parses `people.csv`: the columns in header order and the people.
pub fn parse_people(bytes: &[u8], path: &str) -> (Vec<String>, Vec<Person>, Vec<Problem>) {
    let mut problems = Vec::new();
    let (columns, rows) = keyed_rows(bytes, path, &mut problems, "person");
    let column = |name: &str| columns.iter().position(|c| c == name);
    let (id, name, attribution) = (column("id"), column("name"), column("attribution"));
    let mut people = Vec::new();
    for (line, values) in rows {
        let anonymous = match attribution.map(|i| values[i].to_lowercase()) {
            None => false,
            Some(value) if value.is_empty() || value == "named" => false,
            Some(value) if value == "anonymous" => true,
            Some(value) => {
                problems.push(Problem::new(path, line, format!("attribution `{value}` must be `named` or `anonymous`")));
                // Err on the side of the promise: an unclear attribution is treated as anonymous.
                true
            }
        };
        people.push(Person {
            id: id.map(|i| values[i].clone()).unwrap_or_default(),
            name: name.map(|i| values[i].clone()).unwrap_or_default(),
            values,
            anonymous,
        });
    }
    (columns, people, problems)
}

/// Parses `projects.csv`: the columns in header order and the projects.
pub fn parse_projects(bytes: &[u8], path: &str) -> (Vec<String>, Vec<Project>, Vec<Problem>) {
    let mut problems = Vec::new();
    let (columns, rows) = keyed_rows(bytes, path, &mut problems, "project");
    let id = columns.iter().position(|c| c == "id");
    let name = columns.iter().position(|c| c == "name");
    let projects = rows
        .into_iter()
        .map(|(_, values)| Project { id: id.map(|i| values[i].clone()).unwrap_or_default(), name: name.map(|i| values[i].clone()).unwrap_or_default(), values })
        .collect();
    (columns, projects, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_people_and_flags_anonymity() {
        let (columns, people, problems) = parse_people(b"id,name,organisation,attribution,team\np1,Ann,Org,anonymous,x\np2,\"Bo, Jr\",Org,,y\n", "people.csv");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(columns, ["id", "name", "organisation", "attribution", "team"]);
        assert!(people[0].anonymous && !people[1].anonymous);
        assert_eq!(people[1].name, "Bo, Jr");
        assert_eq!(people[1].column(&columns, "team"), "y");
    }

    #[test]
    fn points_at_bad_rows() {
        let (_, people, mut problems) = parse_people(b"id,name\np1,A\np1,B\np2,C,extra\n,D\n", "people.csv");
        problems.sort();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(people.len(), 1);
        assert!(text[0].starts_with("people.csv:3: duplicate person id `p1` (first on line 2)"), "{text:?}");
        assert!(text[1].starts_with("people.csv:4: this row has 3 fields"), "{text:?}");
        assert!(text[2].starts_with("people.csv:5: this person has no id"), "{text:?}");
    }

    /// Every problem the CSV readers report, on the same line whether the
    /// file ends its lines with LF or with CRLF (as Excel writes it).
    #[test]
    fn every_csv_problem_names_the_same_line_with_lf_and_crlf() {
        let people = "id,name,attribution\np1,A,\np1,B,\np2,C,x,extra\n,D,\np 3,E,\np4,F,secret\n\"p5\",\"quoted\non two lines\",\np5,G,\n";
        let projects = "id,name\nx1,A\nx1,B\n,C\n";
        let lines_of = |problems: Vec<Problem>| -> Vec<String> {
            let mut lines: Vec<String> = problems.iter().map(|p| format!("{}:{}", p.line, p.message.split(':').next().unwrap_or(""))).collect();
            lines.sort();
            lines
        };
        let lf_people = lines_of(parse_people(people.as_bytes(), "people.csv").2);
        let crlf_people = lines_of(parse_people(people.replace('\n', "\r\n").as_bytes(), "people.csv").2);
        assert_eq!(lf_people, crlf_people);
        for expected in [
            "3:duplicate person id `p1` (first on line 2)",
            "4:this row has 4 fields but the header has 3",
            "5:this person has no id",
            "6:person id `p 3` must be one word, without spaces or a leading #, @ or ^",
            "7:attribution `secret` must be `named` or `anonymous`",
            "10:duplicate person id `p5` (first on line 8)",
        ] {
            assert!(lf_people.iter().any(|l| l == expected), "{expected} not in {lf_people:?}");
        }
        let lf_projects = lines_of(parse_projects(projects.as_bytes(), "projects.csv").2);
        let crlf_projects = lines_of(parse_projects(projects.replace('\n', "\r\n").as_bytes(), "projects.csv").2);
        assert_eq!(lf_projects, crlf_projects);
        assert_eq!(lf_projects, ["3:duplicate project id `x1` (first on line 2)", "4:this project has no id"]);
    }

    #[test]
    fn names_missing_columns() {
        let (_, _, problems) = parse_people(b"Id,name\n", "people.csv");
        assert_eq!(
            problems[0].to_string(),
            "people.csv:1: the header has no `id` column (did you mean Id?): the first line must name the columns, such as id,name"
        );
    }
}
