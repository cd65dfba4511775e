//! Which codes an item carries and whom it is attributed to.

use aho_corasick::{AhoCorasick, MatchKind};
use collabmap_study::{Codebook, Counting, Interview, Item, ItemKind, MapNodeKind, Study};

/// The codes of one item: codebook indices, each explicit or inferred.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemCodes {
    /// `(theme index, inferred)`, one entry per theme, in codebook order.
    pub codes: Vec<(usize, bool)>,
}

impl ItemCodes {
    /// Whether `theme` is a code of the item.
    pub fn has(&self, theme: usize) -> bool {
        self.codes.iter().any(|&(t, _)| t == theme)
    }
}

/// How a person came to be credited with a theme through one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Credit {
    /// The item is tagged with the theme.
    Explicit,
    /// An indicator phrase of the theme occurs in the item.
    Inferred,
    /// The item carries a child code, rolled up into the theme (`rollup = true`).
    Rollup,
    /// Someone else said it in a group meeting, and the meeting's agreement
    /// credits every attendee (`group_agreement = true`).
    Group,
}

impl Credit {
    /// The word for it in outputs: `explicit`, `inferred`, `rollup`, `group`.
    pub fn as_str(self) -> &'static str {
        match self {
            Credit::Explicit => "explicit",
            Credit::Inferred => "inferred",
            Credit::Rollup => "rollup",
            Credit::Group => "group",
        }
    }
}

/// Codes items by the study's rules: explicit tags, inferred indicator
/// phrases (pole only, word boundaries), and rollup to ancestors.
#[derive(Debug, Clone)]
pub struct AutoCoder<'a> {
    codebook: &'a Codebook,
    counting: Counting,
    /// One automaton over every indicator phrase, so an item's text is scanned
    /// once whatever the size of the codebook.
    matcher: Option<AhoCorasick>,
    /// For each pattern, the themes that list it.
    pattern_themes: Vec<Vec<usize>>,
    /// The patterns, normalised, for saying which phrase inferred a code.
    phrases: Vec<String>,
}

/// Case-folds `text` and makes every run of whitespace one space.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Most text is ASCII, whose case folds byte by byte: a tenth of
    // counting a large study went to folding char by char.
    let ascii = text.is_ascii();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if ascii {
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
    out
}

/// Whether `normalise(text)` is `text` with its ASCII letters in lower case:
/// ASCII, words apart by single spaces, nothing around them.
fn is_folded_but_for_ascii_case(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && bytes.iter().all(|&b| b.is_ascii() && !(b'\t'..=b'\r').contains(&b))
        && !bytes.windows(2).any(|pair| pair == b"  ")
}

impl<'a> AutoCoder<'a> {
    /// A coder for `codebook` under the `counting` settings.
    pub fn new(codebook: &'a Codebook, counting: Counting) -> Self {
        let mut phrases: Vec<String> = Vec::new();
        let mut pattern_themes: Vec<Vec<usize>> = Vec::new();
        if counting.infer {
            for (index, theme) in codebook.themes().iter().enumerate() {
                for phrase in &theme.indicators {
                    let phrase = normalise(phrase);
                    if phrase.is_empty() {
                        continue;
                    }
                    match phrases.iter().position(|p| *p == phrase) {
                        Some(existing) => pattern_themes[existing].push(index),
                        None => {
                            phrases.push(phrase);
                            pattern_themes.push(vec![index]);
                        }
                    }
                }
            }
        }
        // Phrases are folded already; matching ASCII letters in either case lets
        // text that is folded but for its case be searched as it is (see `inferred_by_pattern`).
        let matcher =
            if phrases.is_empty() { None } else { AhoCorasick::builder().match_kind(MatchKind::Standard).ascii_case_insensitive(true).build(&phrases).ok() };
        let phrases = if matcher.is_some() { phrases } else { Vec::new() };
        AutoCoder { codebook, counting, matcher, pattern_themes, phrases }
    }

    /// The themes whose indicator phrases occur in `text` at word boundaries.
    pub fn inferred_themes(&self, text: &str) -> Vec<usize> {
        self.inferences(text).into_iter().map(|(theme, _)| theme).collect()
    }

    /// Each theme an indicator phrase in `text` infers, with the first phrase
    /// (normalised) that did, in order of first appearance.
    pub fn inferences(&self, text: &str) -> Vec<(usize, &str)> {
        self.inferred_by_pattern(text).into_iter().map(|(theme, pattern)| (theme, self.phrases[pattern].as_str())).collect()
    }

