//! Assessment results as JSON, text and HTML; the questionnaire for paper;
//! and several collaborations side by side.

use std::fmt::Write as _;

use askama::Template;
use collabmap_analysis::assessment::{Band, RoundResult, ThemeScore};
use collabmap_study::assessment::Assessment;
use serde_json::{Value, json};

use crate::RenderError;
use crate::report::STYLE;
use crate::svg::escape;

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn number(value: Option<f64>) -> Value {
    value.map_or(Value::Null, |v| json!(round2(v)))
}

fn theme_json(score: &ThemeScore) -> Value {
    json!({
        "theme": score.theme,
        "n": score.n,
        "mean": number(score.mean),
        "ad": number(score.ad),
        "band": score.band.map(Band::as_str),
        "contested": score.contested,
        "change": number(score.change),
        "by_organisation": score.by_organisation.iter().map(|o| json!({"organisation": o.organisation, "n": o.n, "mean": round2(o.mean)})).collect::<Vec<_>>(),
    })
}

fn round_json(round: &RoundResult) -> Value {
    json!({
        "round": round.round,
        "date": round.date,
        "respondents": round.respondents,
        "themes": round.themes.iter().map(theme_json).collect::<Vec<_>>(),
        "gaps": round.gaps.iter().map(|g| json!({"rule": g.rule, "theme": g.theme, "detail": g.detail, "queries": g.queries})).collect::<Vec<_>>(),
    })
}

/// `collabmap assess --format json`.
pub fn assess_json(assessment: &Assessment, rounds: &[RoundResult]) -> String {
    let body = json!({"name": assessment.name, "rounds": rounds.iter().map(round_json).collect::<Vec<_>>()});
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}

fn show(value: Option<f64>) -> String {
    value.map_or("–".to_string(), |v| format!("{v:.2}"))
}

fn signed(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| format!("{v:+.2}"))
}

/// `collabmap assess --format text`: a profile per round, then its gaps and questions.
pub fn assess_text(assessment: &Assessment, rounds: &[RoundResult]) -> String {
    let name = |id: &str| assessment.codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let mut out = String::new();
    let _ = writeln!(out, "{}", assessment.name);
    if !assessment.purpose.is_empty() {
        let _ = writeln!(out, "{}", assessment.purpose);
    }
    for round in rounds {
        let _ = writeln!(out, "\nRound {} ({}), {} respondents", round.round, round.date, round.respondents);
        let _ = writeln!(out, "  {:<48} {:>3} {:>5} {:>5} {:<9} {:>6}", "theme", "n", "mean", "ad", "band", "change");
        for score in &round.themes {
            let flag = if score.contested { "  contested" } else { "" };
            let _ = writeln!(
                out,
                "  {:<48} {:>3} {:>5} {:>5} {:<9} {:>6}{flag}",
                name(&score.theme),
                score.n,
                show(score.mean),
                show(score.ad),
                score.band.map_or("–", Band::as_str),
                signed(score.change)
            );
            for organisation in &score.by_organisation {
                let _ = writeln!(out, "      {:<44} {:>3} {:>5.2}", organisation.organisation, organisation.n, organisation.mean);
            }
        }
        if round.gaps.is_empty() {
            out.push_str("  No gaps found.\n");
        }
        for gap in &round.gaps {
            let _ = writeln!(out, "\n  Gap: {}{}", gap.rule, gap.theme.as_deref().map(|t| format!(" ({})", name(t))).unwrap_or_default());
            let _ = writeln!(out, "    {}", gap.detail);
            for query in &gap.queries {
                let _ = writeln!(out, "    ? {query}");
            }
        }
    }
    out
}

/// A gap rule as a reader says it; the rule's id stays in the JSON and the text output.
pub fn gap_title(rule: &str) -> &'static str {
    match rule {
        "neglected-core" => "A core theme is neglected",
        "insist-without-sharing" => "Insisting on the whole system without sharing power",
        "without-a-point" => "The means run ahead of the point",
        "contested" => "Partners disagree",
        "leadership-tenure" => "Leaders new in post",
        _ => "A gap",
    }
}

/// A band as a reader says it.
fn band_words(band: Band) -> &'static str {
    match band {
        Band::Strength => "Strength",
        Band::Discuss => "To discuss",
        Band::Concern => "Concern",
    }
}

