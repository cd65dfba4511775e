//! The model diagram: the attractor at the centre, the inner ring around it,
//! the outer ring beyond, and unplaced themes set apart.

use std::collections::HashMap;
use std::f64::consts::PI;
use std::fmt::Write as _;

use collabmap_analysis::Model;

use crate::geometry::{Point, Rect, distance, point, polyline_meets_circle, polyline_meets_rect, quadratic_points};
use crate::svg::{escape, wrap};
use crate::text_metrics::text_width;

/// Where a theme was drawn.
#[derive(Debug, Clone, Copy)]
struct Placed {
    x: f64,
    y: f64,
    radius: f64,
}

impl Placed {
    fn centre(&self) -> Point {
        point(self.x, self.y)
    }
}

/// The height of the title and legend above the rings.
const TOP: f64 = 90.0;
/// Theme names, at least 12 px as WCAG's readers need at the drawing's own size.
const LABEL_SIZE: f64 = 13.0;
const LINE_HEIGHT: f64 = 16.0;
/// The space kept between a link and any name or circle it passes.
const CLEARANCE: f64 = 4.0;

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
    let (cx, cy) = (outer + 20.0, outer + TOP);
    let unplaced: Vec<&str> = model.themes.iter().filter(|t| t.level.is_none()).map(|t| t.id.as_str()).collect();
    let side = if unplaced.is_empty() { 0.0 } else { 240.0 };
    let width = 2.0 * cx + side;
    let height = (2.0 * outer + TOP + 40.0).max(TOP + 60.0 + 110.0 * unplaced.len() as f64);
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
        placed.insert(id, Placed { x: 2.0 * cx + side / 2.0, y: TOP + 70.0 + 110.0 * i as f64, radius: size(people) });
    }

    Layout { max_level, cx, cy, width, height, side, unplaced, placed }
}

/// The path an arrow takes: straight, or bent around what it would cross.
#[derive(Debug, Clone, Copy)]
enum Route {
    Straight { from: Point, to: Point },
    Curved { from: Point, control: Point, to: Point },
}

impl Route {
    /// From the edge of `a` to just before the edge of `b` (room for the
    /// arrowhead), bent sideways by `bend` pixels at the middle (0: straight).
    fn between(a: &Placed, b: &Placed, bend: f64) -> Route {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let length = dx.hypot(dy).max(1.0);
        let towards = |from: &Placed, to: Point, gap: f64| {
            let (ux, uy) = (to.x - from.x, to.y - from.y);
            let l = ux.hypot(uy).max(1.0);
            point(from.x + ux / l * gap, from.y + uy / l * gap)
        };
        if bend == 0.0 {
            return Route::Straight { from: towards(a, b.centre(), a.radius), to: towards(b, a.centre(), b.radius + 2.0) };
        }
        let control = point((a.x + b.x) / 2.0 - dy / length * bend, (a.y + b.y) / 2.0 + dx / length * bend);
        Route::Curved { from: towards(a, control, a.radius), control, to: towards(b, control, b.radius + 2.0) }
    }

    /// The route as points close enough together to test for crossings.
    fn points(&self) -> Vec<Point> {
        match *self {
            Route::Straight { from, to } => vec![from, to],
            Route::Curved { from, control, to } => quadratic_points(from, control, to, 32),
        }
    }

    /// The SVG geometry: `x1…y2` of a line, or `d` of a path.
    fn is_curved(&self) -> bool {
        matches!(self, Route::Curved { .. })
    }
}

/// A theme's name, wrapped, with the size it takes.
struct Label {
    lines: Vec<String>,
    width: f64,
    height: f64,
}

impl Label {
    fn of(name: &str) -> Label {
        let lines = wrap(name, 18);
        let width = lines.iter().map(|l| text_width(l, LABEL_SIZE)).fold(0.0, f64::max);
        let height = (lines.len().max(1) - 1) as f64 * LINE_HEIGHT + 1.1 * LABEL_SIZE;
        Label { lines, width, height }
    }

    /// The box the name takes when set beside `at` in direction (`dx`, `dy`), `gap` away from its circle.
    fn beside(&self, at: &Placed, dx: f64, dy: f64, gap: f64) -> Rect {
        let reach = at.radius + gap;
        let (x, y) = (at.x + dx * (reach + self.width / 2.0 * dx.abs()), at.y + dy * (reach + self.height / 2.0 * dy.abs()));
        Rect { left: x - self.width / 2.0, top: y - self.height / 2.0, right: x + self.width / 2.0, bottom: y + self.height / 2.0 }
    }
}

