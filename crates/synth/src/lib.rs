//! Synthetic studies for demonstrations, tests and benchmarks.
//!
//! [`generate`] builds a [`Study`] in memory whose mention table and model
//! reproduce the published study's figures: 69 people in 49 organisations on
//! 47 projects, the twelve theme counts 66, 62, 61, 60, 55, 55, 53, 48, 42,
//! 41, 39, 36, outcome measures mentioned by 42 people in 14 projects, some
//! mentions only inferred, and maps whose model puts the service user at the
//! centre. With more people, every figure is scaled in proportion. The same
//! seed always gives the same study. All names and texts are invented.

use collabmap_study::{Codebook, Concept, Interview, MapNode, MapNodeKind, Person, Project, Quote, Story, Study, StudyConfig};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The number of people the published study interviewed.
pub const PUBLISHED_PEOPLE: u32 = 69;

/// Code counts out of 69, in the published order, then the other codes the generator uses.
pub const PUBLISHED_COUNTS: &[(&str, u32)] = &[
    ("common-purpose", 66),
    ("whole-system", 62),
    ("explain-importance", 61),
    ("service-user", 60),
    ("hold-to-account", 55),
    ("share-power", 55),
    ("resource-new-ways", 53),
    ("relationships", 48),
    ("serve-perspectives", 42),
    ("political-backing", 41),
    ("distribute-leadership", 39),
    ("front-line", 36),
];

const OTHER_COUNTS: &[(&str, u32)] = &[
    ("outcome-measures", 42),
    ("user-governance", 27),
    ("listen-communities", 21),
    ("power-struggles", 24),
    ("institutional-inertia", 31),
    ("lack-of-passion", 22),
    ("leadership-change", 19),
    ("impatience", 13),
    ("saving-money", 30),
    ("effectiveness", 35),
];

/// People whose only mention of a theme is through an indicator phrase (out of 69).
const INFERRED_ONLY: &[(&str, u32)] = &[("share-power", 6), ("serve-perspectives", 3), ("relationships", 2)];

const ORGANISATIONS: u32 = 49;
const PROJECTS: u32 = 47;
const OUTCOME_PROJECTS: u32 = 14;
const GROUP_SIZES: [usize; 5] = [3, 3, 3, 2, 2];

/// Scales a published figure to `people`.
fn scaled(count: u32, people: u32) -> usize {
    ((u64::from(count) * u64::from(people) + u64::from(PUBLISHED_PEOPLE) / 2) / u64::from(PUBLISHED_PEOPLE)) as usize
}

/// One interview being planned: its attendees (indices into people) and the themes it mentions.
struct Unit {
    people: Vec<usize>,
    themes: Vec<&'static str>,
    inferred: Vec<&'static str>,
    projects: Vec<usize>,
}

impl Unit {
    fn has(&self, theme: &str) -> bool {
        self.themes.contains(&theme)
    }
}

/// Picks units whose attendees add up to exactly `target` people, preferring units in `preferred`.
fn pick(units: &[Unit], preferred: &[usize], target: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut pool: Vec<usize> = preferred.to_vec();
    pool.shuffle(rng);
    let mut rest: Vec<usize> = (0..units.len()).filter(|u| !preferred.contains(u)).collect();
    rest.shuffle(rng);
    pool.extend(rest);
    let singles_after = |from: usize| pool[from..].iter().filter(|&&u| units[u].people.len() == 1).count();
    let mut chosen = Vec::new();
    let mut remaining = target;
    // Groups first, while singles alone could not make up the rest; then singles.
    for (position, &unit) in pool.iter().enumerate() {
        let size = units[unit].people.len();
        if remaining == 0 {
            break;
        }
        if size == 1 {
            continue;
        }
        let must = remaining > singles_after(position);
        if size <= remaining && (must || rng.random_bool(0.5)) {
            chosen.push(unit);
            remaining -= size;
        }
    }
    for &unit in &pool {
        if remaining == 0 {
            break;
        }
        if units[unit].people.len() == 1 {
            chosen.push(unit);
            remaining -= 1;
        }
    }
    chosen
}

