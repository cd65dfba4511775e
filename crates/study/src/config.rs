//! `study.toml`: the study's title, codebook and counting settings.

use serde::{Deserialize, Serialize};

use crate::problem::{Problem, line_of_offset};

/// The settings of one study, as read from `study.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    /// The study's title, shown on the report.
    pub title: String,
    /// A built-in codebook name, or a path relative to the study folder.
    pub codebook: String,
    /// How mentions are counted.
    #[serde(default)]
    pub counting: Counting,
    /// How the model is discovered.
    #[serde(default)]
    pub model: ModelSettings,
    /// What the published report includes (format 1.1).
    #[serde(default)]
    pub report: ReportSettings,
}

/// The `[report]` table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// Publish the researchers' memos in the report (they are left out by default).
    pub memos: bool,
}

/// The `[counting]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Counting {
    /// In a group meeting, every attendee is taken to agree with what was said.
    pub group_agreement: bool,
    /// Every ancestor of a code is a code of the item too.
    pub rollup: bool,
    /// Codes are inferred from indicator phrases.
    pub infer: bool,
}

impl Default for Counting {
    fn default() -> Self {
        Counting { group_agreement: true, rollup: false, infer: true }
    }
}

/// The `[model]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelSettings {
    /// The fewest people who must support a theme link for it to be kept.
    pub min_support: u32,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings { min_support: 5 }
    }
}

impl StudyConfig {
    /// The study's own codebook file (`/`-separated), or `None` when
    /// `codebook` names a built-in one. A name ending in `.toml` or holding a
    /// path separator is a file.
    pub fn codebook_file(&self) -> Option<String> {
        let name = self.codebook.trim();
        let path_like = name.ends_with(".toml") || name.contains('/') || name.contains('\\');
        path_like.then(|| name.replace('\\', "/"))
    }

    /// A configuration with default settings.
    pub fn new(title: impl Into<String>, codebook: impl Into<String>) -> Self {
        StudyConfig {
            title: title.into(),
            codebook: codebook.into(),
            counting: Counting::default(),
            model: ModelSettings::default(),
            report: ReportSettings::default(),
        }
    }

    /// Parses `study.toml`.
    pub fn parse(text: &str) -> Result<StudyConfig, Problem> {
        toml::from_str(text).map_err(|error| {
            let line = error.span().map(|s| line_of_offset(text, s.start)).unwrap_or(1);
            let mut message = error.message().trim().to_string();
            if message.starts_with("missing field") {
                message.push_str(" (study.toml needs at least `title = \"...\"` and `codebook = \"whole-systems\"`)");
            }
            Problem::new("study.toml", line, message)
        })
    }

    /// The line of the `codebook` key, for problems about the codebook it names.
    pub fn codebook_line(text: &str) -> usize {
        text.lines().position(|l| l.trim_start().starts_with("codebook")).map_or(1, |i| i + 1)
    }

    /// Writes the configuration as `study.toml` text.
    pub fn to_toml(&self) -> String {
        // Every key is written, defaults included, so a researcher sees what can be set.
        toml::to_string(self).unwrap_or_default()
    }
}
