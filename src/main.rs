#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = careerql::cli::parse();
    careerql::telemetry::init(&cli.config.log, &cli.config.platform)?;
    let ran = careerql::cli::run(cli).await;
    careerql::telemetry::shutdown();
    ran
}
