//! The command line: subcommands here, settings in `config` (each a flag, an environment variable and a
//! config-file key).
use clap::{Parser, Subcommand};

use crate::app::{AppState, serve};
use crate::config::Config;
use crate::db::Db;
use crate::graphql::{build_schema, sdl};
use crate::http::limits::Limits;
use crate::seed;

#[derive(Debug, Parser)]
#[command(
    name = "careerql",
    version,
    about = "A GraphQL API for career data: roles, skills, tools, cities and BLS salary ranges"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    #[command(flatten)]
    pub limits: Limits,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the playground at `/` and `/graphql` (the default).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Upsert the built-in seed data (idempotent).
    Seed,
    /// Print the GraphQL schema (SDL); `careerql schema > schema.graphql` refreshes the checked-in copy.
    Schema,
    /// Print the settings in force (defaults, file, environment and flags applied) as a config file.
    Config,
    /// Import a published dataset (idempotent, in one transaction): `careerql import oews FILE`.
    Import {
        #[command(subcommand)]
        dataset: crate::import::Dataset,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let state = AppState::open(&config, cli.limits).await?;
            let listener = tokio::net::TcpListener::bind(config.server.addr).await?;
            tracing::info!(addr = %listener.local_addr()?, "careerql is serving; the playground is at /");
            serve(listener, state, config.server.shutdown_grace).await?;
        }
        Command::Migrate => Db::connect(&config.database).await?.migrate().await?,
        Command::Seed => {
            let db = Db::connect(&config.database).await?;
            db.migrate().await?;
            seed::apply(&db.conn).await?;
            tracing::info!("seed applied");
        }
        Command::Schema => {
            // The SDL does not depend on the data, so no database is opened.
            print!("{}", sdl(&build_schema(&cli.limits.query, Default::default())));
        }
        Command::Config => print!("{}", config.effective),
        Command::Import { dataset } => crate::import::run(&config.database, dataset).await?,
    }
    Ok(())
}
