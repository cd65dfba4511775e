//! The `collabmap` command line: a thin shell over the study, analysis,
//! rendering and synthesis crates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use collabmap_analysis::agreement::agree;
use collabmap_analysis::assessment::assess;
use collabmap_analysis::structure::{MapStructure, StudyStructure};
use collabmap_analysis::trace::trace;
use collabmap_analysis::{CrossTab, Model, synthesise};
use collabmap_render::assessment as assessment_output;
use collabmap_render::{analyses, evidence, table};
use collabmap_study::assessment::load_assessment;
use collabmap_study::{Study, load_study};

mod commands;
mod output;

use collabmap_server::Options;
mod workspace;

/// Capture interviews as cognitive maps, count who mentioned what, discover
/// the collaboration model, and publish it as a report.
#[derive(Parser)]
#[command(name = "collabmap", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a study folder; print one `path:line: message` per problem.
    Check {
        /// The study folder.
        study: PathBuf,
    },
    /// Print the mention table: how many people mentioned each theme.
    Table {
        /// The study folder.
        study: PathBuf,
        /// Show every codebook entry, not only model themes.
        #[arg(long)]
        all: bool,
        /// Add a column per value of this people.csv column (such as country).
        #[arg(long, value_name = "COLUMN")]
        by: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
    },
    /// Print the discovered model: attractor, levels and kept links.
    Model {
        /// The study folder.
        study: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ModelFormat::Text)]
        format: ModelFormat,
    },
    /// Write the study's report as a self-contained static site.
    Report {
        /// The study folder.
        study: PathBuf,
        /// The folder to write the site into.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// Create a new study folder with one example interview and a guide.
    New {
        /// The folder to create.
        dir: PathBuf,
    },
    /// Write a synthetic study (by default, one with the published study's figures).
    Generate {
        /// The folder to write.
        dir: PathBuf,
        /// How many people to interview.
        #[arg(long, default_value_t = 69)]
        people: u32,
        /// Random seed; the same seed always gives the same study.
        #[arg(long, default_value_t = 2011)]
        seed: u64,
    },
    /// Measure the structure of the maps: domain, centrality, heads and tails, potent options, loops, clusters.
    Analyse {
        /// The study folder.
        study: PathBuf,
        /// Analyse one interview's map instead of the whole study.
        #[arg(long, value_name = "ID")]
        interview: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AnalyseFormat::Text)]
        format: AnalyseFormat,
    },
    /// List the chains of theme links from one theme to another, with the people behind each step.
    Trace {
        /// The study folder.
        study: PathBuf,
        /// The theme the chains start from (a codebook id).
        #[arg(long, value_name = "THEME")]
        from: String,
        /// The theme they lead to.
        #[arg(long, value_name = "THEME")]
        to: String,
        /// Longest chain, in links.
        #[arg(long, value_name = "N", default_value_t = 4)]
        max_steps: usize,
        /// Keep only chains one person stated every step of.
        #[arg(long)]
        thread: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ModelFormat::Text)]
        format: ModelFormat,
    },
    /// Show what stands behind a figure: the mentions behind a theme's count, or the chains behind a theme link
    Evidence {
        /// The study folder.
        study: PathBuf,
        /// The theme whose count to open (a codebook id).
        #[arg(long, value_name = "THEME", required_unless_present = "link", conflicts_with = "link")]
        theme: Option<String>,
        /// The theme link (means, then end) whose chains to list.
        #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
        link: Option<Vec<String>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AnalyseFormat::Text)]
        format: AnalyseFormat,
    },
    /// Find words in a study's concepts, quotes, stories, pictures and memos, by code, people column, project or interview
    Search {
        /// The study folder.
        study: PathBuf,
        /// Words, or a "phrase in quotes"; every one must occur (whole words, any case).
        query: String,
        /// Only items coded with this theme (tagged, inferred or rolled up).
        #[arg(long, value_name = "ID")]
        code: Option<String>,
        /// Only items of people whose column has this value, such as country=India.
        #[arg(long = "where", value_name = "COLUMN=VALUE")]
        column: Option<String>,
        /// Only interviews about this project.
        #[arg(long, value_name = "ID")]
        project: Option<String>,
        /// Only this interview.
        #[arg(long, value_name = "ID")]
        interview: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ModelFormat::Text)]
        format: ModelFormat,
    },
    /// Compare two or more codings of the same interviews: agreement, Cohen's kappa, Krippendorff's alpha.
    Agree {
        /// The study folders, one per coder (at least two).
        #[arg(required = true, num_args = 2..)]
        studies: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ModelFormat::Text)]
        format: ModelFormat,
    },
    /// Turn a REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA or QualCoder into a study folder.
    ImportRefi {
        /// The .qdpx or .qdc file.
        file: PathBuf,
        /// The study folder to create.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// Score a collaboration against the model: profile, gaps and their questions, per round.
    Assess {
        /// The assessment folder (collaboration.toml, responses.csv, …).
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Where to write the HTML report.
        #[arg(short, long, value_name = "DIR", required_if_eq("format", "html"))]
        output: Option<PathBuf>,
    },
    /// Set several collaborations side by side, theme by theme, with their gaps.
    Compare {
        /// The assessment folders.
        #[arg(required = true, num_args = 2..)]
        dirs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Where to write the HTML page.
        #[arg(short, long, value_name = "DIR", required_if_eq("format", "html"))]
        output: Option<PathBuf>,
    },
    /// Print the questionnaire of an assessment for paper use.
    Survey {
        /// The assessment folder.
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SurveyFormat::Markdown)]
        format: SurveyFormat,
    },
    /// Serve the web workspace: studies in a database, shared by a team.
    Serve {
        /// The database: sqlite://FILE (created on first start) or postgres://USER:PASSWORD@HOST/DATABASE.
        #[arg(long, value_name = "URL", default_value = workspace::DEFAULT_DB)]
        db: String,
        /// The address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the default synthetic study and a demo account on first start.
        #[arg(long)]
        demo: bool,
        /// Always mark session cookies Secure (for HTTPS without a proxy that sets X-Forwarded-Proto).
        #[arg(long)]
        secure_cookies: bool,
        /// Take the client's address from X-Forwarded-For (the last address, the one the proxy saw): set it only behind a reverse proxy that sets that header.
        #[arg(long)]
        trust_proxy: bool,
    },
    /// Manage workspace accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Store a study folder in the workspace database; prints its id.
    Import {
        /// The study folder.
        study: PathBuf,
        /// The database.
        #[arg(long, value_name = "URL", default_value = workspace::DEFAULT_DB)]
        db: String,
        /// The account that will own the study.
        #[arg(long, value_name = "EMAIL")]
        owner: String,
    },
    /// Export a study: a stored study back to a folder (ID with --db), or a
    /// study folder to another tool's format (STUDY with --format).
    Export {
        /// A stored study's id, or a study folder.
        source: String,
        /// The database, for a stored study.
        #[arg(long, value_name = "URL", default_value = workspace::DEFAULT_DB)]
        db: String,
        /// The format for a study folder: REFI-QDA project or codebook, a network, or tidy CSV tables.
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        /// Which network graphml, gexf and dot export.
        #[arg(long, value_enum, default_value_t = GraphChoice::Themes)]
        graph: GraphChoice,
        /// For a stored study: write it as it was at this revision (its history is in the workspace).
        #[arg(long, value_name = "N")]
        revision: Option<i64>,
        /// The file (or, for a stored study and csv, the folder) to write.
        #[arg(short, long, value_name = "PATH")]
        output: PathBuf,
    },
    /// Generate the default synthetic study, report it, and print its table.
    Demo {
        /// Where to write the study and its report.
        #[arg(short, long, value_name = "DIR", default_value = "collabmap-demo")]
        output: PathBuf,
    },
}