    /// [`AutoCoder::inferences`] with each phrase as its index in `self.phrases`.
    fn inferred_by_pattern(&self, text: &str) -> Vec<(usize, usize)> {
        let Some(matcher) = &self.matcher else { return Vec::new() };
        // Most items are ASCII with single spaces: they differ from their
        // folded form only in case, which the matcher ignores, so they are
        // searched without a folded copy.
        let haystack = if is_folded_but_for_ascii_case(text) { std::borrow::Cow::Borrowed(text) } else { std::borrow::Cow::Owned(normalise(text)) };
        let mut found: Vec<(usize, usize)> = Vec::new();
        for hit in matcher.find_overlapping_iter(&*haystack) {
            let before = haystack[..hit.start()].chars().next_back();
            let after = haystack[hit.end()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            if boundary(before) && boundary(after) {
                let pattern = hit.pattern().as_usize();
                for &theme in &self.pattern_themes[pattern] {
                    if !found.iter().any(|&(t, _)| t == theme) {
                        found.push((theme, pattern));
                    }
                }
            }
        }
        found
    }

    /// How `item` comes to carry `theme`, if it does: by its own tag, through
    /// a tagged child code rolled up (`rollup = true`), by an indicator phrase
    /// (which one), or through a child code that phrase inferred. The order is
    /// [`AutoCoder::codes`]'s: a code that is explicit by any route is explicit.
    pub fn explain(&self, item: &Item<'_>, theme: usize) -> Option<(Credit, Option<String>)> {
        self.code_item(item).into_iter().find(|c| c.code == theme).map(|c| (c.how, c.indicator.map(|p| self.phrases[p as usize].clone())))
    }

    /// The codes of `item`, each with how it came (see [`AutoCoder::explain`]),
    /// from one scan of its text.
    pub fn code_item(&self, item: &Item<'_>) -> Vec<CodeOnItem> {
        let tagged: Vec<usize> = item.codes.iter().filter_map(|id| self.codebook.index_of(id)).collect();
        let inferred = self.inferred_by_pattern(item.text);
        let rollup = self.counting.rollup;
        let rolls_up_to = |from: usize, theme: usize| rollup && self.codebook.ancestors(from).any(|a| a == theme);
        let how = |theme: usize| -> (Credit, Option<u32>) {
            if tagged.contains(&theme) {
                return (Credit::Explicit, None);
            }
            if tagged.iter().any(|&t| rolls_up_to(t, theme)) {
                return (Credit::Rollup, None);
            }
            if let Some(&(_, pattern)) = inferred.iter().find(|&&(t, _)| t == theme) {
                return (Credit::Inferred, Some(pattern as u32));
            }
            match inferred.iter().find(|&&(t, _)| rolls_up_to(t, theme)) {
                Some(&(_, pattern)) => (Credit::Rollup, Some(pattern as u32)),
                // Unreachable for a code `codes_from` found; explicit is the safe reading.
                None => (Credit::Explicit, None),
            }
        };
        self.codes_from(&tagged, inferred.iter().map(|&(t, _)| t))
            .into_iter()
            .map(|(code, _)| {
                let (how, indicator) = how(code);
                CodeOnItem { code, how, indicator }
            })
            .collect()
    }

    /// The codes of `item`.
    pub fn codes(&self, item: &Item<'_>) -> ItemCodes {
        let tagged: Vec<usize> = item.codes.iter().filter_map(|id| self.codebook.index_of(id)).collect();
        ItemCodes { codes: self.codes_from(&tagged, self.inferred_themes(item.text)) }
    }

    /// The codes of an item tagged with `tagged` whose text infers `inferred`:
    /// `(theme, inferred)` in codebook order.
    fn codes_from(&self, tagged: &[usize], inferred: impl IntoIterator<Item = usize>) -> Vec<(usize, bool)> {
        let mut codes: Vec<(usize, bool)> = tagged.iter().map(|&t| (t, false)).collect();
        for theme in inferred {
            if !codes.iter().any(|&(t, _)| t == theme) {
                codes.push((theme, true));
            }
        }
        if self.counting.rollup {
            let direct = codes.clone();
            for (theme, inferred) in direct {
                for ancestor in self.codebook.ancestors(theme) {
                    add(&mut codes, ancestor, inferred);
                }
            }
        }
        codes.sort_unstable();
        codes
    }

    /// The indicator phrases, normalised, that [`CodeOnItem::indicator`] points into.
    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }
}

/// One code of one item and how the item came to carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeOnItem {
    /// The codebook entry's index.
    pub code: usize,
    /// Tagged, inferred, or rolled up from a child code.
    pub how: Credit,
    /// The indicator phrase that inferred it (directly or through a child),
    /// as an index into [`Coding::indicator`]'s list; `None` when tagged.
    pub indicator: Option<u32>,
}

impl CodeOnItem {
    /// Whether the code came from an indicator phrase rather than a tag.
    pub fn inferred(&self) -> bool {
        self.indicator.is_some()
    }
}

