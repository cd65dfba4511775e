//! The model diagram keeps every arrow off the names and the circles it
//! does not join, on the test studies, the shared corpora (when present) and
//! random studies, checked from the SVG itself: each name's box measured in
//! the bundled font from its `<text>`, each arrow's line or curve from its
//! geometry.

#[path = "../../../testdata/studies.rs"]
mod studies;

use collabmap_analysis::{Model, synthesise};
use collabmap_render::geometry::{Point, Rect, point, polyline_meets_circle, polyline_meets_rect, quadratic_points};
use collabmap_render::model_diagram::{Hrefs, model_svg};
use collabmap_render::text_metrics::text_width;
use collabmap_study::{Study, load_study};
use proptest::prelude::*;
use resvg::usvg::roxmltree;

/// A theme as drawn: its circle and the boxes of its name's lines.
struct DrawnTheme {
    id: String,
    centre: Point,
    radius: f64,
    names: Vec<Rect>,
}

/// An arrow as drawn: the themes it joins and the points along it.
struct DrawnLink {
    from: String,
    to: String,
    points: Vec<Point>,
}

fn number(node: roxmltree::Node<'_, '_>, name: &str) -> f64 {
    node.attribute(name).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("<{}> without a number in {name}", node.tag_name().name()))
}

/// The box a line of text takes, from where it is set, its size and anchor, measured in the font.
fn text_box(text: roxmltree::Node<'_, '_>) -> Rect {
    let (x, y, size) = (number(text, "x"), number(text, "y"), number(text, "font-size"));
    let width = text_width(text.text().unwrap_or(""), size);
    let left = match text.attribute("text-anchor") {
        Some("middle") => x - width / 2.0,
        Some("end") => x - width,
        _ => x,
    };
    // DejaVu Sans rises about 0.76 em above the baseline (capitals, ascenders) and falls 0.24 em below.
    Rect { left, top: y - 0.76 * size, right: left + width, bottom: y + 0.24 * size }
}

/// `M x,y Q cx,cy x,y`, as the diagram writes a bent arrow.
fn curve_points(d: &str) -> Vec<Point> {
    let numbers: Vec<f64> =
        d.split(|c: char| c == ',' || c == ' ' || c.is_ascii_alphabetic()).filter(|s| !s.is_empty()).map(|s| s.parse().expect("a number")).collect();
    assert_eq!(numbers.len(), 6, "a quadratic curve: {d}");
    quadratic_points(point(numbers[0], numbers[1]), point(numbers[2], numbers[3]), point(numbers[4], numbers[5]), 64)
}

fn read_drawing(svg: &str) -> (Vec<DrawnTheme>, Vec<DrawnLink>) {
    let document = roxmltree::Document::parse(svg).expect("the diagram is well-formed XML");
    let mut themes = Vec::new();
    let mut links = Vec::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        let class = node.attribute("class").unwrap_or("");
        if class == "theme" {
            let circle = node.children().find(|c| c.has_tag_name("circle")).expect("a theme's circle");
            let names = node.children().filter(|c| c.has_tag_name("text") && c.attribute("class") == Some("name")).map(text_box).collect();
            themes.push(DrawnTheme {
                id: node.attribute("data-theme").expect("data-theme").to_string(),
                centre: point(number(circle, "cx"), number(circle, "cy")),
                radius: number(circle, "r"),
                names,
            });
        } else if class == "link" && node.attribute("data-from").is_some() {
            let points = if node.has_tag_name("line") {
                vec![point(number(node, "x1"), number(node, "y1")), point(number(node, "x2"), number(node, "y2"))]
            } else {
                curve_points(node.attribute("d").expect("a curve's path"))
            };
            links.push(DrawnLink { from: node.attribute("data-from").unwrap_or("").into(), to: node.attribute("data-to").unwrap_or("").into(), points });
        }
    }
    (themes, links)
}

/// Every place where an arrow crosses a name, or a circle it does not join; and names that overlap.
fn crossings(svg: &str) -> Vec<String> {
    let (themes, links) = read_drawing(svg);
    let mut found = Vec::new();
    for link in &links {
        for theme in &themes {
            if theme.names.iter().any(|name| polyline_meets_rect(&link.points, name)) {
                found.push(format!("the arrow {} → {} crosses the name of {}", link.from, link.to, theme.id));
            }
            let joins = theme.id == link.from || theme.id == link.to;
            // An arrow starts and ends on the edge of the circles it joins: only a circle it passes counts.
            if !joins && polyline_meets_circle(&link.points, theme.centre, theme.radius) {
                found.push(format!("the arrow {} → {} crosses the circle of {}", link.from, link.to, theme.id));
            }
        }
    }
    for (i, a) in themes.iter().enumerate() {
        for b in &themes[i + 1..] {
            if a.names.iter().any(|x| b.names.iter().any(|y| x.overlaps(y))) {
                found.push(format!("the names of {} and {} overlap", a.id, b.id));
            }
        }
        for b in &themes {
            if a.names.iter().any(|x| x.meets_circle(b.centre, b.radius)) {
                found.push(format!("the name of {} lies on the circle of {}", a.id, b.id));
            }
        }
    }
    found
}

fn diagram_of(study: &Study) -> (Model, String) {
    let synthesis = synthesise(study);
    let model = Model::discover(study, &synthesis);
    let name_of = |id: &str| study.codebook.get(id).map_or_else(|| id.to_string(), |t| t.name.clone());
    let svg = model_svg(&model, &name_of, &Hrefs::NONE);
    (model, svg)
}

#[test]
fn the_checker_sees_an_arrow_through_a_name() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg"><g class="theme" data-theme="a"><circle cx="100" cy="100" r="20"/><text class="name" x="100" y="140" font-size="13" text-anchor="middle">Share power</text></g><g class="theme" data-theme="b"><circle cx="100" cy="300" r="20"/></g><line class="link" data-from="b" data-to="a" x1="100" y1="280" x2="100" y2="122"/></svg>"##;
    assert_eq!(crossings(svg), vec!["the arrow b → a crosses the name of a".to_string()]);
    let curved = svg.replace(
        r#"<line class="link" data-from="b" data-to="a" x1="100" y1="280" x2="100" y2="122"/>"#,
        r#"<path class="link" data-from="b" data-to="a" d="M110,282 Q300,200 115,115"/>"#,
    );
    assert_eq!(crossings(&curved), Vec::<String>::new());
}

#[test]
fn no_arrow_crosses_a_name_or_a_circle_on_the_test_studies_and_corpora() {
    let mut checked = 0;
    for study in studies::all() {
        let loaded = load_study(&study.dir);
        assert!(loaded.problems.is_empty(), "{}: {:?}", study.name, loaded.problems);
        let (model, svg) = diagram_of(&loaded.study);
        assert!(!model.links.is_empty(), "{}: a model with links", study.name);
        assert_eq!(read_drawing(&svg).1.len(), model.links.len(), "{}: every link is drawn and read", study.name);
        assert_eq!(crossings(&svg), Vec::<String>::new(), "{}", study.name);
        checked += 1;
    }
    assert!(checked >= 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn no_arrow_crosses_a_name_or_a_circle_on_random_studies(people in 20u32..400, seed in any::<u64>()) {
        let study = collabmap_synth::generate(people, seed, &mut |_, _| {});
        let (model, svg) = diagram_of(&study);
        prop_assert_eq!(read_drawing(&svg).1.len(), model.links.len());
        prop_assert_eq!(crossings(&svg), Vec::<String>::new());
    }
}
