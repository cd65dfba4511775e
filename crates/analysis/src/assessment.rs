//! Scoring a collaboration against the model: per round and model theme,
//! the partners' mean agreement, its spread, a band, the change since the
//! last round and a view per organisation; then the gaps a leader should
//! talk about, each with the theme's reflective questions.
//!
//! The rules are normative; docs/assessment.md states them for readers.

use std::collections::{BTreeMap, HashMap};

use collabmap_study::assessment::{Assessment, Leader};

/// Organisations with fewer respondents than this for a theme are pooled,
/// and a pool smaller than this is left out, so no one's answers can be singled out.
pub const MIN_GROUP: u32 = 5;
/// The name of the pool of small organisations.
pub const OTHER_ORGANISATIONS: &str = "Other organisations";
/// A spread (mean absolute deviation) above this, with at least three respondents, marks a theme contested.
pub const CONTESTED_SPREAD: f64 = 5.0 / 6.0;
/// Leaders of the study's long-lived collaborations had been in post at least this many years.
pub const TENURE_YEARS: i32 = 6;

/// How a theme's mean reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Mean 4.0 and above.
    Strength,
    /// Mean from 3.0 up to 4.0.
    Discuss,
    /// Mean below 3.0.
    Concern,
}

impl Band {
    /// The band of a mean.
    pub fn of(mean: f64) -> Band {
        if mean >= 4.0 {
            Band::Strength
        } else if mean >= 3.0 {
            Band::Discuss
        } else {
            Band::Concern
        }
    }

    /// The band's name in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Strength => "strength",
            Band::Discuss => "discuss",
            Band::Concern => "concern",
        }
    }
}

/// One organisation's (or the pool's) view of a theme.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationScore {
    /// The organisation, or [`OTHER_ORGANISATIONS`].
    pub organisation: String,
    /// Respondents.
    pub n: u32,
    /// Their mean score.
    pub mean: f64,
}

/// A theme in one round.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeScore {
    /// The model theme.
    pub theme: String,
    /// Respondents with at least one answered item of the theme.
    pub n: u32,
    /// The mean of their scores (or the assessor's rating when no one answered).
    pub mean: Option<f64>,
    /// The average absolute deviation of their scores from the mean.
    pub ad: Option<f64>,
    /// The band of the mean.
    pub band: Option<Band>,
    /// n ≥ 3 and ad > 5/6.
    pub contested: bool,
    /// Mean minus the previous round's mean.
    pub change: Option<f64>,
    /// Organisations with at least five respondents, then the pool of the rest.
    pub by_organisation: Vec<OrganisationScore>,
}

/// Something the collaboration should talk about.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// `neglected-core`, `insist-without-sharing`, `without-a-point`, `contested` or `leadership-tenure`.
    pub rule: &'static str,
    /// The theme it is about, if one.
    pub theme: Option<String>,
    /// What was found.
    pub detail: String,
    /// The theme's reflective questions.
    pub queries: Vec<String>,
}

/// One round's results.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundResult {
    /// The round.
    pub round: String,
    /// Its date.
    pub date: String,
    /// People who answered at least one item.
    pub respondents: u32,
    /// Model themes in codebook order.
    pub themes: Vec<ThemeScore>,
    /// Gaps in rule order.
    pub gaps: Vec<Gap>,
}