/// Every item of a study coded once, by one [`AutoCoder`], so that every
/// figure and every surface (counts, evidence, search, exports) reads the
/// same codes without coding again.
#[derive(Debug, Clone, Default)]
pub struct Coding {
    interviews: Vec<std::sync::Arc<InterviewCoding>>,
    phrases: Vec<String>,
}

/// The codes of one interview's items: its map's nodes by index (none for a
/// cross-link), then its quotes, stories and pictures by position.
#[derive(Debug, Clone, Default)]
pub struct InterviewCoding {
    /// Where each item's codes end in `codes`, items in the order above.
    ends: Vec<u32>,
    codes: Vec<CodeOnItem>,
    nodes: u32,
    quotes: u32,
    stories: u32,
}

impl Coding {
    /// Codes every item of `study` under its counting settings, interviews in parallel.
    pub fn of(study: &Study) -> Coding {
        use rayon::prelude::*;
        let coder = AutoCoder::new(&study.codebook, study.config.counting);
        let interviews = study.interviews.par_iter().map(|interview| std::sync::Arc::new(InterviewCoding::of(&coder, interview))).collect();
        Coding { interviews, phrases: coder.phrases }
    }

    /// The auto-coder of `study` (its codebook under its counting settings): the
    /// one place one is made, so that an item is coded once per analysis.
    pub(crate) fn coder(study: &Study) -> AutoCoder<'_> {
        AutoCoder::new(&study.codebook, study.config.counting)
    }

    /// The coding made of each interview's (in study order) and the coder's indicator phrases.
    pub(crate) fn from_parts(interviews: Vec<std::sync::Arc<InterviewCoding>>, phrases: Vec<String>) -> Coding {
        Coding { interviews, phrases }
    }

    /// The codes of the items of interview `number` (an index into `study.interviews`).
    pub fn interview(&self, number: usize) -> &InterviewCoding {
        static NONE: InterviewCoding = InterviewCoding { ends: Vec::new(), codes: Vec::new(), nodes: 0, quotes: 0, stories: 0 };
        self.interviews.get(number).map_or(&NONE, |coding| coding)
    }

    /// The codes of one item: a concept by its map index, anything else by its position.
    pub fn item(&self, interview: usize, kind: ItemKind, position: usize) -> &[CodeOnItem] {
        self.interview(interview).item(kind, position)
    }

    /// The indicator phrase (normalised) numbered `index` (see [`CodeOnItem::indicator`]).
    pub fn phrase(&self, index: u32) -> Option<&str> {
        self.phrases.get(index as usize).map(String::as_str)
    }

    /// The indicator phrase (normalised) that inferred `code`, if one did.
    pub fn indicator(&self, code: &CodeOnItem) -> Option<&str> {
        code.indicator.and_then(|p| self.phrases.get(p as usize)).map(String::as_str)
    }
}

impl InterviewCoding {
    /// Codes every item of one interview.
    pub fn of(coder: &AutoCoder<'_>, interview: &Interview) -> InterviewCoding {
        let mut coding = InterviewCoding {
            nodes: interview.map.len() as u32,
            quotes: interview.quotes.len() as u32,
            stories: interview.stories.len() as u32,
            ..InterviewCoding::default()
        };
        let mut push = |codes: Vec<CodeOnItem>| {
            coding.codes.extend(codes);
            coding.ends.push(coding.codes.len() as u32);
        };
        for node in &interview.map {
            match &node.kind {
                MapNodeKind::Concept(concept) => push(coder.code_item(&concept.item())),
                MapNodeKind::CrossLink { .. } => push(Vec::new()),
            }
        }
        for (_, item) in interview.items_beside_the_map() {
            push(coder.code_item(&item));
        }
        coding
    }

    /// The codes of a concept (by its map index, none for a cross-link) or of
    /// a quote, story or picture (by its position); none when out of range.
    pub fn item(&self, kind: ItemKind, position: usize) -> &[CodeOnItem] {
        let (nodes, quotes, stories) = (self.nodes as usize, self.quotes as usize, self.stories as usize);
        let slot = match kind {
            ItemKind::Concept if position < nodes => position,
            ItemKind::Quote if position < quotes => nodes + position,
            ItemKind::Story if position < stories => nodes + quotes + position,
            ItemKind::Picture => nodes + quotes + stories + position,
            _ => return &[],
        };
        let Some(&end) = self.ends.get(slot) else { return &[] };
        let start = if slot == 0 { 0 } else { self.ends[slot - 1] };
        &self.codes[start as usize..end as usize]
    }

    /// The codes of the concept at map index `node`.
    pub fn concept(&self, node: usize) -> &[CodeOnItem] {
        self.item(ItemKind::Concept, node)
    }
}

/// Adds a code; a code that is explicit by any route is explicit.
fn add(codes: &mut Vec<(usize, bool)>, theme: usize, inferred: bool) {
    match codes.iter_mut().find(|(t, _)| *t == theme) {
        Some(existing) => existing.1 &= inferred,
        None => codes.push((theme, inferred)),
    }
}

