//! Full-text search over roles, skills, tools and cities, typo-tolerant by trigram matching.
//!
//! `search_index` holds one row per object (its kind, id, title and body). What matches and in which order
//! is defined once, here, so both backends answer alike: a row matches when its title or body contains at
//! least half of the text's trigrams, and rows rank by how much of the text their title holds, then by how
//! close the title is to the text (a word starting with the text first, then trigram similarity), then by
//! how much of the text the row holds at all. Each backend only finds the candidates, rows sharing any one
//! trigram with the text, through its own trigram index: SQLite's FTS5 trigram tokenizer, PostgreSQL's
//! pg_trgm GIN indexes. So "postgress" or "seatle" still finds its object.
use std::cmp::Ordering;
use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// What the index holds of each kind: its table, and the SQL of its title and its body.
const INDEXED: [(&str, &str, &str, &str); 4] = [
    ("ROLE", "role", "title", "summary"),
    ("SKILL", "skill", "name", "description"),
    ("TOOL", "tool", "name", "category"),
    ("CITY", "city", "name", "area_title || ' ' || COALESCE(state, '')"),
];

/// Rebuilds the index from the tables; run after a load changes the searchable text.
pub async fn reindex(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("DELETE FROM search_index").await?;
    let selects: Vec<String> = INDEXED
        .iter()
        .map(|(kind, table, title, body)| format!("SELECT '{kind}', id, {title}, {body} FROM {table}"))
        .collect();
    let sql = format!("INSERT INTO search_index (kind, ref_id, title, body) {}", selects.join(" UNION ALL "));
    db.execute_unprepared(&sql).await?;
    Ok(())
}

/// Brings the index up to date with one row of `kind` (`ROLE`, `SKILL`, `TOOL`, `CITY`), created, changed
/// or deleted: in the transaction that wrote it, so a search never sees a write it cannot find.
pub async fn reindex_row(db: &impl ConnectionTrait, kind: &str, id: i32) -> Result<(), DbErr> {
    let Some((kind, table, title, body)) = INDEXED.iter().find(|(indexed, ..)| *indexed == kind) else {
        return Ok(());
    };
    let backend = db.get_database_backend();
    let param = placeholder(backend, 1);
    let delete = format!("DELETE FROM search_index WHERE kind = '{kind}' AND ref_id = {param}");
    let insert = format!(
        "INSERT INTO search_index (kind, ref_id, title, body) SELECT '{kind}', id, {title}, {body} FROM {table} WHERE id = {param}"
    );
    for sql in [delete, insert] {
        db.execute_raw(Statement::from_sql_and_values(backend, sql, [Value::from(id)])).await?;
    }
    Ok(())
}

/// A hit: the kind of object (`ROLE`, `SKILL`, `TOOL`, `CITY`) and its id, best first.
pub type Hit = (String, i32);

/// The best `limit` hits for `text` among `kinds`.
pub async fn search(db: &impl ConnectionTrait, text: &str, kinds: &[&str], limit: u64) -> Result<Vec<Hit>, DbErr> {
    // U+0000 matches nothing anyone typed, ends a string inside FTS5's query parser ("unterminated string")
    // and cannot be sent to PostgreSQL at all: it is dropped.
    let text = text.replace('\0', "").trim().to_lowercase();
    if text.is_empty() || kinds.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = kinds.iter().map(|kind| Value::from(kind.to_string())).collect();
    let kinds_in = (1..=kinds.len()).map(|n| placeholder(backend, n)).collect::<Vec<_>>().join(", ");
    let next = kinds.len() + 1;
    if text.chars().count() < 3 {
        // Trigram matching needs three characters; shorter text matches the start of a title.
        let sql = format!(
            "SELECT kind, ref_id FROM search_index WHERE kind IN ({kinds_in}) AND LOWER(title) LIKE {}
             ORDER BY title, kind, ref_id LIMIT {}",
            placeholder(backend, next),
            placeholder(backend, next + 1)
        );
        values.extend([format!("{}%", text.replace(['%', '_'], "")).into(), (limit as i64).into()]);
        let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        return rows.iter().map(|row| Ok((row.try_get("", "kind")?, row.try_get("", "ref_id")?))).collect();
    }
    let wanted: BTreeSet<String> = trigrams(&text).into_iter().collect();
    let candidates = match backend {
        DbBackend::Postgres => {
            // Each trigram as an ILIKE pattern, which pg_trgm's GIN indexes serve.
            let mut patterns = Vec::new();
            for (n, trigram) in wanted.iter().enumerate() {
                let p = placeholder(backend, next + n);
                patterns.push(format!("title ILIKE {p} OR body ILIKE {p}"));
                values.push(
                    format!("%{}%", trigram.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")).into(),
                );
            }
            format!(
                "SELECT kind, ref_id, title, body FROM search_index WHERE kind IN ({kinds_in}) AND ({})",
                patterns.join(" OR ")
            )
        }
        _ => {
            // FTS5 matches rows holding any of the quoted trigrams, in the title or the body.
            let quoted: Vec<String> = wanted.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
            values.push(format!("{{title body}} : ({})", quoted.join(" OR ")).into());
            format!(
                "SELECT kind, ref_id, title, body FROM search_index WHERE kind IN ({kinds_in}) AND search_index MATCH {}",
                placeholder(backend, next)
            )
        }
    };
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, candidates, values)).await?;
    let mut hits = Vec::new();
    for row in rows {
        let (title, body): (String, String) = (row.try_get("", "title")?, row.try_get("", "body")?);
        if let Some(score) = Score::of(&text, &wanted, &title.to_lowercase(), &body.to_lowercase()) {
            hits.push((score, row.try_get::<String>("", "kind")?, row.try_get::<i32>("", "ref_id")?));
        }
    }
    hits.sort_by(|(a, a_kind, a_id), (b, b_kind, b_id)| {
        b.cmp(a).then_with(|| a_kind.cmp(b_kind)).then_with(|| a_id.cmp(b_id))
    });
    Ok(hits.into_iter().take(limit as usize).map(|(_, kind, id)| (kind, id)).collect())
}