/// `collabmap user` actions.
#[derive(Subcommand)]
enum UserAction {
    /// Add an account; its password is read from standard input.
    Add {
        /// The account's e-mail address.
        email: String,
        /// Let the account add other accounts.
        #[arg(long)]
        admin: bool,
        /// The database.
        #[arg(long, value_name = "URL", default_value = workspace::DEFAULT_DB)]
        db: String,
    },
}

/// Formats of `collabmap table`.
#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    Text,
    Csv,
    Json,
    Markdown,
}

/// Formats of `collabmap export STUDY`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ExportFormat {
    Qdpx,
    Qdc,
    Graphml,
    Gexf,
    Dot,
    Csv,
}

/// The networks of `export --format graphml|gexf|dot`.
#[derive(Clone, Copy, ValueEnum)]
enum GraphChoice {
    Themes,
    Concepts,
}

/// Formats of `collabmap assess` and `compare`.
#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Html,
}

/// Formats of `collabmap survey`.
#[derive(Clone, Copy, ValueEnum)]
enum SurveyFormat {
    Markdown,
    Html,
}

/// Formats of `collabmap analyse`.
#[derive(Clone, Copy, ValueEnum)]
enum AnalyseFormat {
    Text,
    Json,
    Csv,
}

/// Formats of `collabmap model`.
#[derive(Clone, Copy, ValueEnum)]
enum ModelFormat {
    Text,
    Json,
}