/// Scores every round of `assessment` (which must have no problems).
pub fn assess(assessment: &Assessment) -> Vec<RoundResult> {
    let model: Vec<&collabmap_study::Code> = assessment.codebook.themes().iter().filter(|t| t.model).collect();
    let theme_of: HashMap<&str, &str> = assessment.items.iter().map(|i| (i.id.as_str(), i.theme.as_str())).collect();
    let mut previous: HashMap<String, f64> = HashMap::new();
    let mut results = Vec::new();
    for round in &assessment.rounds {
        let responses: Vec<_> = assessment.responses.iter().filter(|r| r.round == round.id).collect();
        let respondents = responses.iter().map(|r| r.respondent.as_str()).collect::<std::collections::BTreeSet<_>>().len() as u32;
        let mut themes = Vec::new();
        for theme in &model {
            // Each respondent's score for the theme: the mean of their answered items.
            let mut answers: BTreeMap<&str, (f64, u32, &str)> = BTreeMap::new();
            for response in &responses {
                if theme_of.get(response.item.as_str()) != Some(&theme.id.as_str()) {
                    continue;
                }
                if let Some(score) = response.score {
                    let entry = answers.entry(response.respondent.as_str()).or_insert((0.0, 0, response.organisation.as_str()));
                    entry.0 += f64::from(score);
                    entry.1 += 1;
                }
            }
            let scores: Vec<(f64, &str)> = answers.values().map(|&(sum, count, organisation)| (sum / f64::from(count), organisation)).collect();
            let n = scores.len() as u32;
            let (mean, ad) = if n > 0 {
                let mean = scores.iter().map(|s| s.0).sum::<f64>() / f64::from(n);
                let ad = scores.iter().map(|s| (s.0 - mean).abs()).sum::<f64>() / f64::from(n);
                (Some(mean), Some(ad))
            } else {
                let rating = assessment.ratings.iter().find(|r| r.round == round.id && r.theme == theme.id).map(|r| r.score);
                (rating, None)
            };
            let contested = n >= 3 && ad.is_some_and(|ad| ad > CONTESTED_SPREAD);
            let change = mean.and_then(|m| previous.get(&theme.id).map(|p| m - p));
            themes.push(ThemeScore {
                theme: theme.id.clone(),
                n,
                mean,
                ad,
                band: mean.map(Band::of),
                contested,
                change,
                by_organisation: by_organisation(&scores),
            });
        }
        previous = themes.iter().filter_map(|t| t.mean.map(|m| (t.theme.clone(), m))).collect();
        let gaps = gaps(assessment, &round.date, &themes);
        results.push(RoundResult { round: round.id.clone(), date: round.date.clone(), respondents, themes, gaps });
    }
    results
}

fn by_organisation(scores: &[(f64, &str)]) -> Vec<OrganisationScore> {
    let mut groups: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for &(score, organisation) in scores {
        groups.entry(organisation).or_default().push(score);
    }
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let mut out = Vec::new();
    let mut pool = Vec::new();
    for (organisation, values) in groups {
        if values.len() as u32 >= MIN_GROUP {
            out.push(OrganisationScore { organisation: organisation.to_string(), n: values.len() as u32, mean: mean(&values) });
        } else {
            pool.extend(values);
        }
    }
    if pool.len() as u32 >= MIN_GROUP {
        out.push(OrganisationScore { organisation: OTHER_ORGANISATIONS.to_string(), n: pool.len() as u32, mean: mean(&pool) });
    }
    out
}

