#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_t`, which libmimalloc-sys does not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays resident before mimalloc returns it to the OS. mimalloc 3 waits 1 s, and the
/// 100-role query at 64 clients peaked at 100 MiB; at 100 ms, 88 MiB, for about 3% of `salaryStats` by city
/// (at mimalloc 2's 10 ms, 73 MiB for 14%: returned pages fault in again). docs/benchmarks.md has the runs.
const PURGE_DELAY_MS: std::ffi::c_long = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // mimalloc's own variable, when an operator sets it, wins.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a global option, which mimalloc reads atomically wherever it purges.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
    let cli = careerql::cli::parse();
    careerql::telemetry::init(&cli.config.log, &cli.config.platform)?;
    let ran = careerql::cli::run(cli).await;
    careerql::telemetry::shutdown();
    ran
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_mimallocs_purge_delay() {
        // Unset, the option holds mimalloc 3's default purge delay; its neighbours hold 1 and 0.
        // SAFETY: reads global options.
        let (before, option, after) = unsafe {
            use libmimalloc_sys::mi_option_get;
            (
                mi_option_get(MI_OPTION_PURGE_DELAY - 1),
                mi_option_get(MI_OPTION_PURGE_DELAY),
                mi_option_get(MI_OPTION_PURGE_DELAY + 1),
            )
        };
        assert_eq!((before, option, after), (1, 1000, 0));
    }
}
