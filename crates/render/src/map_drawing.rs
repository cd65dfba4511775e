//! A cognitive map drawn as a tree: purposes at the top, means below their
//! ends, arrows from means to end, negative links dashed, cross-links curved.

use std::fmt::Write as _;

use collabmap_study::{Codebook, Interview, MapNodeKind};

use crate::svg::{arrow_defs, escape, text_width, theme_colour, wrap};

const BOX_WIDTH: f64 = 190.0;
const H_GAP: f64 = 24.0;
const V_GAP: f64 = 56.0;
const LINE: f64 = 15.0;
const CHARS: usize = 27;

/// The width of a code's chip: its `#code` label and padding.
fn chip_width(code: &str) -> f64 {
    text_width(&format!("#{code}"), 10.0) + 12.0
}

struct Laid {
    x: f64,
    y: f64,
    height: f64,
}

/// What the structural analysis marks on a drawing, by index in `Interview::map`.
#[derive(Debug, Clone, Default)]
pub struct MapMarks {
    /// Each concept's role (head, tail, isolated, ordinary), written as `data-role`.
    pub roles: std::collections::HashMap<usize, &'static str>,
    /// Tails that lead to at least one head: outlined in green.
    pub options: std::collections::HashSet<usize>,
    /// Concepts on a feedback loop: outlined in red.
    pub in_loop: std::collections::HashSet<usize>,
}

/// Draws the map of `interview`. Codes are shown as coloured chips named by `codebook`.
///
/// Iterative throughout, so maps nested hundreds deep draw without recursion.
pub fn map_svg(interview: &Interview, codebook: &Codebook) -> String {
    map_svg_marked(interview, codebook, &MapMarks::default())
}

/// A map laid out: each concept's text lines and code chips, and where its box sits.
struct MapLayout {
    lines: Vec<Vec<(String, &'static str)>>,
    chips: Vec<Vec<(String, &'static str)>>,
    laid: Vec<Laid>,
    width: f64,
    height: f64,
}

/// Lays the map out as a tree, purposes on top: each box sized to its text
/// and chips, leaves in successive slots, an end centred over its means.
fn lay_out(interview: &Interview, codebook: &Codebook, concepts: &[usize]) -> MapLayout {
    let size = interview.map.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); size];
    let mut roots = Vec::new();
    for &i in concepts {
        match interview.map[i].parent {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    // Text lines per concept, to size each box.
    let mut lines: Vec<Vec<(String, &'static str)>> = vec![Vec::new(); size];
    let mut chips: Vec<Vec<(String, &'static str)>> = vec![Vec::new(); size];
    for (i, concept) in interview.concepts() {
        let mut text: Vec<(String, &'static str)> = wrap(&concept.pole, CHARS).into_iter().map(|l| (l, "pole")).collect();
        if let Some(contrast) = &concept.contrast {
            text.extend(wrap(&format!("... as opposed to {contrast}"), CHARS).into_iter().map(|l| (l, "contrast")));
        }
        lines[i] = text;
        chips[i] = concept
            .codes
            .iter()
            .map(|code| {
                let index = codebook.index_of(code).unwrap_or(0);
                (code.clone(), theme_colour(index))
            })
            .collect();
    }
    let chip_rows = |i: usize| -> usize {
        let mut rows = 0;
        let mut used = BOX_WIDTH;
        for (code, _) in &chips[i] {
            let w = chip_width(code);
            if used + w > BOX_WIDTH - 10.0 {
                rows += 1;
                used = 0.0;
            }
            used += w + 4.0;
        }
        rows
    };
    let heights: Vec<f64> = (0..size).map(|i| 12.0 + LINE * lines[i].len() as f64 + 18.0 * chip_rows(i) as f64).collect();
    let depth_of = |i: usize| interview.map[i].depth;
    let max_depth = concepts.iter().map(|&i| depth_of(i)).max().unwrap_or(0);
    let mut row_height = vec![0.0f64; max_depth + 1];
    for &i in concepts {
        row_height[depth_of(i)] = row_height[depth_of(i)].max(heights[i]);
    }
    let mut row_top = vec![40.0; max_depth + 1];
    for d in 1..=max_depth {
        row_top[d] = row_top[d - 1] + row_height[d - 1] + V_GAP;
    }
    // Leaves take successive slots; an end is centred over its means (post-order, by hand).
    let mut x = vec![0.0f64; size];
    let mut next_slot = 0.0;
    let mut stack: Vec<(usize, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    while let Some((node, expanded)) = stack.pop() {
        if children[node].is_empty() {
            x[node] = next_slot;
            next_slot += BOX_WIDTH + H_GAP;
        } else if expanded {
            let first = x[children[node][0]];
            let last = x[*children[node].last().unwrap_or(&children[node][0])];
            x[node] = (first + last) / 2.0;
        } else {
            stack.push((node, true));
            stack.extend(children[node].iter().rev().map(|&c| (c, false)));
        }
    }
    let laid: Vec<Laid> = (0..size).map(|i| Laid { x: x[i] + 20.0, y: row_top[depth_of(i).min(max_depth)], height: heights[i] }).collect();
    let width = next_slot + 40.0;
    let height = row_top[max_depth] + row_height[max_depth] + 40.0;
    MapLayout { lines, chips, laid, width, height }
}

/// One concept's box as laid out: where it sits, its wrapped lines and its code chips.
struct ConceptBox<'a> {
    node: usize,
    concept: &'a collabmap_study::Concept,
    head: bool,
    at: &'a Laid,
    lines: &'a [(String, &'static str)],
    chips: &'a [(String, &'static str)],
}

/// Draws one link from its means' box up to its end's box: a straight line
/// for a tree link, a curve for a cross-link, dashed and marked when negative.
fn draw_link(out: &mut String, link: &collabmap_study::Link, laid: &[Laid]) {
    let (means, end) = (&laid[link.means], &laid[link.end]);
    let (x1, y1) = (means.x + BOX_WIDTH / 2.0, means.y);
    let (x2, y2) = (end.x + BOX_WIDTH / 2.0, end.y + end.height + 2.0);
    let dash = if link.negative { " stroke-dasharray=\"6 4\"" } else { "" };
    let (colour, marker) = match (link.cross, link.negative) {
        (_, true) => ("#b03a2e", "arrow-negative"),
        (true, false) => ("#7b4fa0", "arrow-cross"),
        (false, false) => ("#555", "arrow"),
    };
    let class = if link.cross { "cross-link" } else { "link" };
    if link.cross {
        let bend = 60.0 + 0.15 * (x1 - x2).abs();
        let _ = write!(
            out,
            "<path class=\"{class}\" d=\"M{x1:.1},{y1:.1} C{x1:.1},{:.1} {x2:.1},{:.1} {x2:.1},{y2:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash} marker-end=\"url(#{marker})\"/>",
            y1 - bend,
            y2 + bend
        );
    } else {
        let _ = write!(
            out,
            "<line class=\"{class}\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash} marker-end=\"url(#{marker})\"/>"
        );
    }
    if link.negative {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" fill=\"#b03a2e\" font-weight=\"bold\">−</text>",
            (x1 + x2) / 2.0 + 4.0,
            (y1 + y2) / 2.0
        );
    }
}