/// Whether `leader` had been in post less than [`TENURE_YEARS`] at `date` (both `YYYY-MM-DD`).
/// A leader who had not yet taken up the post is not counted.
pub fn short_tenure(leader: &Leader, date: &str) -> bool {
    let parse = |d: &str| -> Option<(i32, u32, u32)> {
        let mut parts = d.split('-');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    match (parse(&leader.since), parse(date)) {
        (Some((y, m, d)), Some(at)) => (y, m, d) <= at && (y + TENURE_YEARS, m, d) > at,
        _ => false,
    }
}

fn years_between(since: &str, date: &str) -> f64 {
    let days = |d: &str| -> f64 {
        let parts: Vec<f64> = d.split('-').filter_map(|p| p.parse().ok()).collect();
        if parts.len() == 3 { parts[0] * 365.25 + (parts[1] - 1.0) * 30.44 + parts[2] } else { 0.0 }
    };
    ((days(date) - days(since)) / 365.25).max(0.0)
}

fn gaps(assessment: &Assessment, date: &str, themes: &[ThemeScore]) -> Vec<Gap> {
    let codebook = &assessment.codebook;
    let queries = |id: &str| codebook.get(id).map(|t| t.queries.clone()).unwrap_or_default();
    let name = |id: &str| codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let mean = |id: &str| themes.iter().find(|t| t.theme == id).and_then(|t| t.mean);
    let mut gaps = Vec::new();
    for score in themes {
        let core = codebook.get(&score.theme).is_some_and(|t| t.parent.is_none());
        if core && score.band == Some(Band::Concern) {
            gaps.push(Gap {
                rule: "neglected-core",
                theme: Some(score.theme.clone()),
                detail: format!("{} is a core theme of the model and scores {:.2}, below 3.0", name(&score.theme), score.mean.unwrap_or_default()),
                queries: queries(&score.theme),
            });
        }
    }
    if let (Some(insist), Some(share)) = (mean("whole-system"), mean("share-power"))
        && insist - share >= 1.0
    {
        gaps.push(Gap {
            rule: "insist-without-sharing",
            theme: Some("share-power".into()),
            detail: format!("insisting on the whole system ({insist:.2}) runs {:.2} ahead of sharing power ({share:.2}): partners are told what to do more than they decide it", insist - share),
            queries: queries("share-power"),
        });
    }
    if let (Some(insist), Some(share), Some(purpose), Some(user)) = (mean("whole-system"), mean("share-power"), mean("common-purpose"), mean("service-user")) {
        let means = (insist + share) / 2.0;
        let point = (purpose + user) / 2.0;
        if means - point >= 1.0 {
            let weaker = if purpose <= user { "common-purpose" } else { "service-user" };
            let mut asked = queries("common-purpose");
            asked.extend(queries("service-user"));
            gaps.push(Gap {
                rule: "without-a-point",
                theme: Some(weaker.into()),
                detail: format!(
                    "the means (whole system and shared power, {means:.2} on average) run {:.2} ahead of the point (common purpose and the service user's perspective, {point:.2})",
                    means - point
                ),
                queries: asked,
            });
        }
    }
    for score in themes.iter().filter(|t| t.contested) {
        gaps.push(Gap {
            rule: "contested",
            theme: Some(score.theme.clone()),
            detail: format!(
                "partners disagree on {}: {} respondents, mean {:.2}, spread {:.2}",
                name(&score.theme),
                score.n,
                score.mean.unwrap_or_default(),
                score.ad.unwrap_or_default()
            ),
            queries: queries(&score.theme),
        });
    }
    for leader in assessment.leaders.iter().filter(|l| short_tenure(l, date)) {
        let role = if leader.role.is_empty() { String::new() } else { format!(" ({})", leader.role) };
        gaps.push(Gap {
            rule: "leadership-tenure",
            theme: None,
            detail: format!(
                "{}{role} has led since {}, {:.1} years at this round; the long-lived collaborations of the study had leaders in post for {TENURE_YEARS} years and more",
                leader.name,
                leader.since,
                years_between(&leader.since, date)
            ),
            queries: queries("distribute-leadership"),
        });
    }
    gaps
}

#[cfg(test)]
mod tests {
    use collabmap_study::MemoryFiles;
    use collabmap_study::assessment::load_assessment;

    use super::*;

    const HEADER: &str = "round,respondent,organisation,role,item,score\n";

    fn assessment(responses: &str, with_evidence: bool) -> Assessment {
        let mut files = MemoryFiles::new();
        files.insert(
            "collaboration.toml",
            b"name = \"Pilot\"\n\n[[leader]]\nname = \"Ana\"\nrole = \"chair\"\nsince = \"2019-06-01\"\n\n[[round]]\nid = \"later\"\ndate = \"2025-06-01\"\n\n[[round]]\nid = \"first\"\ndate = \"2024-06-01\"\n".to_vec(),
        );
        files.insert("responses.csv", format!("{HEADER}{responses}").into_bytes());
        if with_evidence {
            files.insert(
                "evidence.toml",
                b"[[rating]]\nround = \"first\"\ntheme = \"relationships\"\nscore = 2.5\nevidence = \"minutes of six meetings\"\n".to_vec(),
            );
        }
        let (assessment, problems) = load_assessment(&files);
        assert!(problems.is_empty(), "{problems:?}");
        assessment
    }

    fn lines(round: &str, theme: &str, scores: &[(&str, &str, &[Option<u8>])]) -> String {
        let mut out = String::new();
        for (respondent, organisation, answers) in scores {
            for (i, score) in answers.iter().enumerate() {
                out.push_str(&format!("{round},{respondent},{organisation},staff,{theme}-{},{}\n", i + 1, score.map_or(String::new(), |s| s.to_string())));
            }
        }
        out
    }

    fn theme<'r>(round: &'r RoundResult, id: &str) -> &'r ThemeScore {
        round.themes.iter().find(|t| t.theme == id).expect("theme")
    }

    #[test]
    fn means_spreads_bands_and_missing_answers() {
        // share-power in the first round: a = (5+4)/2 = 4.5 (one "don't know"), b = 2, c = 3, d: no answer at all.
        let responses = lines(
            "first",
            "share-power",
            &[("a", "Police", &[Some(5), Some(4), None]), ("b", "Health", &[Some(2)]), ("c", "Health", &[Some(3), Some(3), Some(3)]), ("d", "Health", &[None])],
        );
        let results = assess(&assessment(&responses, false));
        assert_eq!(results[0].round, "first", "rounds in date order");
        assert_eq!(results[0].respondents, 4);
        let power = theme(&results[0], "share-power");
        assert_eq!(power.n, 3);
        // mean (4.5 + 2 + 3) / 3 = 3.1667; ad (1.3333 + 1.1667 + 0.1667) / 3 = 0.8889.
        assert!((power.mean.expect("mean") - 9.5 / 3.0).abs() < 1e-9);
        assert!((power.ad.expect("ad") - 0.888_888_9).abs() < 1e-6);
        assert_eq!(power.band, Some(Band::Discuss));
        assert!(power.contested, "n = 3 and ad > 5/6");
        assert_eq!(power.change, None, "first round");
        assert!(results[0].gaps.iter().any(|g| g.rule == "contested" && g.theme.as_deref() == Some("share-power")));
        // A theme no one answered, without a rating: no mean, no band.
        let user = theme(&results[0], "service-user");
        assert_eq!((user.n, user.mean, user.band), (0, None, None));
    }

    #[test]
    fn band_edges() {
        assert_eq!(Band::of(4.0), Band::Strength);
        assert_eq!(Band::of(3.999), Band::Discuss);
        assert_eq!(Band::of(3.0), Band::Discuss);
        assert_eq!(Band::of(2.999), Band::Concern);
    }

    #[test]
    fn organisations_below_five_are_pooled_or_left_out() {
        type Group<'a> = Vec<(String, &'a str, Vec<Option<u8>>)>;
        let five: Group<'_> = (0..5).map(|i| (format!("p{i}"), "Police", vec![Some(4)])).collect();
        let four: Group<'_> = (0..4).map(|i| (format!("h{i}"), "Health", vec![Some(2)])).collect();
        let one = vec![("s0".to_string(), "School", vec![Some(5)])];
        let build = |groups: &[&Group<'_>]| {
            let rows: Vec<(&str, &str, &[Option<u8>])> = groups.iter().flat_map(|g| g.iter().map(|(r, o, s)| (r.as_str(), *o, s.as_slice()))).collect();
            lines("first", "relationships", &rows)
        };
        // Police has 5: shown. Health 4 + School 1 = a pool of 5: shown as other organisations.
        let results = assess(&assessment(&build(&[&five, &four, &one]), false));
        let by = &theme(&results[0], "relationships").by_organisation;
        assert_eq!(by.len(), 2);
        assert_eq!((by[0].organisation.as_str(), by[0].n, by[0].mean), ("Police", 5, 4.0));
        assert_eq!((by[1].organisation.as_str(), by[1].n), (OTHER_ORGANISATIONS, 5));
        assert!((by[1].mean - 13.0 / 5.0).abs() < 1e-9);
        // Health alone (4): neither shown nor pooled.
        let results = assess(&assessment(&build(&[&five, &four]), false));
        let by = &theme(&results[0], "relationships").by_organisation;
        assert_eq!(by.iter().map(|o| o.organisation.as_str()).collect::<Vec<_>>(), vec!["Police"]);
    }

    #[test]
    fn evidence_fills_a_theme_no_one_answered_and_change_follows_date_order() {
        let mut responses = lines("later", "relationships", &[("a", "Police", &[Some(4)]), ("b", "Police", &[Some(4)])]);
        responses.push_str(&lines("first", "share-power", &[("a", "Police", &[Some(3)])]));
        let results = assess(&assessment(&responses, true));
        let first = theme(&results[0], "relationships");
        assert_eq!((first.n, first.mean, first.ad, first.band), (0, Some(2.5), None, Some(Band::Concern)));
        let later = theme(&results[1], "relationships");
        assert_eq!(later.change, Some(1.5), "4.0 − the rating 2.5 of the earlier round");
    }

    #[test]
    fn each_gap_rule() {
        // whole-system 5, share-power 2 (core, concern), common-purpose 2, service-user 3.
        let mut responses = String::new();
        for (theme, score) in [("whole-system", 5), ("share-power", 2), ("common-purpose", 2), ("service-user", 3)] {
            responses.push_str(&lines("first", theme, &[("a", "Police", &[Some(score)])]));
        }
        let results = assess(&assessment(&responses, false));
        let rules: Vec<(&str, Option<&str>)> = results[0].gaps.iter().map(|g| (g.rule, g.theme.as_deref())).collect();
        assert_eq!(
            rules,
            vec![
                ("neglected-core", Some("common-purpose")),
                ("neglected-core", Some("share-power")),
                ("insist-without-sharing", Some("share-power")),
                ("without-a-point", Some("common-purpose")),
                ("leadership-tenure", None),
            ],
            "the means (5 + 2)/2 = 3.5 against the point (2 + 3)/2 = 2.5: exactly 1.0 counts"
        );
        assert!(results[0].gaps[0].queries.len() >= 3, "each gap carries the theme's questions");
        // In post since 2019-06-01: five years at the first round, exactly six at the later one.
        let leader = &assessment(&responses, false).leaders[0];
        assert!(short_tenure(leader, "2025-05-31"));
        assert!(!short_tenure(leader, "2025-06-01"));
        assert!(!short_tenure(leader, "2019-05-31"), "not yet in post");
    }
}