/// Everything a name or an arrow must keep clear of.
struct Obstacles<'a> {
    placed: &'a HashMap<&'a str, Placed>,
    labels: &'a HashMap<&'a str, Rect>,
    /// The title and legend, and the drawing's edges.
    reserved: Rect,
    bounds: Rect,
}

impl Obstacles<'_> {
    /// How many names and circles (other than `from`'s and `to`'s) the route passes through.
    fn crossings(&self, route: &Route, from: &str, to: &str) -> usize {
        let points = route.points();
        let circles =
            self.placed.iter().filter(|(id, p)| **id != from && **id != to && polyline_meets_circle(&points, p.centre(), p.radius + CLEARANCE)).count();
        let names = self.labels.values().filter(|rect| polyline_meets_rect(&points, &rect.inflate(CLEARANCE))).count();
        circles + names
    }

    /// How badly a name set in `rect` (for theme `own`) sits among the routes, circles and names so far.
    fn clash(&self, rect: &Rect, own: &str, routes: &[(Route, &str, &str)]) -> usize {
        let grown = rect.inflate(CLEARANCE);
        let links = routes.iter().filter(|(route, _, _)| polyline_meets_rect(&route.points(), &grown)).count();
        let circles = self.placed.iter().filter(|(id, p)| grown.meets_circle(p.centre(), p.radius + if **id == own { 2.0 } else { CLEARANCE })).count();
        let names = self.labels.values().filter(|other| grown.overlaps(other)).count();
        let outside = usize::from(
            rect.overlaps(&self.reserved) || !(self.bounds.contains(point(rect.left, rect.top)) && self.bounds.contains(point(rect.right, rect.bottom))),
        );
        10 * (links + circles + names + outside)
    }
}

/// Bends tried, in order, for an arrow that would cross something: small first, either side.
fn bends() -> impl Iterator<Item = f64> {
    (1..=24).flat_map(|step| {
        let bend = 25.0 * f64::from(step);
        [bend, -bend]
    })
}

/// The route for the link from `from` to `to` that crosses the fewest names and circles, the straightest first.
fn best_route(obstacles: &Obstacles<'_>, from: &str, to: &str) -> Option<Route> {
    let (a, b) = (obstacles.placed.get(from)?, obstacles.placed.get(to)?);
    let mut best: Option<(usize, Route)> = None;
    for bend in std::iter::once(0.0).chain(bends()) {
        let route = Route::between(a, b, bend);
        let crossings = obstacles.crossings(&route, from, to);
        if crossings == 0 {
            return Some(route);
        }
        if best.as_ref().is_none_or(|(fewest, _)| crossings < *fewest) {
            best = Some((crossings, route));
        }
    }
    best.map(|(_, route)| route)
}

/// Where each theme's name goes: beside its circle, on the side away from
/// the centre when that is clear, else the clearest side, farther out if need be.
fn place_labels<'m>(
    model: &'m Model,
    layout: &Layout<'m>,
    labels: &HashMap<&'m str, Label>,
    routes: &[(Route, &str, &str)],
    reserved: Rect,
    bounds: Rect,
) -> HashMap<&'m str, Rect> {
    let mut themes: Vec<(&str, Option<u32>, u32)> = model.themes.iter().map(|t| (t.id.as_str(), t.level, t.people)).collect();
    themes.sort_by_key(|&(id, level, people)| (level.unwrap_or(u32::MAX), std::cmp::Reverse(people), id));
    let directions: Vec<(f64, f64)> = (0..16).map(|k| f64::from(k) * PI / 8.0).map(|angle| (angle.cos(), angle.sin())).collect();
    let mut placed_labels: HashMap<&str, Rect> = HashMap::new();
    for (id, _, _) in themes {
        let (Some(at), Some(label)) = (layout.placed.get(id), labels.get(id)) else { continue };
        let obstacles = Obstacles { placed: &layout.placed, labels: &placed_labels, reserved, bounds };
        // The side facing away from the rings' centre reads best and meets the fewest arrows.
        let away = (at.y - layout.cy).atan2(at.x - layout.cx);
        let mut best: Option<(f64, Rect)> = None;
        for gap in [4.0, 14.0, 28.0, 48.0, 72.0] {
            for &(dx, dy) in &directions {
                let rect = label.beside(at, dx, dy, gap);
                let turn = {
                    let d = (dy.atan2(dx) - away).rem_euclid(2.0 * PI);
                    d.min(2.0 * PI - d)
                };
                // Below the circle is the first choice at the centre and in the side panel.
                let preference = if distance(at.centre(), point(layout.cx, layout.cy)) < 1.0 || at.x > 2.0 * layout.cx { (dy - 1.0).abs() } else { turn };
                let score = obstacles.clash(&rect, id, routes) as f64 + preference + gap / 40.0;
                if best.as_ref().is_none_or(|(lowest, _)| score < *lowest) {
                    best = Some((score, rect));
                }
            }
            if best.as_ref().is_some_and(|(score, _)| *score < 10.0) {
                break;
            }
        }
        if let Some((_, rect)) = best {
            placed_labels.insert(id, rect);
        }
    }
    placed_labels
}