const FIRST: &[&str] = &[
    "Ada", "Bo", "Cai", "Dara", "Eli", "Fen", "Gus", "Hana", "Ivo", "Jun", "Kit", "Lia", "Mo", "Nia", "Oren", "Pia", "Quin", "Rui", "Sol", "Tam", "Uma", "Vic",
    "Wen", "Xan", "Yael", "Zef",
];
const LAST: &[&str] = &[
    "Aldane", "Brook", "Corran", "Dewsbury", "Eskin", "Farrow", "Galloway", "Hextall", "Ingram", "Jarrow", "Kestle", "Lowry", "Marden", "Norrie", "Oakes",
    "Penrose", "Quaile", "Rendle", "Stow", "Tarrant",
];
const ROLES: &[&str] = &[
    "Director",
    "Manager",
    "Coordinator",
    "Caseworker",
    "Probation officer",
    "Programme lead",
    "Policy adviser",
    "Commissioner",
    "Researcher",
    "Chief executive",
];
const COUNTRIES: &[&str] = &["USA", "Canada", "India"];

/// Concept wordings per theme: invented, and free of every indicator phrase.
fn wording(theme: &str) -> &'static [&'static str] {
    match theme {
        "service-user" => &[
            "Start every review from one client's journey",
            "Ask families what each step feels like",
            "Sit with clients in the waiting room",
            "Map the service as the resident meets it",
        ],
        "common-purpose" => {
            &["Agree one aim that outranks agency targets", "Keep every partner on the same outcome", "Write the purpose on the first page of every plan"]
        }
        "whole-system" => {
            &["Expect partners to plan as one system", "Make every agency look past its own walls", "Treat the system rather than each organisation"]
        }
        "share-power" => &["Let partners decide how the work is done", "Hand the network room to set its own rules", "Accept agreement short of unanimity"],
        "explain-importance" => &["Keep repeating why the work matters", "Tell the cost of failure in plain numbers", "Show each partner what it gains"],
        "front-line" => &["Train counter staff to work across services", "Back staff who already cross boundaries", "Reward joint casework in appraisals"],
        "hold-to-account" => &["Write down roles and review them monthly", "Challenge partners who slip back", "Publish who delivered what"],
        "resource-new-ways" => &["Give staff time to work across agencies", "Pay for the legal and funding fixes", "Second an analyst to the partnership"],
        "political-backing" => &["Brief the mayor before every launch", "Win cabinet support for joint working", "Find the courage to defend the pilot"],
        "distribute-leadership" => {
            &["Hand decisions to those nearest the client", "Let district teams lead their own changes", "Rotate the chair among partners"]
        }
        "serve-perspectives" => &["Let another agency's priority win sometimes", "Respect each profession's domain", "Hear the police view before deciding"],
        "relationships" => &["Invest in personal ties with partners", "Meet the probation lead every week", "Keep people in post long enough to trust"],
        "outcome-measures" => {
            &["Track every pupil's reading on a whiteboard", "Put the one page scorecard on the wall", "Count nights housed rather than forms filed"]
        }
        "user-governance" => &["Invite an independent voice to witness progress", "Give former clients seats on the board"],
        "listen-communities" => &["Hold open meetings in each neighbourhood", "Ask residents what they need first"],
        _ => &["Keep going"],
    }
}

/// Texts that carry a theme only through its indicator phrase.
fn inferred_wording(theme: &str) -> &'static str {
    match theme {
        "share-power" => "Build local ownership in each district",
        "serve-perspectives" => "Keep my ego in check in meetings",
        "relationships" => "Lean on partners we have known each other for years with",
        _ => "Keep going",
    }
}