/// `collabmap survey --format markdown`: the questionnaire for paper.
pub fn survey_markdown(assessment: &Assessment) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: how are we working together?\n", assessment.name);
    out.push_str(
        "For each statement, circle how far you agree: 1 strongly disagree, 2 disagree, 3 neither, 4 agree, 5 strongly agree, or ? if you don't know.\n\n",
    );
    out.push_str("Round: ______  Your organisation: ____________________  Your role: ____________________\n\n");
    out.push_str("| # | Statement | 1 | 2 | 3 | 4 | 5 | ? |\n| ---: | --- | :-: | :-: | :-: | :-: | :-: | :-: |\n");
    for (n, item) in assessment.items.iter().enumerate() {
        let _ = writeln!(out, "| {} | {} <br>`{}` | ○ | ○ | ○ | ○ | ○ | ○ |", n + 1, item.text.replace('|', "\\|"), item.id);
    }
    out
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage<'a> {
    name: &'a str,
    style: &'a str,
    items: Vec<(usize, &'a str, &'a str)>,
}

/// `collabmap survey --format html`: the questionnaire as a printable page.
pub fn survey_html(assessment: &Assessment) -> Result<String, RenderError> {
    let items = assessment.items.iter().enumerate().map(|(n, i)| (n + 1, i.id.as_str(), i.text.as_str())).collect();
    SurveyPage { name: &assessment.name, style: STYLE, items }.render().map_err(RenderError::template("the survey"))
}