/// The people an item is attributed to, as indices into `attendees`' ids via `index`.
///
/// One attendee: that attendee. A group meeting with group agreement: every
/// attendee. Without it: the item's speakers and a quote's attribution.
pub fn attributed<'i>(interview: &'i Interview, item: &Item<'i>, group_agreement: bool) -> Vec<&'i str> {
    if interview.people.len() == 1 || (interview.is_group() && group_agreement) {
        return interview.people.iter().map(String::as_str).collect();
    }
    let mut people: Vec<&str> = item.speakers.iter().map(String::as_str).collect();
    if item.kind == ItemKind::Quote
        && let Some(person) = item.attribution
        && !people.contains(&person)
    {
        people.push(person);
    }
    people
}

#[cfg(test)]
mod tests {
    use super::*;
    use collabmap_study::{Code, CodeKind, Codebook, Counting};

    proptest::proptest! {
        /// Text searched as it is finds what its folded copy would.
        #[test]
        fn text_folded_but_for_case_is_searched_as_it_is(text in "[ a-zA-Z.,'\t]{0,30}|\\PC{0,10}") {
            if is_folded_but_for_ascii_case(&text) {
                proptest::prop_assert_eq!(normalise(&text), text.to_ascii_lowercase());
            }
        }

        /// The ASCII shortcut folds exactly as folding char by char does.
        #[test]
        fn normalising_ascii_text_folds_as_unicode_does(text in "[ -~\t\n\r\x0b\x0c]{0,40}|\\PC{0,20}") {
            let by_char = text.split_whitespace().map(|w| w.chars().flat_map(char::to_lowercase).collect::<String>()).collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(normalise(&text), by_char);
        }
    }

    fn theme(id: &str, parent: Option<&str>, indicators: &[&str]) -> Code {
        Code {
            id: id.into(),
            name: id.into(),
            parent: parent.map(Into::into),
            kind: CodeKind::Theme,
            model: true,
            indicators: indicators.iter().map(|s| s.to_string()).collect(),
            description: String::new(),
            queries: Vec::new(),
            line: 1,
        }
    }

    fn item<'a>(text: &'a str, codes: &'a [String]) -> Item<'a> {
        Item { kind: ItemKind::Concept, line: 1, text, codes, speakers: &[], attribution: None }
    }

    fn codebook() -> Codebook {
        Codebook::from_themes("t", vec![theme("power", None, &["local ownership", "ego"]), theme("child", Some("power"), &["shared  Vision"])])
    }

    #[test]
    fn phrases_need_word_boundaries_and_fold_case() {
        let codebook = codebook();
        let coder = AutoCoder::new(&codebook, Counting::default());
        assert_eq!(coder.inferred_themes("We built LOCAL\n  ownership."), vec![0]);
        assert!(coder.inferred_themes("superlocal ownership").is_empty());
        assert!(coder.inferred_themes("local ownerships").is_empty());
        assert!(coder.inferred_themes("egos everywhere").is_empty());
        assert_eq!(coder.inferred_themes("keep the ego-driven out"), vec![0]);
        assert_eq!(coder.inferred_themes("a shared vision"), vec![1]);
    }

    #[test]
    fn a_later_occurrence_can_match_when_the_first_cannot() {
        let codebook = codebook();
        let coder = AutoCoder::new(&codebook, Counting::default());
        assert_eq!(coder.inferred_themes("selfego then ego"), vec![0]);
    }

    #[test]
    fn explicit_beats_inferred_and_infer_can_be_off() {
        let codebook = codebook();
        let explicit = vec!["power".to_string()];
        let coder = AutoCoder::new(&codebook, Counting::default());
        assert_eq!(coder.codes(&item("local ownership", &explicit)).codes, vec![(0, false)]);
        assert_eq!(coder.codes(&item("local ownership", &[])).codes, vec![(0, true)]);
        let off = AutoCoder::new(&codebook, Counting { infer: false, ..Counting::default() });
        assert!(off.codes(&item("local ownership", &[])).codes.is_empty());
    }

    #[test]
    fn rollup_carries_the_inferred_flag_of_its_source() {
        let codebook = codebook();
        let coder = AutoCoder::new(&codebook, Counting { rollup: true, ..Counting::default() });
        assert_eq!(coder.codes(&item("a shared vision", &[])).codes, vec![(0, true), (1, true)]);
        let explicit = vec!["child".to_string()];
        assert_eq!(coder.codes(&item("nothing", &explicit)).codes, vec![(0, false), (1, false)]);
        let no_rollup = AutoCoder::new(&codebook, Counting::default());
        assert_eq!(no_rollup.codes(&item("nothing", &explicit)).codes, vec![(1, false)]);
    }
}
