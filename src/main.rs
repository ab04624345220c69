#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = careerql::cli::parse();
    careerql::telemetry::init(&cli.config.log)?;
    careerql::cli::run(cli).await
}
