//! Change events for subscriptions: an in-process hub, and on PostgreSQL a bridge between instances.
//!
//! A mutation hands its events over only once its transaction commits, so a change that is rolled back
//! never reaches a subscriber. On PostgreSQL it also sends them with `pg_notify` inside its transaction,
//! which PostgreSQL delivers on commit only; every instance listens on the channel and feeds what other
//! instances sent into its own hub (its own events it already has).
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel change events travel on.
const CHANNEL: &str = "careerql_changes";

/// Events a slow subscriber may fall behind by before it misses some.
const BACKLOG: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
pub enum ChangeKind {
    Role,
    Skill,
    Tool,
    City,
    SalaryRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
pub enum ChangeAction {
    Create,
    Update,
    Delete,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "CREATE",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }
}

/// One committed change to one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub kind: ChangeKind,
    pub action: ChangeAction,
    pub id: i32,
    /// The row's slug (a salary range's global ID).
    pub key: String,
    /// The row's version after the change; `None` for a deletion.
    pub version: Option<i32>,
}

/// An event as it travels between instances: with the instance that sent it.
#[derive(Serialize, Deserialize)]
struct Envelope {
    origin: u64,
    event: ChangeEvent,
}

/// The instance's change events, for every subscriber.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<ChangeEvent>,
    origin: u64,
}

impl Default for Hub {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0, origin: rand::random() }
    }
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.sender.subscribe()
    }

    /// Sends `events` to other instances when their transaction commits (PostgreSQL only). Call inside
    /// the transaction.
    pub async fn notify_in(&self, txn: &impl ConnectionTrait, events: &[ChangeEvent]) -> Result<(), DbErr> {
        if txn.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        for event in events {
            let payload = serde_json::to_string(&Envelope { origin: self.origin, event: event.clone() })
                .map_err(|error| DbErr::Custom(error.to_string()))?;
            let notify = Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            );
            txn.execute_raw(notify).await?;
        }
        Ok(())
    }

    /// Hands committed events to this instance's subscribers.
    pub fn publish(&self, events: Vec<ChangeEvent>) {
        for event in events {
            // An error only means nobody is subscribed right now.
            let _ = self.sender.send(event);
        }
    }

    /// On PostgreSQL, listens for other instances' events for as long as the process runs.
    pub fn listen(&self, db: &DatabaseConnection) {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let hub = Arc::new(self.clone());
        tokio::spawn(async move {
            loop {
                if let Err(error) = hub.relay(&pool).await {
                    tracing::warn!(%error, "change events from other instances: listening again in a second");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn relay(&self, pool: &sea_orm::sqlx::PgPool) -> Result<(), sea_orm::sqlx::Error> {
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        loop {
            let notification = listener.recv().await?;
            match serde_json::from_str::<Envelope>(notification.payload()) {
                Ok(envelope) if envelope.origin == self.origin => {}
                Ok(envelope) => self.publish(vec![envelope.event]),
                Err(error) => tracing::warn!(%error, "ignoring a malformed change event"),
            }
        }
    }
}