/// A study was refused; its problems are already on standard error.
#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the study has problems")
    }
}

impl std::error::Error for Refused {}

/// Loads a study, or prints its problems and refuses.
pub(crate) fn load_valid(path: &Path) -> Result<Study> {
    let loaded = load_study(path);
    if loaded.problems.is_empty() {
        return Ok(loaded.study);
    }
    refuse(path, &loaded.problems, "nothing was written")
}

/// Prints each problem and a summary line on standard error, then refuses;
/// `consequence` says what the command did not do because of them.
fn refuse<T>(path: &Path, problems: &[collabmap_study::Problem], consequence: &str) -> Result<T> {
    for problem in problems {
        eprintln!("{problem}");
    }
    eprintln!("{}: {} found; {consequence}", path.display(), counted(problems.len(), "problem", "problems"));
    Err(Refused.into())
}

/// "1 project", "2 projects".
pub(crate) fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Loads an assessment folder, or prints its problems and refuses.
pub(crate) fn load_valid_assessment(path: &Path) -> Result<collabmap_study::assessment::Assessment> {
    let (assessment, problems) = load_assessment(&collabmap_study::Folder::new(path));
    if problems.is_empty() {
        return Ok(assessment);
    }
    refuse(path, &problems, "nothing was scored")
}

/// `collabmap export STUDY --format …`.
fn export_folder(dir: &Path, format: ExportFormat, graph: GraphChoice, output: &Path) -> Result<()> {
    use collabmap_exchange::graph::{self, Network};
    let study = load_valid(dir)?;
    let synthesis = synthesise(&study);
    let model = Model::discover(&study, &synthesis);
    let network = match graph {
        GraphChoice::Themes => Network::Themes,
        GraphChoice::Concepts => Network::Concepts,
    };
    let bytes = match format {
        ExportFormat::Qdpx => collabmap_exchange::refi::project_qdpx(&study, &synthesis.coding).map_err(anyhow::Error::msg)?,
        ExportFormat::Qdc => collabmap_exchange::refi::codebook_qdc(&study).into_bytes(),
        ExportFormat::Graphml => graph::graphml(&study, &synthesis, &model, network).into_bytes(),
        ExportFormat::Gexf => graph::gexf(&study, &synthesis, &model, network).into_bytes(),
        ExportFormat::Dot => graph::dot(&study, &synthesis, &model, network).into_bytes(),
        ExportFormat::Csv => {
            output::create_dir_all(output)?;
            for (name, text) in collabmap_exchange::tables::tidy_tables(&study, &synthesis, &model).map_err(anyhow::Error::msg)? {
                output::write_file(&output.join(name), text)?;
            }
            println!("Wrote items.csv, codings.csv, presence.csv and links.csv to {}", output.display());
            return Ok(());
        }
    };
    output::write_file(output, bytes)?;
    println!("Wrote {}", output.display());
    Ok(())
}

