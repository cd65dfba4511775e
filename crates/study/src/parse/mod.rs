//! Reading the files of a study folder.

pub mod front_matter;
pub(crate) mod inline;
pub mod interview;
pub mod memo;
pub mod tables;
pub(crate) mod text;
