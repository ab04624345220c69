//! Importers: files as their publishers print them, written into careerql's tables in one transaction, so a
//! bad file leaves the database as it was and a second run of the same file changes nothing.
pub mod oews;
pub mod rows;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget};
use sea_orm::{ConnectionTrait, DbErr};

use crate::db::Db;

/// The datasets `careerql import` reads.
#[derive(Debug, clap::Subcommand)]
pub enum Dataset {
    /// A BLS OEWS "all data" table: the XLSX BLS publishes, or the same columns as CSV (plain or gzip).
    Oews {
        /// The file to import.
        file: PathBuf,
        /// The period the figures describe, e.g. "May 2025" (default: read from the file name).
        #[arg(long)]
        reference_period: Option<String>,
    },
    /// What `careerql export` wrote (a JSON file, or a directory of CSV files), into an empty database.
    Dump {
        /// The JSON file or the CSV directory.
        path: PathBuf,
    },
}

/// `careerql import …`: migrates (and seeds an empty database, as serving would), imports, reports.
pub async fn run(database: &crate::config::Database, dataset: Dataset) -> anyhow::Result<()> {
    let db = Db::connect(database).await?;
    crate::seed::migrate(&db).await?;
    let (file, reference_period) = match dataset {
        Dataset::Dump { path } => {
            crate::export::import(&db.conn, &path).await?;
            leave_no_log(&db).await?;
            println!("imported {}", path.display());
            return Ok(());
        }
        Dataset::Oews { file, reference_period } => (file, reference_period),
    };
    if crate::seed::is_empty(&db.conn).await? {
        crate::seed::apply(&db.conn).await?;
    }
    let started = Instant::now();
    // A progress bar on a terminal; nothing when stdout is a pipe or a file.
    let progress = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
    let report = oews::import(&db.conn, &file, oews::Options { reference_period, progress }).await?;
    // Fresh statistics, so the query planner knows the tables' new sizes (a grouping over one role should read
    // that role's rows by index, not every range).
    db.conn.execute_unprepared("ANALYZE").await?;
    leave_no_log(&db).await?;
    println!("{report}\nimported in {:.1?}", started.elapsed());
    Ok(())
}

/// A large import leaves its pages in SQLite's write-ahead log: fold them into the database file now, so
/// that neither readers nor the disk carry the log until the server's next checkpoint (if one serves).
async fn leave_no_log(db: &Db) -> anyhow::Result<()> {
    if let Some(file) = db.sqlite() {
        let checkpoint = file.checkpoint(crate::db::CHECKPOINT_WAITS.1).await?;
        if !checkpoint.truncated {
            tracing::warn!(
                wal_bytes = checkpoint.wal_bytes,
                "the write-ahead log is still in use by the server; its next checkpoint will fold it in"
            );
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// One field of one line is wrong; `column` counts from 1.
    #[error("line {line}, column {column} ({name}): {message}")]
    Cell { line: u64, column: usize, name: String, message: String },
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    /// The file cannot be read as a table of the expected kind.
    #[error("{0}")]
    Read(String),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

impl ImportError {
    fn io(path: &Path, error: std::io::Error) -> Self {
        Self::Read(format!("cannot read {}: {error}", path.display()))
    }
}

/// How many rows of one kind an import inserted, changed, or found already as the file has them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl Counts {
    pub fn changed(&self) -> u64 {
        self.inserted + self.updated
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} inserted, {} updated, {} unchanged", self.inserted, self.updated, self.unchanged)
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Data lines read.
    pub rows: u64,
    /// Lines left out because they describe one industry or ownership rather than all of them.
    pub skipped: u64,
    pub areas: Counts,
    pub occupations: Counts,
    pub roles: Counts,
    pub salary_ranges: Counts,
}

impl Report {
    /// Rows of any table the import inserted or changed.
    pub fn changed(&self) -> u64 {
        self.areas.changed() + self.occupations.changed() + self.roles.changed() + self.salary_ranges.changed()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} lines read, {} left out (industry- or ownership-specific)", self.rows, self.skipped)?;
        writeln!(f, "areas:         {}", self.areas)?;
        writeln!(f, "occupations:   {}", self.occupations)?;
        writeln!(f, "roles:         {}", self.roles)?;
        write!(f, "salary ranges: {}", self.salary_ranges)
    }
}