/// Draws one concept: its box (marked when an option or in a loop), its words and its code chips.
fn draw_concept(out: &mut String, concept_box: ConceptBox<'_>, marks: &MapMarks) {
    let ConceptBox { node, concept, head, at, lines, chips } = concept_box;
    let (fill, mut stroke) = if head { ("#fff4d6", "#b5651d") } else { ("#f4f7fb", "#7f8fa6") };
    let mut width = 1.0;
    let mut class = "concept".to_string();
    if marks.options.contains(&node) {
        (stroke, width) = ("#2a7f62", 2.5);
        class.push_str(" option");
    }
    if marks.in_loop.contains(&node) {
        (stroke, width) = ("#c0392b", 3.0);
        class.push_str(" in-loop");
    }
    let role = marks.roles.get(&node).map(|r| format!(" data-role=\"{r}\"")).unwrap_or_default();
    let block = concept.block_id.as_deref().map(|b| format!(" data-block=\"{}\"", escape(b))).unwrap_or_default();
    let _ = write!(
        out,
        "<g class=\"{class}\" id=\"L{}\" data-line=\"{}\"{block}{role}><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{BOX_WIDTH}\" height=\"{:.1}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
        concept.line, concept.line, at.x, at.y, at.height
    );
    for (n, (line, kind)) in lines.iter().enumerate() {
        let style = if *kind == "contrast" { " font-style=\"italic\" fill=\"#666\"" } else { " fill=\"#222\"" };
        let _ = write!(out, "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\"{style}>{}</text>", at.x + 8.0, at.y + 18.0 + LINE * n as f64, escape(line));
    }
    let mut cx = at.x + 8.0;
    let mut cy = at.y + 14.0 + LINE * lines.len() as f64;
    for (code, colour) in chips {
        let w = chip_width(code);
        if cx + w > at.x + BOX_WIDTH - 4.0 && cx > at.x + 8.0 {
            cx = at.x + 8.0;
            cy += 18.0;
        }
        let _ = write!(
            out,
            "<g class=\"chip\"><rect x=\"{cx:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"15\" rx=\"7\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#fff\">#{}</text></g>",
            cy - 1.0,
            cx + 5.0,
            cy + 10.0,
            escape(code)
        );
        cx += w + 4.0;
    }
    out.push_str("</g>");
}

/// Draws the map with the analysis's marks: loops, potent options, roles.
pub fn map_svg_marked(interview: &Interview, codebook: &Codebook, marks: &MapMarks) -> String {
    let concepts: Vec<usize> = interview.concepts().map(|(i, _)| i).collect();
    if concepts.is_empty() {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 60\" width=\"400\" height=\"60\" font-family=\"DejaVu Sans, sans-serif\"><text x=\"10\" y=\"35\" font-size=\"14\" fill=\"#666\">This interview has no map.</text></svg>".to_string();
    }
    let MapLayout { lines, chips, laid, width, height } = lay_out(interview, codebook, &concepts);

    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"DejaVu Sans, sans-serif\" role=\"img\" aria-label=\"Cognitive map of {}\">",
        escape(&interview.id)
    );
    out.push_str(arrow_defs());
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    for link in interview.links() {
        draw_link(&mut out, &link, &laid);
    }
    for &i in &concepts {
        if let MapNodeKind::Concept(concept) = &interview.map[i].kind {
            let head = interview.map[i].parent.is_none();
            draw_concept(&mut out, ConceptBox { node: i, concept, head, at: &laid[i], lines: &lines[i], chips: &chips[i] }, marks);
        }
    }
    out.push_str("</svg>");
    out
}