/// The title and the legend, in the top-left corner; their box is kept clear.
fn title_and_legend(out: &mut String, min_support: u32) -> Rect {
    let _ = write!(out, "<text x=\"20\" y=\"30\" font-size=\"18\" font-weight=\"bold\" fill=\"#222\">The model</text>");
    let lines = [
        "Centre: the attractor · inner ring: level 1 · outer rings: level 2 and beyond".to_string(),
        format!("Arrows: links kept with at least {min_support} people, from means to end · number: people"),
    ];
    let mut right: f64 = 20.0 + text_width("The model", 18.0);
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(out, "<text x=\"20\" y=\"{}\" font-size=\"13\" fill=\"#444\">{}</text>", 52 + 18 * i, escape(line));
        right = right.max(20.0 + text_width(line, 13.0));
    }
    Rect { left: 0.0, top: 0.0, right: right + 8.0, bottom: 52.0 + 18.0 + 8.0 }
}

/// Draws the model as SVG. `name_of` gives a theme's display name; `hrefs`
/// where a theme and a kept link's arrow lead (nowhere for a bare drawing).
///
/// No arrow crosses a theme's name or a circle it does not join: names are
/// set on the clearest side of their circle, then each arrow is bent as
/// little as takes it around everything in its way.
pub fn model_svg(model: &Model, name_of: &dyn Fn(&str) -> String, hrefs: &Hrefs<'_>) -> String {
    let layout = layout(model);
    let labels: HashMap<&str, Label> = model.themes.iter().map(|t| (t.id.as_str(), Label::of(&name_of(&t.id)))).collect();

    // A picture with links in it is a group of links to assistive technology,
    // not one image: an image's inside is never read out or reached.
    let interactive = model.themes.iter().any(|t| (hrefs.theme)(&t.id).is_some());
    let role = if interactive { "group" } else { "img" };
    let (width, height) = (layout.width, layout.height);
    let mut head = String::new();
    let _ = write!(
        head,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"DejaVu Sans, sans-serif\" role=\"{role}\" aria-labelledby=\"model-title\">"
    );
    let _ = write!(head, "<title id=\"model-title\">The collaboration model</title>{MODEL_ARROW}<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let mut legend = String::new();
    let reserved = title_and_legend(&mut legend, model.min_support);
    let bounds = Rect { left: 2.0, top: 2.0, right: width - 2.0, bottom: height - 2.0 };

    // Straight arrows first (bent only around circles), then the names around them, then every arrow again around the names.
    let no_names = HashMap::new();
    let around_circles = Obstacles { placed: &layout.placed, labels: &no_names, reserved, bounds };
    let first: Vec<(Route, &str, &str)> =
        model.links.iter().filter_map(|l| best_route(&around_circles, &l.from, &l.to).map(|r| (r, l.from.as_str(), l.to.as_str()))).collect();
    let names = place_labels(model, &layout, &labels, &first, reserved, bounds);
    let around_all = Obstacles { placed: &layout.placed, labels: &names, reserved, bounds };

    let mut out = head;
    for level in (1..=layout.max_level).rev() {
        let _ = write!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"none\" stroke=\"#e3e3e3\" stroke-width=\"1.5\"/>",
            layout.cx,
            layout.cy,
            ring_radius(level)
        );
    }
    draw_links(&mut out, model, &around_all, name_of, hrefs);
    if !layout.unplaced.is_empty() {
        let x = 2.0 * layout.cx + 10.0;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{TOP:.0}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f7f7f7\" stroke=\"#ddd\" rx=\"8\"/>",
            layout.side - 20.0,
            height - TOP - 20.0
        );
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.0}\" font-size=\"13\" text-anchor=\"middle\" fill=\"#444\">Not placed in the model</text>",
            x + (layout.side - 20.0) / 2.0,
            TOP + 22.0
        );
    }
    draw_themes(&mut out, model, &layout, &labels, &names, name_of, hrefs);
    out.push_str(&legend);
    out.push_str("</svg>");
    out
}

