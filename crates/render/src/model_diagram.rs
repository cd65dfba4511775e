//! The model diagram: the attractor at the centre, the inner ring around it,
//! the outer ring beyond, and unplaced themes set apart.

use std::collections::HashMap;
use std::f64::consts::PI;
use std::fmt::Write as _;

use collabmap_analysis::Model;

use crate::svg::{arrow_defs, escape, wrap};

/// Where a theme was drawn.
#[derive(Debug, Clone, Copy)]
struct Placed {
    x: f64,
    y: f64,
    radius: f64,
}

fn ring_radius(level: u32) -> f64 {
    match level {
        0 => 0.0,
        1 => 190.0,
        l => 350.0 + 130.0 * f64::from(l - 2),
    }
}

fn level_fill(level: Option<u32>) -> &'static str {
    match level {
        Some(0) => "#f2b134",
        Some(1) => "#4aa38a",
        Some(_) => "#7fa7d9",
        None => "#c8c8c8",
    }
}

/// Where the diagram's themes and arrows lead, when it is drawn for a page
/// (`None`: a plain drawing, as for the PNG).
pub struct Hrefs<'a> {
    /// A theme's page, by its id.
    pub theme: &'a dyn Fn(&str) -> Option<String>,
    /// A kept link's evidence, by its means and end ids.
    pub link: &'a dyn Fn(&str, &str) -> Option<String>,
}

impl Hrefs<'_> {
    /// No links: a drawing to save or print.
    pub const NONE: Hrefs<'static> = Hrefs { theme: &|_| None, link: &|_, _| None };
}

/// Where each theme of the model sits, and the drawing's size.
struct Layout<'m> {
    max_level: u32,
    /// The rings' centre.
    cx: f64,
    cy: f64,
    width: f64,
    height: f64,
    /// The width of the side panel of themes not placed in the model (0 when there are none).
    side: f64,
    unplaced: Vec<&'m str>,
    placed: HashMap<&'m str, Placed>,
}

/// Lays the model out in rings: each ring spread evenly, an outer theme near the inner theme it feeds.
fn layout(model: &Model) -> Layout<'_> {
    let max_level = model.themes.iter().filter_map(|t| t.level).max().unwrap_or(0);
    let outer = ring_radius(max_level.max(1)) + 90.0;
    let (cx, cy) = (outer + 20.0, outer + 60.0);
    let unplaced: Vec<&str> = model.themes.iter().filter(|t| t.level.is_none()).map(|t| t.id.as_str()).collect();
    let side = if unplaced.is_empty() { 0.0 } else { 240.0 };
    let width = 2.0 * cx + side;
    let height = (2.0 * outer + 100.0).max(120.0 + 110.0 * unplaced.len() as f64);
    let most = model.themes.iter().map(|t| t.people).max().unwrap_or(1).max(1) as f64;
    let size = |people: u32| 20.0 + 26.0 * (f64::from(people) / most).sqrt();

    let mut placed: HashMap<&str, Placed> = HashMap::new();
    let mut angle_of: HashMap<&str, f64> = HashMap::new();
    for level in 0..=max_level {
        let ring: Vec<&str> = model.themes.iter().filter(|t| t.level == Some(level)).map(|t| t.id.as_str()).collect();
        let mut wanted: Vec<(f64, &str)> = ring
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                let target = model
                    .links
                    .iter()
                    .filter(|l| l.from == id)
                    .filter(|l| model.level_of(&l.to) == Some(level.saturating_sub(1)))
                    .max_by_key(|l| l.people)
                    .and_then(|l| angle_of.get(l.to.as_str()).copied());
                (target.unwrap_or(2.0 * PI * i as f64 / ring.len().max(1) as f64), id)
            })
            .collect();
        wanted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let step = 2.0 * PI / wanted.len().max(1) as f64;
        // The inner ring starts at the top; outer rings start beside their first theme's end.
        let start = if level <= 1 { -PI / 2.0 } else { wanted.first().map_or(0.0, |w| w.0) - step / 3.0 };
        for (i, &(_, id)) in wanted.iter().enumerate() {
            let angle = start + step * i as f64;
            let r = ring_radius(level);
            let people = model.themes.iter().find(|t| t.id == id).map_or(0, |t| t.people);
            placed.insert(id, Placed { x: cx + r * angle.cos(), y: cy + r * angle.sin(), radius: size(people) });
            angle_of.insert(id, angle);
        }
    }
    for (i, &id) in unplaced.iter().enumerate() {
        let people = model.themes.iter().find(|t| t.id == id).map_or(0, |t| t.people);
        placed.insert(id, Placed { x: 2.0 * cx + side / 2.0, y: 130.0 + 110.0 * i as f64, radius: size(people) });
    }

    Layout { max_level, cx, cy, width, height, side, unplaced, placed }
}