/// How much of the text a row must hold to match: half of the text's trigrams.
const MIN_TRIGRAM_SHARE: f64 = 0.5;

/// How well a row matches; greater is better.
#[derive(Debug, PartialEq)]
struct Score {
    /// The share of the text's trigrams in the title.
    title_share: f64,
    /// Whether a word of the title starts with the text.
    word_start: bool,
    /// Trigrams shared by the text and the title, over those in either (pg_trgm's similarity).
    title_similarity: f64,
    /// The share of the text's trigrams in the title or the body.
    share: f64,
}

impl Score {
    /// The score of a row (title and body lowercased), or `None` if it does not match.
    fn of(text: &str, wanted: &BTreeSet<String>, title: &str, body: &str) -> Option<Self> {
        let count = |held: &dyn Fn(&str) -> bool| wanted.iter().filter(|t| held(t)).count() as f64;
        let total = wanted.len().max(1) as f64;
        let share = count(&|t| title.contains(t) || body.contains(t)) / total;
        if share < MIN_TRIGRAM_SHARE {
            return None;
        }
        let in_title = count(&|t| title.contains(t));
        let title_trigrams: BTreeSet<String> = trigrams(title).into_iter().collect();
        let shared = wanted.intersection(&title_trigrams).count() as f64;
        let union = (wanted.len() + title_trigrams.len()) as f64 - shared;
        Some(Self {
            title_share: in_title / total,
            word_start: title.starts_with(text) || title.contains(&format!(" {text}")),
            title_similarity: if union > 0.0 { shared / union } else { 0.0 },
            share,
        })
    }
}

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.title_share
            .total_cmp(&other.title_share)
            .then(self.word_start.cmp(&other.word_start))
            .then(self.title_similarity.total_cmp(&other.title_similarity))
            .then(self.share.total_cmp(&other.share))
    }
}

fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).map(|w| w.iter().collect()).collect()
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(text: &str, title: &str, body: &str) -> Option<Score> {
        let wanted = trigrams(text).into_iter().collect();
        Score::of(text, &wanted, title, body)
    }

    #[test]
    fn near_misses_match_and_strangers_do_not() {
        assert!(score("postgress", "postgresql", "database").is_some_and(|s| s.title_share > 0.8));
        assert!(score("seatle", "seattle", "seattle-tacoma-bellevue, wa wa").is_some_and(|s| s.share >= 0.75));
        assert_eq!(score("kubernetes", "united states", "u.s."), None);
    }

    #[test]
    fn titles_starting_a_word_with_the_text_rank_first() {
        let api_developer = score("api", "api developer", "builds apis").unwrap();
        let fastapi = score("api", "fastapi", "python framework").unwrap();
        assert!(api_developer > fastapi);
        let in_body_only = score("api", "backend", "api design").unwrap();
        assert!(fastapi > in_body_only);
    }
}