fn quote_wording(theme: &str) -> &'static str {
    match theme {
        "power-struggles" => "Each department wanted the money to flow through it.",
        "institutional-inertia" => "Our finance systems could not talk to each other.",
        "lack-of-passion" => "In routine work nobody had the energy left.",
        "leadership-change" => "When the director left, the work stalled for a year.",
        "impatience" => "The funders wanted results in six months.",
        "saving-money" => "Fewer detention beds saved the county millions.",
        "effectiveness" => "Most clients stayed housed and out of jail.",
        _ => "It only worked because we kept coming back to it.",
    }
}

/// Quotes for the model themes, so that every theme of the model has words
/// behind it to read. Invented, and free of every indicator phrase (a quote
/// adds no code of its own beyond its tag).
fn model_quote_wording(theme: &str) -> &'static str {
    match theme {
        "service-user" => "We sat in the waiting room for a morning and saw what a mother with three children goes through.",
        "common-purpose" => "Once we all wanted the same thing for the same families, the arguments about money got shorter.",
        "whole-system" => "Fixing our bit only moved the problem to the next office down the road.",
        "share-power" => "We stopped deciding for the partners and let the network settle its own rules.",
        "explain-importance" => "I told every board what one more night in a cell costs, again and again.",
        "front-line" => "The receptionists knew more about the families than any of the managers.",
        "hold-to-account" => "Every month we read out who had done what they promised, and who had not.",
        "resource-new-ways" => "Somebody has to pay for the time people spend on the joint work.",
        "political-backing" => "With the council leader behind us, nobody could quietly pull out.",
        "distribute-leadership" => "The district teams made changes we would never have thought of.",
        "serve-perspectives" => "Sometimes the police priority had to come first, and we said so.",
        "relationships" => "Coffee with the probation lead every Friday did more than any protocol.",
        _ => "It only worked because we kept coming back to it.",
    }
}

/// Short stories for the model themes: a title and what happened. Invented,
/// and free of every indicator phrase.
fn model_story(theme: &str) -> (&'static str, &'static str) {
    match theme {
        "service-user" => (
            "The morning in the waiting room",
            "Three managers spent a morning beside the people queuing for help, and rewrote the referral letter that afternoon.",
        ),
        "common-purpose" => {
            ("One number on the wall", "Every partner agreed to count the same thing, nights spent housed, and the monthly meeting started from it.")
        }
        "whole-system" => {
            ("Following one case", "We traced one young man through eleven offices and found that each had done its job while he fell through all of them.")
        }
        "share-power" => ("The budget the districts spent", "Head office gave each district a sum and a promise not to ask for a plan first."),
        _ => ("What happened next", "It only worked because we kept coming back to it."),
    }
}

const ACTIVITIES: &[(&str, &[&str])] = &[
    ("common-purpose", &["explain-importance", "front-line"]),
    ("whole-system", &["hold-to-account", "resource-new-ways", "political-backing"]),
    ("share-power", &["distribute-leadership", "serve-perspectives", "relationships"]),
];

/// Who meets in which interview: group meetings scale with the study; everyone else is interviewed alone.
fn meetings(people: u32, rng: &mut ChaCha8Rng) -> Vec<Unit> {
    let n = people.max(1) as usize;
    let groups = (scaled(GROUP_SIZES.len() as u32, people)).min(n / 6);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut units: Vec<Unit> = Vec::new();
    let mut next = 0;
    for g in 0..groups {
        let size = GROUP_SIZES[g % GROUP_SIZES.len()];
        units.push(Unit { people: order[next..next + size].to_vec(), themes: Vec::new(), inferred: Vec::new(), projects: Vec::new() });
        next += size;
    }
    for &person in &order[next..] {
        units.push(Unit { people: vec![person], themes: Vec::new(), inferred: Vec::new(), projects: Vec::new() });
    }

    units
}