/// The model's kept links as arrows, thicker for more people, each opening its evidence when `hrefs` says where.
fn draw_links(out: &mut String, model: &Model, placed: &HashMap<&str, Placed>, name_of: &dyn Fn(&str) -> String, hrefs: &Hrefs<'_>) {
    let heaviest = model.links.iter().map(|l| l.people).max().unwrap_or(1).max(1) as f64;
    for link in &model.links {
        let (Some(a), Some(b)) = (placed.get(link.from.as_str()), placed.get(link.to.as_str())) else { continue };
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let length = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / length, dy / length);
        let (x1, y1) = (a.x + ux * a.radius, a.y + uy * a.radius);
        let (x2, y2) = (b.x - ux * (b.radius + 2.0), b.y - uy * (b.radius + 2.0));
        let stroke = 1.0 + 6.0 * f64::from(link.people) / heaviest;
        let evidence = (hrefs.link)(&link.from, &link.to);
        if let Some(href) = &evidence {
            let _ = write!(*out, "<a href=\"{}\" class=\"link\">", escape(href));
            // A thin arrow is hard to hit: an invisible wider stroke takes the click.
            let _ =
                write!(*out, "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#ffffff\" stroke-opacity=\"0\" stroke-width=\"14\"/>");
        }
        let _ = write!(
            *out,
            "<line class=\"link\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#555\" stroke-opacity=\"0.6\" stroke-width=\"{stroke:.1}\" marker-end=\"url(#arrow)\"><title>{} → {}: {} people</title></line>",
            escape(&name_of(&link.from)),
            escape(&name_of(&link.to)),
            link.people
        );
        if evidence.is_some() {
            out.push_str("</a>");
        }
    }
}

/// Draws the model as SVG. `name_of` gives a theme's display name; `hrefs`
/// where a theme and a kept link's arrow lead (nowhere for a bare drawing).
pub fn model_svg(model: &Model, name_of: &dyn Fn(&str) -> String, hrefs: &Hrefs<'_>) -> String {
    let link_of = hrefs.theme;
    let Layout { max_level, cx, cy, width, height, side, unplaced, placed } = layout(model);

    // A picture with links in it is a group of links to assistive technology,
    // not one image: an image's inside is never read out or reached.
    let interactive = model.themes.iter().any(|t| (hrefs.theme)(&t.id).is_some());
    let role = if interactive { "group" } else { "img" };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"DejaVu Sans, sans-serif\" role=\"{role}\" aria-labelledby=\"model-title\">"
    );
    let _ = write!(out, "<title id=\"model-title\">The collaboration model</title>{}", arrow_defs());
    let _ = write!(out, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    for level in (1..=max_level).rev() {
        let _ = write!(out, "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{:.1}\" fill=\"none\" stroke=\"#e3e3e3\" stroke-width=\"1.5\"/>", ring_radius(level));
    }
    draw_links(&mut out, model, &placed, name_of, hrefs);
    if !unplaced.is_empty() {
        let x = 2.0 * cx + 10.0;
        let _ =
            write!(out, "<rect x=\"{x:.1}\" y=\"60\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f7f7f7\" stroke=\"#ddd\" rx=\"8\"/>", side - 20.0, height - 80.0);
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"84\" font-size=\"13\" text-anchor=\"middle\" fill=\"#555\">Not placed in the model</text>",
            x + (side - 20.0) / 2.0
        );
    }
    for theme in &model.themes {
        let Some(p) = placed.get(theme.id.as_str()) else { continue };
        let name = name_of(&theme.id);
        let link = link_of(&theme.id);
        if let Some(href) = &link {
            let _ = write!(out, "<a href=\"{}\">", escape(href));
        }
        let _ = write!(
            out,
            "<g class=\"theme\" data-theme=\"{}\" data-level=\"{}\"><title>{}: {} people</title><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"{}\" stroke=\"#333\" stroke-width=\"1\"/>",
            escape(&theme.id),
            theme.level.map_or("none".to_string(), |l| l.to_string()),
            escape(&name),
            theme.people,
            p.x,
            p.y,
            p.radius,
            level_fill(theme.level)
        );
        let lines = wrap(&name, 18);
        let top = p.y + p.radius + 14.0;
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#222\">{}</text>",
                p.x,
                top + 14.0 * i as f64,
                escape(line)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#111\" font-weight=\"bold\">{}</text></g>",
            p.x,
            p.y + 4.0,
            theme.people
        );
        if link.is_some() {
            out.push_str("</a>");
        }
    }
    let _ = write!(out, "<text x=\"20\" y=\"30\" font-size=\"16\" font-weight=\"bold\" fill=\"#222\">The model</text>");
    let _ = write!(
        out,
        "<text x=\"20\" y=\"48\" font-size=\"11\" fill=\"#555\">Centre: attractor · inner ring: level 1 · outer ring: level 2 and beyond · arrows: links kept with at least {} people (means → end) · number: people</text>",
        model.min_support
    );
    out.push_str("</svg>");
    out
}