/// The profile chart: a bar per theme, coloured by band, with its spread as a whisker.
pub fn profile_svg(assessment: &Assessment, round: &RoundResult) -> String {
    let name = |id: &str| assessment.codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let (left, row, scale) = (300.0, 26.0, 80.0);
    let height = 40.0 + row * round.themes.len() as f64 + 20.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"Profile of round {r}\">",
        w = left + 5.0 * scale + 40.0,
        r = escape(&round.round)
    );
    for tick in 1..=5 {
        let x = left + f64::from(tick) * scale;
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"24\" x2=\"{x}\" y2=\"{}\" stroke=\"#ddd\"/><text x=\"{x}\" y=\"18\" text-anchor=\"middle\" fill=\"#666\">{tick}</text>",
            height - 20.0
        );
    }
    for (i, score) in round.themes.iter().enumerate() {
        let y = 30.0 + row * i as f64;
        let _ = write!(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 8.0, y + 14.0, escape(&name(&score.theme)));
        if let Some(mean) = score.mean {
            let colour = match score.band {
                Some(Band::Strength) => "#2a7f62",
                Some(Band::Discuss) => "#d4a017",
                _ => "#c0392b",
            };
            let _ = write!(
                out,
                "<rect class=\"bar\" data-theme=\"{}\" data-band=\"{}\" x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"18\" fill=\"{colour}\" rx=\"3\"/>",
                escape(&score.theme),
                score.band.map_or("", Band::as_str),
                mean * scale
            );
            if let Some(ad) = score.ad {
                let (from, to) = (left + (mean - ad).max(0.0) * scale, left + (mean + ad).min(5.0) * scale);
                let _ = write!(out, "<line x1=\"{from:.1}\" y1=\"{:.1}\" x2=\"{to:.1}\" y2=\"{:.1}\" stroke=\"#222\" stroke-width=\"2\"/>", y + 9.0, y + 9.0);
            }
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" fill=\"#222\">{mean:.2}{}</text>",
                left + 5.0 * scale + 4.0,
                y + 14.0,
                if score.contested { " !" } else { "" }
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage<'a> {
    name: &'a str,
    purpose: &'a str,
    style: &'a str,
    body: String,
}

#[derive(Template)]
#[template(path = "assessment_body.html")]
struct AssessmentBody {
    rounds: Vec<RoundView>,
    trend_header: Vec<String>,
    trend: Vec<(String, Vec<String>)>,
}

/// One theme's line in a round's table.
struct ThemeRow {
    name: String,
    n: u32,
    mean: String,
    ad: String,
    band: &'static str,
    /// The band as a reader says it.
    band_words: &'static str,
    change: String,
    contested: bool,
    organisations: String,
}

struct RoundView {
    id: String,
    date: String,
    respondents: u32,
    profile: String,
    rows: Vec<ThemeRow>,
    /// (title, theme, detail, questions, rule id)
    gaps: Vec<(String, String, String, Vec<String>, &'static str)>,
}

/// `collabmap assess --format html`: the profile chart per round, the gaps
/// and their questions, the view per organisation, and the trend.
pub fn assess_html(assessment: &Assessment, rounds: &[RoundResult]) -> Result<String, RenderError> {
    let body = assess_html_body(assessment, rounds)?;
    AssessmentPage { name: &assessment.name, purpose: &assessment.purpose, style: STYLE, body }.render().map_err(RenderError::template("the assessment"))
}

/// The body of the assessment report, for pages that bring their own frame (the workspace).
pub fn assess_html_body(assessment: &Assessment, rounds: &[RoundResult]) -> Result<String, RenderError> {
    let name = |id: &str| assessment.codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let views = rounds
        .iter()
        .map(|round| RoundView {
            id: round.round.clone(),
            date: round.date.clone(),
            respondents: round.respondents,
            profile: profile_svg(assessment, round),
            rows: round
                .themes
                .iter()
                .map(|s| {
                    let organisations =
                        s.by_organisation.iter().map(|o| format!("{} {:.2} (n {})", o.organisation, o.mean, o.n)).collect::<Vec<_>>().join("; ");
                    ThemeRow {
                        name: name(&s.theme),
                        n: s.n,
                        mean: show(s.mean),
                        ad: show(s.ad),
                        band: s.band.map_or("none", Band::as_str),
                        band_words: s.band.map_or("–", band_words),
                        change: signed(s.change),
                        contested: s.contested,
                        organisations,
                    }
                })
                .collect(),
            gaps: round
                .gaps
                .iter()
                .map(|g| (gap_title(g.rule).to_string(), g.theme.as_deref().map(name).unwrap_or_default(), g.detail.clone(), g.queries.clone(), g.rule))
                .collect(),
        })
        .collect();
    let themes: Vec<&str> = rounds.first().map(|r| r.themes.iter().map(|t| t.theme.as_str()).collect()).unwrap_or_default();
    let trend = themes.iter().map(|&t| (name(t), rounds.iter().map(|r| show(r.themes.iter().find(|s| s.theme == t).and_then(|s| s.mean))).collect())).collect();
    let page = AssessmentBody { rounds: views, trend_header: rounds.iter().map(|r| format!("{} ({})", r.round, r.date)).collect(), trend };
    page.render().map_err(RenderError::template("the assessment"))
}

/// Several collaborations' latest rounds side by side.
pub struct Compared<'a> {
    /// The collaboration.
    pub assessment: &'a Assessment,
    /// Its rounds' results (the last is compared).
    pub rounds: &'a [RoundResult],
}

/// `collabmap compare --format json`.
pub fn compare_json(collaborations: &[Compared<'_>]) -> String {
    let body: Vec<Value> = collaborations
        .iter()
        .map(|c| match c.rounds.last() {
            Some(last) => json!({"name": c.assessment.name, "latest": round_json(last)}),
            None => json!({"name": c.assessment.name, "latest": Value::Null}),
        })
        .collect();
    serde_json::to_string_pretty(&json!({"collaborations": body})).unwrap_or_default() + "\n"
}

/// `collabmap compare --format text`: theme by theme, then each collaboration's gaps.
pub fn compare_text(collaborations: &[Compared<'_>]) -> String {
    let mut out = String::new();
    let Some(first) = collaborations.first() else { return out };
    let name = |id: &str| first.assessment.codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let _ = write!(out, "{:<44}", "theme (latest round)");
    for c in collaborations {
        let _ = write!(out, " {:>18}", c.assessment.name.chars().take(18).collect::<String>());
    }
    out.push('\n');
    let themes: Vec<String> = first.rounds.last().map(|r| r.themes.iter().map(|t| t.theme.clone()).collect()).unwrap_or_default();
    for theme in &themes {
        let _ = write!(out, "{:<44}", name(theme));
        for c in collaborations {
            let cell = c
                .rounds
                .last()
                .and_then(|r| r.themes.iter().find(|t| &t.theme == theme))
                .map_or("–".to_string(), |s| format!("{} {}", show(s.mean), s.band.map_or("", Band::as_str)));
            let _ = write!(out, " {cell:>18}");
        }
        out.push('\n');
    }
    for c in collaborations {
        let _ = writeln!(out, "\n{}:", c.assessment.name);
        match c.rounds.last() {
            Some(last) if !last.gaps.is_empty() => {
                for gap in &last.gaps {
                    let _ = writeln!(out, "  {}: {}", gap.rule, gap.detail);
                }
            }
            _ => out.push_str("  no gaps\n"),
        }
    }
    out
}

/// `collabmap compare --format html`: the comparison table and each collaboration's latest profile.
pub fn compare_html(collaborations: &[Compared<'_>]) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Collaborations compared</title><style>{STYLE}</style></head><body><main>\n<h1>Collaborations compared</h1>\n"
    );
    out.push_str("<p class=\"meta\">Each collaboration's latest round, theme by theme, with its gaps.</p>\n<pre class=\"comparison\">");
    out.push_str(&escape(&compare_text(collaborations)));
    out.push_str("</pre>\n<div class=\"columns\">");
    for c in collaborations {
        if let Some(last) = c.rounds.last() {
            let _ = write!(
                out,
                "<figure class=\"diagram\">{}<figcaption>{} · round {} ({})</figcaption></figure>",
                profile_svg(c.assessment, last),
                escape(&c.assessment.name),
                escape(&last.round),
                escape(&last.date)
            );
        }
    }
    out.push_str("</div></main></body></html>\n");
    out
}
