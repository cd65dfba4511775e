//! The commands that use the workspace database: serve, user, import and export.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use collabmap_server::{DEMO_EMAIL, DEMO_PASSWORD, ImportError, Options, ensure_demo, import_study, serve};
use collabmap_store::{Kind, Store};
use collabmap_study::assessment::load_assessment;
use collabmap_study::{Limits, MemoryFiles, load_from};

/// The database every workspace command uses unless told otherwise.
pub(crate) const DEFAULT_DB: &str = "sqlite://collabmap.db";

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

/// Opens the database, creating it (only `serve` and `user add` may).
async fn open(db: &str) -> Result<Store> {
    Store::open(db).await.with_context(|| format!("cannot open the database {db}"))
}

/// Opens a database that must exist already (`import`, `export`).
async fn open_existing(db: &str) -> Result<Store> {
    Store::open_existing(db).await.with_context(|| format!("cannot open the database {db}"))
}

/// `collabmap serve`.
pub(crate) fn serve_command(db: &str, bind: &str, demo: bool, options: Options) -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()))
        .with_writer(std::io::stderr)
        .init();
    runtime()?.block_on(async {
        let store = open(db).await?;
        if demo {
            ensure_demo(&store).await.context("cannot set up the demo study")?;
        }
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}: is another server using it? choose another with --bind"))?;
        let address = listener.local_addr()?;
        println!("collabmap workspace at http://{address}/ (database {db})");
        if demo {
            println!("Sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}. Stop with Ctrl-C.");
        } else if store.user_count().await? == 0 {
            println!("No accounts yet: add one with `collabmap user add EMAIL --admin --db {db}`.");
        }
        std::io::stdout().flush()?;
        serve(store, listener, options).await.context("the server stopped")?;
        Ok(())
    })
}

/// Reads a password from standard input: the first line, without its ending.
fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (at least 8 characters; it will show as you type): ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password given: pipe it on standard input, for example `echo 'a long secret' | collabmap user add EMAIL`");
    }
    Ok(password)
}

/// `collabmap user add`.
pub(crate) fn add_user(db: &str, email: &str, admin: bool) -> Result<()> {
    let password = read_password()?;
    runtime()?.block_on(async {
        let store = open(db).await?;
        let user = store.add_user(email, &password, admin).await?;
        println!("Added {}{}.", user.email, if admin { " (administrator)" } else { "" });
        Ok(())
    })
}

/// `collabmap import`: prints the new study's id.
pub(crate) fn import(db: &str, dir: &Path, owner: &str) -> Result<()> {
    let files = MemoryFiles::read_folder(dir, Limits::default()).map_err(anyhow::Error::msg)?;
    runtime()?.block_on(async {
        let store = open_existing(db).await?;
        let Some(user) = store.user_by_email(owner).await? else {
            bail!("no account for {owner}: add it first with `collabmap user add {owner} --db {db}`");
        };
        match import_study(&store, user.id, files).await {
            Ok(id) => {
                println!("{id}");
                Ok(())
            }
            Err(ImportError::Problems(problems)) => {
                for problem in &problems {
                    eprintln!("{}", problem_in(dir, problem));
                }
                bail!("{}: {} problems found; nothing was imported", dir.display(), problems.len())
            }
            Err(other) => bail!("{other}"),
        }
    })
}

fn problem_in(dir: &Path, problem: &collabmap_study::Problem) -> String {
    format!("{}:{}: {}", dir.join(&problem.path).display(), problem.line, problem.message)
}

/// `collabmap export`.
pub(crate) fn export(db: &str, id: i64, revision: Option<i64>, output: &Path) -> Result<()> {
    crate::output::refuse_non_empty(output)?;
    let (snapshot, kind) = runtime()?.block_on(async {
        let store = open_existing(db).await?;
        let mut snapshot = store.snapshot(id).await?.with_context(|| format!("there is no study {id} in {db}: `collabmap serve` lists them in the browser"))?;
        if let Some(revision) = revision {
            let latest = snapshot.revision;
            snapshot =
                store.snapshot_at(id, revision).await?.with_context(|| format!("study {id} has revisions 1 to {latest}: there is no revision {revision}"))?;
        }
        Ok::<_, anyhow::Error>((snapshot, store.kind(id).await?.unwrap_or(Kind::Study)))
    })?;
    snapshot.files.write_folder(output).with_context(|| format!("cannot write {}", output.display()))?;
    let (what, problems, command) = match kind {
        Kind::Study => ("study", load_from(&snapshot.files).problems.len(), "check"),
        Kind::Collaboration => ("collaboration", load_assessment(&snapshot.files).1.len(), "assess"),
    };
    let note = if problems > 0 { format!("; it has {problems} problems, see `collabmap {command}`") } else { String::new() };
    let at = revision.map(|r| format!(" as it was at revision {r}")).unwrap_or_default();
    println!("Exported {what} {id}{at} ({} files) to {}{note}", snapshot.files.len(), output.display());
    Ok(())
}
