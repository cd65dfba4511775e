//! Why something could not be drawn or written out.

/// A page, drawing or picture that could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A page's template failed (`what`: which page).
    #[error("cannot render {what}: {source}")]
    Template {
        /// Which page, for the message.
        what: &'static str,
        /// The template engine's error.
        source: askama::Error,
    },
    /// A drawing could not be turned into a PNG picture.
    #[error("cannot draw the PNG: {0}")]
    Png(String),
    /// A report has no page at this path.
    #[error("the report has no page {0}")]
    NoSuchPage(String),
    /// A CSV could not be written.
    #[error("cannot write the CSV: {0}")]
    Csv(String),
}

impl From<collabmap_study::csv_out::CsvError> for RenderError {
    fn from(error: collabmap_study::csv_out::CsvError) -> Self {
        RenderError::Csv(error.to_string())
    }
}

impl From<csv::Error> for RenderError {
    fn from(error: csv::Error) -> Self {
        RenderError::Csv(error.to_string())
    }
}

impl RenderError {
    /// A template error of the page `what`.
    pub(crate) fn template(what: &'static str) -> impl FnOnce(askama::Error) -> RenderError {
        move |source| RenderError::Template { what, source }
    }
}