/// Writes an HTML page as `index.html` in `dir`.
fn write_page(dir: Option<&Path>, html: &str) -> Result<()> {
    let dir = dir.ok_or_else(|| anyhow::anyhow!("--format html needs -o DIR"))?;
    let path = dir.join("index.html");
    output::write_file(&path, html)?;
    println!("Written to {}", path.display());
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Check { study: path } => check(path)?,
        Command::Table { study, all, by, format } => table(study, all, by, format)?,
        Command::Model { study, format } => model(study, format)?,
        Command::Report { study, output } => {
            let study_dir = study;
            let study = load_valid(&study_dir)?;
            commands::report(&study, &study_dir, &output)?;
            println!("Report written to {}", output.join("index.html").display());
        }
        Command::New { dir } => commands::new_study(&dir)?,
        Command::Analyse { study, interview, format } => analyse(study, interview, format)?,
        Command::Trace { study, from, to, max_steps, thread, format } => trace_command(study, from, to, max_steps, thread, format)?,
        Command::Evidence { study, theme, link, format } => evidence_command(study, theme, link, format)?,
        Command::Search { study, query, code, column, project, interview, format } => search(study, query, code, column, project, interview, format)?,
        Command::Agree { studies, format } => {
            let loaded = studies.iter().map(|path| load_valid(path)).collect::<Result<Vec<_>>>()?;
            let refs: Vec<&Study> = loaded.iter().collect();
            let agreement = agree(&refs);
            print!(
                "{}",
                match format {
                    ModelFormat::Json => analyses::agree_json(&agreement, refs.len()),
                    ModelFormat::Text => analyses::agree_text(&agreement, refs.len()),
                }
            );
        }
        Command::Generate { dir, people, seed } => commands::generate(&dir, people, seed, true)?,
        Command::Demo { output } => commands::demo(&output)?,
        Command::ImportRefi { file, output } => import_refi(file, output)?,
        Command::Assess { dir, format, output } => assess_command(dir, format, output)?,
        Command::Compare { dirs, format, output } => compare(dirs, format, output)?,
        Command::Survey { dir, format } => survey(dir, format)?,
        Command::Serve { db, bind, demo, secure_cookies, trust_proxy } => workspace::serve_command(&db, &bind, demo, Options { secure_cookies, trust_proxy })?,
        Command::User { action: UserAction::Add { email, admin, db } } => workspace::add_user(&db, &email, admin)?,
        Command::Import { study, db, owner } => workspace::import(&db, &study, &owner)?,
        Command::Export { source, db, format, graph, revision, output } => match format {
            Some(_) if revision.is_some() => anyhow::bail!("--revision is for a stored study (its id with --db); a study folder is exported as it is"),
            Some(format) => export_folder(Path::new(&source), format, graph, &output)?,
            None => match source.parse::<i64>() {
                Ok(id) if !Path::new(&source).is_dir() => workspace::export(&db, id, revision, &output)?,
                _ => anyhow::bail!(
                    "{source} is a study folder: choose a format with --format qdpx|qdc|graphml|gexf|dot|csv (a stored study is exported by its id)"
                ),
            },
        },
    }
    Ok(())
}

/// `collabmap check`.
fn check(path: PathBuf) -> Result<()> {
    let loaded = load_study(&path);
    if !loaded.problems.is_empty() {
        return refuse(&path, &loaded.problems, "fix them and run check again");
    }
    let study = loaded.study;
    println!(
        "ok: {}, {}, {}",
        counted(study.interviews.len(), "interview", "interviews"),
        counted(study.people.len(), "person", "people"),
        counted(study.projects.len(), "project", "projects")
    );
    Ok(())
}

/// `collabmap table`.
fn table(study: PathBuf, all: bool, by: Option<String>, format: TableFormat) -> Result<()> {
    let study = load_valid(&study)?;
    let synthesis = synthesise(&study);
    let crosstab = by.map(|column| CrossTab::new(&study, &synthesis, &column)).transpose().map_err(anyhow::Error::msg)?;
    if let Some(note) = crosstab.as_ref().and_then(|c| c.note.as_ref()) {
        eprintln!("note: {note}");
    }
    let rows: Vec<_> = synthesis.table.shown(all).collect();
    let text = match format {
        TableFormat::Text => table::table_text(&rows, crosstab.as_ref()),
        TableFormat::Csv => table::table_csv(&rows, crosstab.as_ref()),
        TableFormat::Json => table::table_json(&rows, crosstab.as_ref()),
        TableFormat::Markdown => table::table_markdown(&rows, crosstab.as_ref()),
    };
    print!("{text}");
    left_to_the_exit((study, synthesis));
    Ok(())
}

/// Lets a one-shot command end without freeing `parsed`, a study and what
/// was derived from it (plain data, nothing to flush): the process exits
/// next and the system takes its memory back at once, where freeing a
/// large study piece by piece took a twentieth of `collabmap table`.
fn left_to_the_exit<T>(parsed: T) {
    std::mem::forget(parsed);
}

