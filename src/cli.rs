//! The command line: every option is also an environment variable.
use std::net::SocketAddr;

use clap::{Parser, Subcommand};

use crate::app::{AppState, serve};
use crate::db::Db;
use crate::graphql::{build_schema, sdl};
use crate::seed;

#[derive(Debug, Parser)]
#[command(
    name = "careerql",
    version,
    about = "A GraphQL API for career data: roles, skills, tools, cities and BLS salary ranges"
)]
pub struct Cli {
    /// Database to use: `sqlite://FILE?mode=rwc` (created if missing) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://careerql.db?mode=rwc", global = true)]
    pub database_url: String,

    /// Address to serve on.
    #[arg(long, env = "CAREERQL_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub addr: SocketAddr,

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
    /// Import a published dataset (idempotent, in one transaction): `careerql import oews FILE`.
    Import {
        #[command(subcommand)]
        dataset: crate::import::Dataset,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let state = AppState::open(&cli.database_url).await?;
            let listener = tokio::net::TcpListener::bind(cli.addr).await?;
            tracing::info!(addr = %listener.local_addr()?, "careerql is serving; the playground is at /");
            serve(listener, state).await?;
        }
        Command::Migrate => Db::connect(&cli.database_url).await?.migrate().await?,
        Command::Seed => {
            let db = Db::connect(&cli.database_url).await?;
            db.migrate().await?;
            seed::apply(&db.conn).await?;
            tracing::info!("seed applied");
        }
        Command::Schema => {
            // The SDL does not depend on the data, so no database is opened.
            let db = sea_orm::DatabaseConnection::default();
            print!("{}", sdl(&build_schema(db)));
        }
        Command::Import { dataset } => crate::import::run(&cli.database_url, dataset).await?,
    }
    Ok(())
}
