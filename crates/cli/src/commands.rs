//! The commands that write folders: report, new, generate and demo.

use std::path::Path;

use anyhow::{Context, Result};
use collabmap_analysis::{Model, synthesise};
use collabmap_render::report::{Analysed, ReportOptions, ReportPages};
use collabmap_render::table;
use collabmap_study::Study;
use collabmap_study::write::write_study;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::output;

/// Writes the report of `study` (read from `study_dir`) into `output`,
/// whole or not at all, never inside the study and never over a folder that
/// is not an earlier report.
pub(crate) fn report(study: &Study, study_dir: &Path, output: &Path) -> Result<()> {
    let synthesis = synthesise(study);
    let model = Model::discover(study, &synthesis);
    let source = Analysed { study, synthesis: &synthesis, model: &model };
    let pages = ReportPages::new(source, ReportOptions::default());
    output::replace_folder(output, study_dir, output::REPORT, |staging| {
        // Pages are rendered in parallel and written as they come, so memory
        // holds the analysis and a page per thread, never the whole site.
        let paths = pages.paths(source);
        paths.par_iter().try_for_each(|path| {
            let bytes = pages.render(source, path).map_err(anyhow::Error::msg)?;
            output::write_file(&staging.join(path), &bytes)
        })?;
        for copy in pages.pictures() {
            let target = staging.join(copy);
            if let Some(parent) = target.parent() {
                output::create_dir_all(parent)?;
            }
            std::fs::copy(study_dir.join(copy), &target).with_context(|| format!("cannot copy the picture {copy}"))?;
        }
        Ok(())
    })
}

const GUIDE: &str = include_str!("../assets/new/GUIDE.md");
const EXAMPLE: &str = include_str!("../assets/new/interviews/first-interview.md");
const PEOPLE: &str = include_str!("../assets/new/people.csv");
const PROJECTS: &str = include_str!("../assets/new/projects.csv");
const STUDY: &str = include_str!("../assets/new/study.toml");
const PICTURE: &str = include_str!("../assets/new/pictures/rich-picture.svg");

/// Scaffolds a valid study in `dir`.
pub(crate) fn new_study(dir: &Path) -> Result<()> {
    output::refuse_non_empty(dir)?;
    for (name, text) in [
        ("GUIDE.md", GUIDE),
        ("study.toml", STUDY),
        ("people.csv", PEOPLE),
        ("projects.csv", PROJECTS),
        ("interviews/first-interview.md", EXAMPLE),
        ("pictures/rich-picture.svg", PICTURE),
    ] {
        output::write_file(&dir.join(name), text)?;
    }
    println!("Created a study in {}. Read {} and run `collabmap check {}`.", dir.display(), dir.join("GUIDE.md").display(), dir.display());
    Ok(())
}

/// Writes a synthetic study of `people` people into `dir`.
pub(crate) fn generate(dir: &Path, people: u32, seed: u64, progress: bool) -> Result<()> {
    output::refuse_non_empty(dir)?;
    let bar = if progress && people >= 5_000 {
        let bar = ProgressBar::new(0);
        bar.set_style(ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})").unwrap_or_else(|_| ProgressStyle::default_bar()));
        bar
    } else {
        ProgressBar::hidden()
    };
    bar.set_message("planning");
    let study = collabmap_synth::generate(people, seed, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.set_message("writing");
    write_study(&study, dir).with_context(|| format!("cannot write the study to {}", dir.display()))?;
    bar.finish_and_clear();
    println!("Wrote a synthetic study of {} interviewed people ({} interviews) to {}", people, study.interviews.len(), dir.display());
    Ok(())
}

/// The main job on the embedded default: generate, report, print the table.
pub(crate) fn demo(output: &Path) -> Result<()> {
    output::claim_folder(output, output::DEMO)?;
    let study_dir = output.join("study");
    let report_dir = output.join("report");
    if !study_dir.join("study.toml").exists() {
        generate(&study_dir, collabmap_synth::PUBLISHED_PEOPLE, 2011, false)?;
    }
    let study = crate::load_valid(&study_dir)
        .map_err(|_| anyhow::anyhow!("the demo study in {} has problems; delete the folder to start afresh", study_dir.display()))?;
    report(&study, &study_dir, &report_dir)?;
    let synthesis = synthesise(&study);
    let model = Model::discover(&study, &synthesis);
    let rows: Vec<_> = synthesis.table.shown(false).collect();
    println!("{}\n", study.config.title);
    print!("{}", table::table_text(&rows, None));
    let name_of = |id: &str| study.codebook.get(id).map(|t| t.name.clone()).unwrap_or_default();
    println!(
        "\nModel: {} at the centre; inner ring: {}.",
        model.attractor.as_deref().map(name_of).unwrap_or_default(),
        model.themes.iter().filter(|t| t.level == Some(1)).map(|t| name_of(&t.id)).collect::<Vec<_>>().join(", ")
    );
    println!("\nStudy folder: {}", study_dir.display());
    println!("Open the report: {}", report_dir.join("index.html").display());
    let assessment_dir = output.join("assessment");
    write_worked_example(&assessment_dir)?;
    let assessment = crate::load_valid_assessment(&assessment_dir)?;
    let html = collabmap_render::assessment::assess_html(&assessment, &collabmap_analysis::assessment::assess(&assessment)).map_err(anyhow::Error::msg)?;
    let assessment_report = output.join("assessment-report");
    std::fs::create_dir_all(&assessment_report)?;
    std::fs::write(assessment_report.join("index.html"), html)?;
    println!("\nA worked assessment of a collaboration over three rounds: {}", assessment_dir.display());
    println!("Its report: {} (or run `collabmap assess {}`)", assessment_report.join("index.html").display(), assessment_dir.display());
    Ok(())
}

/// The worked assessment example of docs/assessment.md, built into the binary.
const WORKED_EXAMPLE: [(&str, &str); 3] = [
    ("collaboration.toml", include_str!("../../../examples/riverside-partnership/collaboration.toml")),
    ("responses.csv", include_str!("../../../examples/riverside-partnership/responses.csv")),
    ("evidence.toml", include_str!("../../../examples/riverside-partnership/evidence.toml")),
];

fn write_worked_example(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in WORKED_EXAMPLE {
        let path = dir.join(name);
        if !path.exists() {
            std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}