/// `collabmap model`.
fn model(study: PathBuf, format: ModelFormat) -> Result<()> {
    let study = load_valid(&study)?;
    let synthesis = synthesise(&study);
    let model = Model::discover(&study, &synthesis);
    let text = match format {
        ModelFormat::Json => table::model_json(&model),
        ModelFormat::Text => {
            let name_of = |id: &str| study.codebook.get(id).map(|t| t.name.clone()).unwrap_or_default();
            table::model_text(&model, &name_of)
        }
    };
    print!("{text}");
    left_to_the_exit((study, synthesis));
    Ok(())
}

/// `collabmap analyse`.
fn analyse(study: PathBuf, interview: Option<String>, format: AnalyseFormat) -> Result<()> {
    let study = load_valid(&study)?;
    let structure = StudyStructure::of(&study);
    let maps: Vec<&MapStructure> = match &interview {
        None => structure.maps.iter().collect(),
        Some(id) => {
            let Some(map) = structure.maps.iter().find(|m| &study.interviews[m.interview].id == id) else {
                let hint = collabmap_study::did_you_mean(id, study.interviews.iter().map(|i| i.id.as_str()))
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                anyhow::bail!("the study has no interview `{id}`{hint}");
            };
            vec![map]
        }
    };
    match format {
        AnalyseFormat::Json => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            analyses::analyse_json(&study, &structure, &maps, &mut out)?;
            std::io::Write::flush(&mut out)?;
        }
        AnalyseFormat::Csv => print!("{}", analyses::analyse_csv(&study, &maps)),
        AnalyseFormat::Text => print!("{}", analyses::analyse_text(&study, &maps)),
    }
    Ok(())
}

/// `collabmap trace`.
fn trace_command(study: PathBuf, from: String, to: String, max_steps: usize, thread: bool, format: ModelFormat) -> Result<()> {
    let study = load_valid(&study)?;
    let theme = |id: &str| study.codebook.index_or_refusal(id).map_err(anyhow::Error::msg);
    let (start, end) = (theme(&from)?, theme(&to)?);
    let synthesis = synthesise(&study);
    let found = trace(&synthesis, study.codebook.len(), start, end, max_steps, thread);
    print!(
        "{}",
        match format {
            ModelFormat::Json => analyses::trace_json(&study, &from, &to, max_steps, thread, &found),
            ModelFormat::Text => analyses::trace_text(&study, &from, &to, max_steps, thread, &found),
        }
    );
    Ok(())
}

/// `collabmap evidence`.
fn evidence_command(study: PathBuf, theme: Option<String>, link: Option<Vec<String>>, format: AnalyseFormat) -> Result<()> {
    let study = load_valid(&study)?;
    let index = |id: &str| study.codebook.index_or_refusal(id).map_err(anyhow::Error::msg);
    let synthesis = synthesise(&study);
    let text = match (theme, link.as_deref()) {
        (Some(theme), _) => {
            let theme = index(&theme)?;
            let mentions = collabmap_analysis::evidence::theme_mentions(&study, &synthesis.coding, theme);
            match format {
                AnalyseFormat::Json => evidence::theme_json(&study, &synthesis, theme, &mentions),
                AnalyseFormat::Text => evidence::theme_text(&study, &synthesis, theme, &mentions),
                AnalyseFormat::Csv => evidence::theme_csv(&study, &mentions).map_err(anyhow::Error::msg)?,
            }
        }
        (None, Some([from, to])) => {
            let (from, to) = (index(from)?, index(to)?);
            let model = Model::discover(&study, &synthesis);
            let chains = collabmap_analysis::evidence::link_chains(&study, &synthesis.coding, from, to);
            match format {
                AnalyseFormat::Json => evidence::link_json(&study, &synthesis, &model, from, to, &chains),
                AnalyseFormat::Text => evidence::link_text(&study, &synthesis, &model, from, to, &chains),
                AnalyseFormat::Csv => evidence::link_csv(&study, &chains).map_err(anyhow::Error::msg)?,
            }
        }
        _ => anyhow::bail!("say what to open: --theme ID, or --link FROM TO"),
    };
    print!("{text}");
    Ok(())
}