/// The arrowhead of the model's links: large enough to see at a glance.
const MODEL_ARROW: &str = "<defs><marker id=\"model-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"14\" markerHeight=\"14\" orient=\"auto\" markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#444\"/></marker></defs>";

/// The model's kept links as arrows, thicker for more people, each opening its evidence when `hrefs` says where.
fn draw_links(out: &mut String, model: &Model, obstacles: &Obstacles<'_>, name_of: &dyn Fn(&str) -> String, hrefs: &Hrefs<'_>) {
    let heaviest = model.links.iter().map(|l| l.people).max().unwrap_or(1).max(1) as f64;
    for link in &model.links {
        let Some(route) = best_route(obstacles, &link.from, &link.to) else { continue };
        let stroke = 1.5 + 5.0 * f64::from(link.people) / heaviest;
        let geometry = match route {
            Route::Straight { from, to } => format!("x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"", from.x, from.y, to.x, to.y),
            Route::Curved { from, control, to } => {
                format!("d=\"M{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}\" fill=\"none\"", from.x, from.y, control.x, control.y, to.x, to.y)
            }
        };
        let element = if route.is_curved() { "path" } else { "line" };
        let joins = format!("data-from=\"{}\" data-to=\"{}\"", escape(&link.from), escape(&link.to));
        let evidence = (hrefs.link)(&link.from, &link.to);
        if let Some(href) = &evidence {
            let _ = write!(*out, "<a href=\"{}\" class=\"link\">", escape(href));
            // A thin arrow is hard to hit: an invisible wider stroke takes the click.
            let _ = write!(*out, "<{element} {geometry} stroke=\"#ffffff\" stroke-opacity=\"0\" stroke-width=\"14\"/>");
        }
        let _ = write!(
            *out,
            "<{element} class=\"link\" {joins} {geometry} stroke=\"#555\" stroke-opacity=\"0.7\" stroke-width=\"{stroke:.1}\" marker-end=\"url(#model-arrow)\"><title>{} → {}: {} people</title></{element}>",
            escape(&name_of(&link.from)),
            escape(&name_of(&link.to)),
            link.people
        );
        if evidence.is_some() {
            out.push_str("</a>");
        }
    }
}

/// Each theme's circle, its number of people inside, and its name where [`place_labels`] put it.
fn draw_themes(
    out: &mut String,
    model: &Model,
    layout: &Layout<'_>,
    labels: &HashMap<&str, Label>,
    names: &HashMap<&str, Rect>,
    name_of: &dyn Fn(&str) -> String,
    hrefs: &Hrefs<'_>,
) {
    for theme in &model.themes {
        let (Some(p), Some(label), Some(rect)) = (layout.placed.get(theme.id.as_str()), labels.get(theme.id.as_str()), names.get(theme.id.as_str())) else {
            continue;
        };
        let link = (hrefs.theme)(&theme.id);
        if let Some(href) = &link {
            let _ = write!(out, "<a href=\"{}\">", escape(href));
        }
        let _ = write!(
            out,
            "<g class=\"theme\" data-theme=\"{}\" data-level=\"{}\"><title>{}: {} people</title><circle class=\"node\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"{}\" stroke=\"#333\" stroke-width=\"1\"/>",
            escape(&theme.id),
            theme.level.map_or("none".to_string(), |l| l.to_string()),
            escape(&name_of(&theme.id)),
            theme.people,
            p.x,
            p.y,
            p.radius,
            level_fill(theme.level)
        );
        let x = (rect.left + rect.right) / 2.0;
        for (i, line) in label.lines.iter().enumerate() {
            let baseline = rect.top + 0.85 * LABEL_SIZE + LINE_HEIGHT * i as f64;
            let _ = write!(
                out,
                "<text class=\"name\" x=\"{x:.1}\" y=\"{baseline:.1}\" font-size=\"{LABEL_SIZE:.0}\" text-anchor=\"middle\" fill=\"#222\">{}</text>",
                escape(line)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\" fill=\"#111\" font-weight=\"bold\">{}</text></g>",
            p.x,
            p.y + 4.5,
            theme.people
        );
        if link.is_some() {
            out.push_str("</a>");
        }
    }
}