/// Gives each meeting its themes so that the counts come out as published
/// (scaled): cores mostly among those who see the service user's side,
/// activities among their core; some codes only through indicator phrases.
fn assign_themes(units: &mut Vec<Unit>, people: u32, rng: &mut ChaCha8Rng) {
    let n = people.max(1) as usize;
    let target = |theme: &str| -> usize {
        let count = PUBLISHED_COUNTS.iter().chain(OTHER_COUNTS).find(|(t, _)| *t == theme).map_or(0, |(_, c)| *c);
        scaled(count, people).min(n)
    };
    let all: Vec<usize> = (0..units.len()).collect();
    let assign = |units: &mut Vec<Unit>, theme: &'static str, preferred: &[usize], rng: &mut ChaCha8Rng| {
        for u in pick(units, preferred, target(theme), rng) {
            units[u].themes.push(theme);
        }
    };
    assign(units, "service-user", &all, rng);
    for (core, activities) in ACTIVITIES {
        // Cores mostly among those who see the service user's side, activities among their core.
        let with_user: Vec<usize> = (0..units.len()).filter(|&u| units[u].has("service-user")).collect();
        assign(units, core, &with_user, rng);
        let with_core: Vec<usize> = (0..units.len()).filter(|&u| units[u].has(core)).collect();
        for activity in *activities {
            assign(units, activity, &with_core, rng);
        }
    }
    for (theme, _) in OTHER_COUNTS {
        assign(units, theme, &all, rng);
    }
    for (theme, count) in INFERRED_ONLY {
        let holders: Vec<usize> = (0..units.len()).filter(|&u| units[u].has(theme) && units[u].people.len() == 1).collect();
        for &u in holders.iter().take(scaled(*count, people)) {
            units[u].inferred.push(theme);
        }
    }
}

/// The projects, each meeting in at least one: outcome measures stay within
/// their own projects; every project gets an interview.
fn assign_projects(units: &mut [Unit], people: u32, rng: &mut ChaCha8Rng) -> Vec<Project> {
    let project_count = scaled(PROJECTS, people).max(1);
    let outcome_projects = scaled(OUTCOME_PROJECTS, people).clamp(1, project_count);
    let (mut measured, mut others): (Vec<usize>, Vec<usize>) = (0..units.len()).partition(|&u| units[u].has("outcome-measures"));
    measured.shuffle(rng);
    others.shuffle(rng);
    for (i, &u) in measured.iter().enumerate() {
        units[u].projects.push(i % outcome_projects);
    }
    let other_projects: Vec<usize> = (outcome_projects..project_count).collect();
    if !others.is_empty() {
        for (i, &project) in other_projects.iter().enumerate() {
            units[others[i % others.len()]].projects.push(project);
        }
        if other_projects.len() < others.len() {
            for &u in &others[other_projects.len()..] {
                let project = *other_projects.choose(rng).unwrap_or(&0);
                units[u].projects.push(project);
            }
        }
    }

    (0..project_count)
        .map(|p| {
            let id = format!("proj-{:0w$}", p + 1, w = digits(project_count));
            let name = format!("Collaborative project {}", p + 1);
            let country = COUNTRIES[p % COUNTRIES.len()].to_string();
            Project { values: vec![id.clone(), name.clone(), country], id, name }
        })
        .collect()
}

/// The people: everyone interviewed, and a few contacts who were not.
fn people_of(units: &[Unit], people: u32, rng: &mut ChaCha8Rng) -> Vec<Person> {
    let n = people.max(1) as usize;
    let extra = scaled(3, people).max(1);
    let organisations = scaled(ORGANISATIONS, people).max(1);
    let mut country_of = vec![0usize; n + extra];
    for unit in units {
        let project = unit.projects.first().copied().unwrap_or(0);
        for &p in &unit.people {
            country_of[p] = project % COUNTRIES.len();
        }
    }
    let width = digits(n + extra);
    (0..n + extra)
        .map(|p| {
            let id = format!("p{:0width$}", p + 1);
            let name = format!("{} {}", FIRST.choose(rng).unwrap_or(&"Ada"), LAST.choose(rng).unwrap_or(&"Brook"));
            let organisation = if p < organisations { p } else { rng.random_range(0..organisations) };
            let organisation = format!("Organisation {:0w$}", organisation + 1, w = digits(organisations));
            let role = ROLES.choose(rng).unwrap_or(&"Manager").to_string();
            let anonymous = rng.random_bool(0.12);
            let values = vec![
                id.clone(),
                name.clone(),
                role,
                organisation,
                COUNTRIES[country_of[p]].to_string(),
                if anonymous { "anonymous" } else { "named" }.to_string(),
            ];
            Person { id, name, values, anonymous }
        })
        .collect()
}