/// `collabmap search`.
fn search(
    study: PathBuf,
    query: String,
    code: Option<String>,
    column: Option<String>,
    project: Option<String>,
    interview: Option<String>,
    format: ModelFormat,
) -> Result<()> {
    let study = load_valid(&study)?;
    let query = collabmap_analysis::search::Query::parse(&query).map_err(anyhow::Error::msg)?;
    let filters = collabmap_analysis::search::Filters::parse(&study, code.as_deref(), column.as_deref(), project.as_deref(), interview.as_deref())
        .map_err(anyhow::Error::msg)?;
    let hits = collabmap_analysis::search::search(&study, &collabmap_analysis::Coding::of(&study), &query, &filters);
    print!(
        "{}",
        match format {
            ModelFormat::Json => collabmap_render::search::hits_json(&study, &hits),
            ModelFormat::Text => collabmap_render::search::hits_text(&study, &hits),
        }
    );
    Ok(())
}

/// `collabmap import-refi`.
fn import_refi(file: PathBuf, output: PathBuf) -> Result<()> {
    output::refuse_non_empty(&output)?;
    let size = std::fs::metadata(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?.len();
    if size > collabmap_study::Limits::default().max_total_bytes {
        anyhow::bail!("{} is larger than a study may be", file.display());
    }
    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let (files, notes) = if name.to_lowercase().ends_with(".qdc") {
        collabmap_exchange::refi_import::import_qdc(&bytes, &name).map(|files| (files, Vec::new()))
    } else {
        collabmap_exchange::refi_import::import_qdpx_with_notes(&bytes, collabmap_study::Limits::default())
    }
    .map_err(|message| anyhow::anyhow!("{}: {message}", file.display()))?;
    for note in &notes {
        eprintln!("note: {note}");
    }
    files.write_folder(&output).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
    println!("Created a study in {} from {}. Check it with `collabmap check {}`.", output.display(), file.display(), output.display());
    Ok(())
}

/// `collabmap assess`.
fn assess_command(dir: PathBuf, format: ReportFormat, output: Option<PathBuf>) -> Result<()> {
    let assessment = load_valid_assessment(&dir)?;
    let rounds = assess(&assessment);
    match format {
        ReportFormat::Json => print!("{}", assessment_output::assess_json(&assessment, &rounds)),
        ReportFormat::Text => print!("{}", assessment_output::assess_text(&assessment, &rounds)),
        ReportFormat::Html => {
            let html = assessment_output::assess_html(&assessment, &rounds).map_err(anyhow::Error::msg)?;
            write_page(output.as_deref(), &html)?;
        }
    }
    Ok(())
}

/// `collabmap compare`.
fn compare(dirs: Vec<PathBuf>, format: ReportFormat, output: Option<PathBuf>) -> Result<()> {
    let assessments = dirs.iter().map(|d| load_valid_assessment(d)).collect::<Result<Vec<_>>>()?;
    let results: Vec<_> = assessments.iter().map(assess).collect();
    let compared: Vec<assessment_output::Compared<'_>> =
        assessments.iter().zip(&results).map(|(a, r)| assessment_output::Compared { assessment: a, rounds: r }).collect();
    match format {
        ReportFormat::Json => print!("{}", assessment_output::compare_json(&compared)),
        ReportFormat::Text => print!("{}", assessment_output::compare_text(&compared)),
        ReportFormat::Html => write_page(output.as_deref(), &assessment_output::compare_html(&compared))?,
    }
    Ok(())
}

/// `collabmap survey`.
fn survey(dir: PathBuf, format: SurveyFormat) -> Result<()> {
    let assessment = load_valid_assessment(&dir)?;
    match format {
        SurveyFormat::Markdown => print!("{}", assessment_output::survey_markdown(&assessment)),
        SurveyFormat::Html => print!("{}", assessment_output::survey_html(&assessment).map_err(anyhow::Error::msg)?),
    }
    Ok(())
}

/// mimalloc rather than the system's allocator: parsing a large study makes
/// millions of small allocations from both cores at once, and glibc's
/// allocator spent about a quarter of `collabmap table` at 100,000 people
/// (docs/performance.md). The server runs in this binary too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is::<Refused>() => ExitCode::from(1),
        Err(error) => {
            eprintln!("collabmap: {error:#}");
            ExitCode::from(2)
        }
    }
}
