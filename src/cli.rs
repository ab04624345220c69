//! The command line: subcommands here, settings in `config` (each a flag, an environment variable and a
//! config-file key).
use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::auth::{self, KeyRole};
use crate::config::Config;
use crate::db::Db;
use async_graphql::SDLExportOptions;

use crate::graphql::{build_federated_schema, build_schema, sdl};
use crate::http::{AppState, serve};
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
    /// Write the whole career dataset: `--format json` (to stdout, or `--out FILE`) or `--format csv --out DIR`.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: crate::export::Format,
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Write a consistent copy of the SQLite database to PATH, a new file, while the server keeps serving
    /// (`VACUUM INTO`). On PostgreSQL, use `pg_dump` or `pg_basebackup` instead (docs/operations.md).
    Backup { path: std::path::PathBuf },
    /// Manage API keys: `keys create --name NAME --role editor|admin`, `keys list`, `keys revoke NAME`.
    Keys {
        #[command(subcommand)]
        action: KeyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make a key and print its token, once: only its hash is stored.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: KeyRole,
    },
    /// List every key (name, role, created, revoked), never a token.
    List,
    /// Revoke the key `NAME`: its token stops working at once.
    Revoke { name: String },
}

/// Parses the process's arguments, exiting with clap's message on a bad or missing setting.
pub fn parse() -> Cli {
    parse_from(std::env::args_os()).unwrap_or_else(|error| error.exit())
}

/// Parses `args` (program name first) with the environment and the `--config` file, if any.
pub fn parse_from(args: impl IntoIterator<Item = impl Into<OsString>>) -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    let matches = crate::config::matches_from(&mut command, args.into_iter().map(Into::into).collect())?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.config.effective = crate::config::effective(&command, &matches);
    Ok(cli)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let state = AppState::open(&config).await?;
            let listener = tokio::net::TcpListener::bind(config.server.addr).await?;
            if let Some(addr) = config.platform.admin_addr {
                let admin = tokio::net::TcpListener::bind(addr).await?;
                tracing::info!(addr = %admin.local_addr()?, "admin listener: /metrics, /healthz, /readyz");
                let state = state.clone();
                tokio::spawn(async move {
                    if let Err(error) = crate::http::admin::serve(admin, state).await {
                        tracing::error!(%error, "the admin listener stopped");
                    }
                });
            }
            tracing::info!(addr = %listener.local_addr()?, "careerql is serving; the playground is at /");
            serve(listener, state, config.server.shutdown_grace).await?;
        }
        Command::Migrate => seed::migrate(&Db::connect(&config.database).await?).await?,
        Command::Seed => {
            let db = Db::connect(&config.database).await?;
            seed::migrate(&db).await?;
            seed::apply(&db.conn).await?;
            tracing::info!("seed applied");
        }
        Command::Schema => {
            // The SDL does not depend on the data, so no database is opened.
            if config.platform.federation {
                // The subgraph's SDL as a gateway or `rover subgraph publish` reads it (`_service { sdl }`).
                let schema = build_federated_schema(&config.limits.query, Default::default());
                print!("{}", schema.sdl_with_options(SDLExportOptions::new().federation().compose_directive()));
            } else {
                print!("{}", sdl(&build_schema(&config.limits.query, Default::default())));
            }
        }
        Command::Config => print!("{}", config.effective),
        Command::Import { dataset } => crate::import::run(&config.database, dataset).await?,
        Command::Export { format, out } => {
            let db = Db::connect(&config.database).await?;
            seed::migrate(&db).await?;
            crate::export::export(&db.conn, format, out.as_deref()).await?;
        }
        Command::Backup { path } => {
            let db = Db::connect(&config.database).await?;
            let Some(file) = db.sqlite() else {
                anyhow::bail!(
                    "careerql backup copies a SQLite database; for PostgreSQL use pg_dump or pg_basebackup \
                     (docs/operations.md)"
                )
            };
            file.backup(&path).await?;
            db.close().await;
            println!("backed up to {}", path.display());
        }
        Command::Keys { action } => {
            let db = Db::connect(&config.database).await?;
            seed::migrate(&db).await?;
            keys(&db.conn, action).await?;
        }
    }
    Ok(())
}

async fn keys(db: &sea_orm::DatabaseConnection, action: KeyCommand) -> anyhow::Result<()> {
    match action {
        KeyCommand::Create { name, role } => {
            let token = auth::create_key(db, &name, role).await?;
            println!("{token}");
            eprintln!("this is the only time the token is shown: keep it somewhere safe");
        }
        KeyCommand::List => {
            println!("name\trole\tcreated\trevoked");
            for key in auth::list_keys(db).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    key.name,
                    key.role,
                    key.created_at,
                    key.revoked_at.as_deref().unwrap_or("-")
                );
            }
        }
        KeyCommand::Revoke { name } => {
            auth::revoke_key(db, &name).await?;
            println!("revoked {name}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_request_timeout_is_a_duration_and_the_old_milliseconds_flag_still_works() {
        let timeout = |args: &[&str]| {
            let args = std::iter::once("careerql").chain(args.iter().copied());
            parse_from(args).map(|cli| cli.config.limits.http.request_timeout())
        };
        assert_eq!(timeout(&[]).unwrap(), std::time::Duration::from_secs(10));
        assert_eq!(timeout(&["--request-timeout", "2s"]).unwrap(), std::time::Duration::from_secs(2));
        assert_eq!(timeout(&["--request-timeout-ms", "250"]).unwrap(), std::time::Duration::from_millis(250));
        assert!(timeout(&["--request-timeout", "2s", "--request-timeout-ms", "250"]).is_err());
        assert!(timeout(&["--request-timeout", "250"]).is_err(), "a duration needs its unit");
    }
}