/// Generates a synthetic study of `people` interviewed people; `progress` is called with the share done.
pub fn generate(people: u32, seed: u64, progress: &mut dyn FnMut(u64, u64)) -> Study {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let codebook = Codebook::builtin("whole-systems").unwrap_or_default();

    let mut units = meetings(people, &mut rng);
    assign_themes(&mut units, people, &mut rng);
    let projects = assign_projects(&mut units, people, &mut rng);
    let people_rows = people_of(&units, people, &mut rng);

    let total = units.len() as u64;
    let interview_width = digits(units.len());
    let mut interviews = Vec::with_capacity(units.len());
    for (i, unit) in units.iter().enumerate() {
        let mut interview = build_interview(unit, &people_rows, &projects, &mut rng);
        interview.id = format!("i{:0interview_width$}", i + 1);
        interview.file = format!("interviews/{}.md", interview.id);
        interviews.push(std::sync::Arc::new(interview));
        if i % 1024 == 0 || i + 1 == units.len() {
            progress(i as u64 + 1, total);
        }
    }

    let mut config = StudyConfig::new(
        if people == PUBLISHED_PEOPLE {
            "Collaboration in public services (synthetic study with the published figures)".to_string()
        } else {
            format!("Collaboration in public services (synthetic study of {people} people)")
        },
        "whole-systems",
    );
    config.model.min_support = scaled(5, people).max(5) as u32;
    let people_columns = ["id", "name", "role", "organisation", "country", "attribution"].map(String::from).to_vec();
    let project_columns = ["id", "name", "country"].map(String::from).to_vec();
    Study { config, codebook, people_columns, people: people_rows.into(), project_columns, projects: projects.into(), interviews, memos: Vec::new() }
}

fn digits(n: usize) -> usize {
    n.max(1).to_string().len().max(2)
}

struct MapWriter {
    map: Vec<MapNode>,
}

impl MapWriter {
    /// Adds a concept; `block` names it for cross-links.
    fn add(&mut self, parent: Option<usize>, negative: bool, pole: &str, codes: &[&str], block: Option<&str>) -> usize {
        let depth = parent.map_or(0, |p| self.map[p].depth + 1);
        let block_id = block.map(str::to_string);
        let concept =
            Concept { line: 0, pole: pole.to_string(), contrast: None, codes: codes.iter().map(|c| c.to_string()).collect(), speakers: Vec::new(), block_id };
        self.map.push(MapNode { line: 0, depth, parent, negative, kind: MapNodeKind::Concept(concept) });
        self.map.len() - 1
    }

    /// Adds `[[#^target]]` under `parent`, right after it in the outline; resolved by [`MapWriter::finish`].
    fn cross_link(&mut self, parent: usize, target: &str) {
        let depth = self.map[parent].depth + 1;
        self.map.push(MapNode {
            line: 0,
            depth,
            parent: Some(parent),
            negative: false,
            kind: MapNodeKind::CrossLink { target: target.to_string(), resolved: None },
        });
    }

