use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("careerql=info,tower_http=info")),
        )
        .init();
    careerql::cli::run(careerql::cli::Cli::parse()).await
}
