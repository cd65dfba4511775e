//! The commands that write folders: report, new, generate and demo.

use std::path::Path;

use anyhow::Result;
use collabmap_study::Study;

pub(crate) fn report(_study: &Study, _study_dir: &Path, _output: &Path) -> Result<()> {
    anyhow::bail!("not yet")
}

pub(crate) fn new_study(_dir: &Path) -> Result<()> {
    anyhow::bail!("not yet")
}

pub(crate) fn generate(_dir: &Path, _people: u32, _seed: u64, _progress: bool) -> Result<()> {
    anyhow::bail!("not yet")
}

pub(crate) fn demo(_output: &Path) -> Result<()> {
    anyhow::bail!("not yet")
}