    /// Resolves cross-links to the concepts they name, as the parser does.
    fn finish(mut self) -> Vec<MapNode> {
        let blocks: Vec<(String, usize)> = self
            .map
            .iter()
            .enumerate()
            .filter_map(|(i, n)| match &n.kind {
                MapNodeKind::Concept(c) => c.block_id.clone().map(|b| (b, i)),
                MapNodeKind::CrossLink { .. } => None,
            })
            .collect();
        for node in &mut self.map {
            if let MapNodeKind::CrossLink { target, resolved } = &mut node.kind {
                *resolved = blocks.iter().find(|(b, _)| b == target).map(|(_, i)| *i);
            }
        }
        self.map
    }
}

/// A meeting's quotes and stories: some of its model themes in people's
/// words, and its barriers and reasons.
fn quotes_and_stories(unit: &Unit, people: &[Person], rng: &mut ChaCha8Rng) -> (Vec<Quote>, Vec<Story>) {
    let mut quotes = Vec::new();
    let mut stories = Vec::new();
    // A quote in the same interview credits the same people with a theme the
    // map already credits them with, so the counts stay the published ones;
    // inferred themes are left without, so that "inferred only" stays true.
    for (theme, _) in PUBLISHED_COUNTS {
        if unit.has(theme) && !unit.inferred.contains(theme) && rng.random_bool(0.4) {
            let speaker = unit.people.choose(rng).copied().unwrap_or(0);
            quotes.push(Quote {
                line: 0,
                text: model_quote_wording(theme).into(),
                codes: vec![(*theme).into()],
                speakers: Vec::new(),
                attribution: Some(people[speaker].id.clone()),
                anonymous: rng.random_bool(0.1),
            });
        }
    }
    for theme in ["service-user", "common-purpose", "whole-system", "share-power"] {
        if unit.has(theme) && !unit.inferred.contains(&theme) && rng.random_bool(0.15) {
            let (title, body) = model_story(theme);
            stories.push(Story { line: 0, title: title.into(), body: body.into(), codes: vec![theme.into()], speakers: Vec::new() });
        }
    }
    for theme in ["power-struggles", "institutional-inertia", "lack-of-passion", "leadership-change", "impatience", "saving-money", "effectiveness"] {
        if !unit.has(theme) || (theme == "institutional-inertia" && unit.has("whole-system")) {
            continue;
        }
        if matches!(theme, "saving-money" | "effectiveness") {
            stories.push(Story {
                line: 0,
                title: "What happened next".into(),
                body: quote_wording(theme).into(),
                codes: vec![theme.into()],
                speakers: Vec::new(),
            });
        } else {
            let speaker = unit.people.choose(rng).copied().unwrap_or(0);
            quotes.push(Quote {
                line: 0,
                text: quote_wording(theme).into(),
                codes: vec![theme.into()],
                speakers: Vec::new(),
                attribution: Some(people[speaker].id.clone()),
                anonymous: rng.random_bool(0.1),
            });
        }
    }
    (quotes, stories)
}

