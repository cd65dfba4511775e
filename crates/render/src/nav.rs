//! The navigation a study's pages share, in the published report and in the
//! workspace: one list each, so every page shows the same links in the same
//! order and marks the one it is (`aria-current="page"`).

/// A link of a study's navigation.
#[derive(Debug, Clone, Copy)]
pub struct NavLink {
    /// The section it leads to: a page whose `section` is this marks the link current.
    pub section: &'static str,
    /// Its address, relative to the study's root.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
}

const fn link(section: &'static str, href: &'static str, label: &'static str) -> NavLink {
    NavLink { section, href, label }
}

/// The published report's pages.
pub const REPORT_NAV: &[NavLink] = &[
    link("overview", "index.html", "Overview"),
    link("model", "index.html#model", "Model"),
    link("interviews", "index.html#interviews", "Interviews"),
    link("analysis", "analysis.html", "Analysis"),
];

/// A study's pages in the workspace: first what there is to read, then what
/// there is to manage.
pub const WORKSPACE_NAV: &[NavLink] = &[
    link("overview", "./", "Overview"),
    link("analysis", "analysis.html", "Analysis"),
    link("crosstab", "crosstab", "Cross-tabs"),
    link("agreement", "agreement", "Agreement"),
    link("search", "search", "Search"),
    link("memos", "memos", "Memos"),
    link("history", "history", "History"),
    link("people", "edit/people", "People"),
    link("projects", "edit/projects", "Projects"),
    link("codebook", "edit/codebook", "Codebook"),
    link("settings", "edit/settings", "Settings"),
    link("members", "members", "Members"),
    link("exchange", "exchange", "Export"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_is_named_once() {
        for list in [REPORT_NAV, WORKSPACE_NAV] {
            let mut sections: Vec<_> = list.iter().map(|l| l.section).collect();
            sections.sort_unstable();
            let before = sections.len();
            sections.dedup();
            assert_eq!(before, sections.len(), "a section appears twice");
        }
    }
}
