//! What every handler shares: the database, the schema, the limits and the rate limiter. `AppState::open`
//! readies the database (migrations, the seed on an empty one) and loads the persisted queries.
use std::ops::Deref;
use std::sync::Arc;

use anyhow::Context as _;

use crate::config::{self, Config, Limits, PersistedQueryMode};
use crate::db::Db;
use crate::events::Hub;
use crate::graphql::persisted::AllowList;
use crate::graphql::{
    AppSchema, Guard, PersistedQueries, build_federated_schema, build_schema, federated_guard, guard,
};
use crate::http::named::Named;
use crate::http::rate_limit::CostLimiter;
use crate::{metrics, seed};

/// Cloned for every request (axum's `State`, each middleware): one reference count, however much it holds.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub db: Db,
    pub schema: AppSchema,
    /// Admission, before and after the schema runs a request.
    pub guard: Arc<Guard>,
    pub limits: Limits,
    pub rate_limiter: Arc<CostLimiter>,
    pub http: config::Http,
    /// Committed changes, for subscribers.
    pub hub: Hub,
    /// Federation and the admin listener (`--federation`, `--admin-addr`).
    pub platform: config::Platform,
    /// The operations served by name at `/q/{name}`.
    pub named: Arc<Named>,
    persisted: PersistedQueries,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Connects, applies pending migrations, seeds an empty database, and loads the persisted queries.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        // Installed before the first statement runs, so that none goes uncounted.
        metrics::handle();
        let db = Db::connect(&config.database).await?;
        seed::migrate(&db).await?;
        if seed::is_empty(&db.conn).await? {
            tracing::info!("empty database: applying the seed");
            seed::apply(&db.conn).await?;
        }
        let persisted = persisted_queries(&config.persisted_queries)?;
        let hub = Hub::default();
        hub.listen(&db.conn);
        Ok(Self(Arc::new(Shared::new(
            db,
            config.limits.clone(),
            persisted,
            config.http.clone(),
            hub,
            &config.platform,
        ))))
    }

    pub fn new(db: Db, limits: Limits, persisted: PersistedQueries, http: config::Http, hub: Hub) -> Self {
        Self(Arc::new(Shared::new(db, limits, persisted, http, hub, &Default::default())))
    }

    /// The same database under other limits.
    pub fn with_limits(&self, limits: Limits) -> Self {
        let (db, persisted, http, hub) = (self.db.clone(), self.persisted.clone(), self.http.clone(), self.hub.clone());
        Self(Arc::new(Shared::new(db, limits, persisted, http, hub, &self.platform)))
    }

    /// The same state with another schema (tests add extensions of their own to it).
    pub fn with_schema(&self, schema: AppSchema) -> Self {
        let shared = &self.0;
        Self(Arc::new(Shared {
            db: shared.db.clone(),
            schema,
            guard: shared.guard.clone(),
            limits: shared.limits.clone(),
            rate_limiter: shared.rate_limiter.clone(),
            http: shared.http.clone(),
            hub: shared.hub.clone(),
            platform: shared.platform.clone(),
            named: shared.named.clone(),
            persisted: shared.persisted.clone(),
        }))
    }
}

impl Shared {
    /// Under the platform settings: with `--federation` the schema (and its guard) are the subgraph's.
    fn new(
        db: Db,
        limits: Limits,
        persisted: PersistedQueries,
        http: config::Http,
        hub: Hub,
        platform: &config::Platform,
    ) -> Self {
        let limits = limits.settled(db.pool_size());
        let (schema, guard) = if platform.federation {
            (build_federated_schema(&limits.query, hub.clone()), federated_guard(&limits.query, persisted.clone()))
        } else {
            (build_schema(&limits.query, hub.clone()), guard(&limits.query, persisted.clone()))
        };
        let rate_limiter = Arc::new(CostLimiter::new(limits.http.rate_limit_per_minute));
        let platform = platform.clone();
        let named = Arc::new(Named::new(&persisted, &schema.sdl_with_options(Default::default())));
        Self { db, schema, guard: Arc::new(guard), limits, rate_limiter, http, hub, platform, named, persisted }
    }
}

fn persisted_queries(settings: &config::PersistedQueries) -> anyhow::Result<PersistedQueries> {
    Ok(match settings.mode {
        PersistedQueryMode::Off => PersistedQueries::Off,
        PersistedQueryMode::Auto => PersistedQueries::auto(settings.cache_size as usize),
        PersistedQueryMode::AllowList => {
            // `required_if_eq` on the flag makes clap insist on a file in this mode.
            let path = settings.file.as_deref().context("allow-list mode needs --persisted-queries-file")?;
            let manifest = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let list =
                AllowList::from_manifest(&manifest).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
            tracing::info!(operations = list.len(), "persisted queries: only registered operations run");
            PersistedQueries::AllowList(list.into())
        }
    })
}