fn build_interview(unit: &Unit, people: &[Person], projects: &[Project], rng: &mut ChaCha8Rng) -> Interview {
    let mut map = MapWriter { map: Vec::new() };
    let purpose = map.add(None, false, "Collaborate to improve services", &[], None);
    // Time spent on relationships also helps partners hold each other to account.
    let relationships_help = unit.has("relationships") && unit.has("hold-to-account") && rng.random_bool(0.3);
    let say = |theme: &str, rng: &mut ChaCha8Rng| *wording(theme).choose(rng).unwrap_or(&"Keep going");
    let centre = if unit.has("service-user") { map.add(Some(purpose), false, say("service-user", rng), &["service-user"], None) } else { purpose };
    for (core, activities) in ACTIVITIES {
        let core_at = if unit.has(core) {
            if unit.inferred.contains(core) {
                map.add(Some(centre), false, inferred_wording(core), &[], None)
            } else {
                map.add(Some(centre), false, say(core, rng), &[core], None)
            }
        } else if activities.iter().any(|a| unit.has(a)) {
            // Activities without their core hang from the purpose, so they add no link to the centre.
            purpose
        } else {
            continue;
        };
        for activity in *activities {
            if !unit.has(activity) {
                continue;
            }
            let at = if unit.inferred.contains(activity) {
                map.add(Some(core_at), false, inferred_wording(activity), &[], Some(activity))
            } else {
                map.add(Some(core_at), false, say(activity, rng), &[activity], Some(activity))
            };
            if *activity == "hold-to-account" && relationships_help {
                map.cross_link(at, "relationships");
            }
        }
        if *core == "whole-system" && unit.has("institutional-inertia") && core_at != purpose {
            map.add(Some(core_at), true, "Separate budgets kept each agency in its lane", &["institutional-inertia"], None);
        }
    }
    for theme in ["outcome-measures", "user-governance", "listen-communities"] {
        if unit.has(theme) {
            map.add(Some(centre), false, say(theme, rng), &[theme], None);
        }
    }
    let (quotes, stories) = quotes_and_stories(unit, people, rng);
    let month = if rng.random_bool(0.7) { rng.random_range(10..=11) } else { 5 };
    let year = if month == 5 { 2011 } else { 2010 };
    Interview {
        id: String::new(),
        file: String::new(),
        people: unit.people.iter().map(|&p| people[p].id.clone()).collect(),
        projects: unit.projects.iter().map(|&p| projects[p].id.clone()).collect(),
        date: Some(format!("{year}-{month:02}-{:02}", rng.random_range(1..=28))),
        checked_back: rng.random_bool(0.8),
        checked_back_on: None,
        map: map.finish(),
        quotes,
        stories,
        pictures: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collabmap_analysis::{Model, synthesise};

    fn counts(study: &Study) -> Vec<(String, u32)> {
        let synthesis = synthesise(study);
        PUBLISHED_COUNTS.iter().map(|(t, _)| (t.to_string(), synthesis.table.row(t).map_or(0, |r| r.people))).collect()
    }

    #[test]
    fn reproduces_the_published_figures_for_several_seeds() {
        for seed in [1, 2011, 77] {
            let study = generate(PUBLISHED_PEOPLE, seed, &mut |_, _| {});
            let expected: Vec<(String, u32)> = PUBLISHED_COUNTS.iter().map(|(t, c)| (t.to_string(), *c)).collect();
            assert_eq!(counts(&study), expected, "seed {seed}");
            let synthesis = synthesise(&study);
            assert_eq!(synthesis.table.out_of, 69);
            let outcome = synthesis.table.row("outcome-measures").expect("row");
            assert_eq!((outcome.people, outcome.projects), (42, 14), "seed {seed}");
            assert!(synthesis.table.rows.iter().any(|r| r.inferred > 0));
            let model = Model::discover(&study, &synthesis);
            assert_eq!(model.attractor.as_deref(), Some("service-user"), "seed {seed}");
            for core in ["common-purpose", "whole-system", "share-power"] {
                assert_eq!(model.level_of(core), Some(1), "{core}, seed {seed}");
            }
            for (_, activities) in ACTIVITIES {
                for activity in *activities {
                    assert_eq!(model.level_of(activity), Some(2), "{activity}, seed {seed}");
                }
            }
            let organisations: std::collections::HashSet<&str> = study.people.iter().map(|p| p.values[3].as_str()).collect();
            assert_eq!(organisations.len(), 49);
            assert_eq!(study.projects.len(), 47);
            assert!(study.interviews.iter().any(|i| i.is_group()));
            for (theme, _) in PUBLISHED_COUNTS {
                let quoted = study.interviews.iter().flat_map(|i| &i.quotes).any(|q| q.codes.iter().any(|c| c == theme));
                assert!(quoted, "{theme} has no quote, seed {seed}");
            }
            for theme in ["service-user", "common-purpose", "whole-system", "share-power"] {
                let told = study.interviews.iter().flat_map(|i| &i.stories).any(|s| s.codes.iter().any(|c| c == theme));
                assert!(told, "{theme} has no story, seed {seed}");
            }
        }
    }
}
