//! Full-text search over roles, skills, tools and cities, typo-tolerant by trigram matching.
//!
//! `search_index` holds one row per object (its kind, id, title and body). SQLite matches it with FTS5's
//! trigram tokenizer and ranks by BM25 (titles weigh ten times the body); PostgreSQL matches with pg_trgm
//! and ranks by trigram similarity. Either way a query that shares most of its trigrams with a name, such
//! as "postgress" or "seatle", still finds it.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// Rebuilds the index from the tables; run after anything changes the searchable text.
pub async fn reindex(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("DELETE FROM search_index").await?;
    db.execute_unprepared(
        "INSERT INTO search_index (kind, ref_id, title, body)
         SELECT 'ROLE', id, title, summary FROM role
         UNION ALL SELECT 'SKILL', id, name, description FROM skill
         UNION ALL SELECT 'TOOL', id, name, category FROM tool
         UNION ALL SELECT 'CITY', id, name, area_title || ' ' || COALESCE(state, '') FROM city",
    )
    .await?;
    Ok(())
}

/// A hit: the kind of object (`ROLE`, `SKILL`, `TOOL`, `CITY`) and its id, best first.
pub type Hit = (String, i32);

/// The best `limit` hits for `text` among `kinds`.
pub async fn search(db: &impl ConnectionTrait, text: &str, kinds: &[&str], limit: u64) -> Result<Vec<Hit>, DbErr> {
    let text = text.trim().to_lowercase();
    if text.is_empty() || kinds.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let kind_params: Vec<String> = (0..kinds.len()).map(|i| placeholder(backend, i + 3)).collect();
    let kinds_in = kind_params.join(", ");
    let (sql, query_text) = match backend {
        // Trigram matching needs three characters; shorter text matches the start of a title.
        _ if text.chars().count() < 3 => (
            format!(
                "SELECT kind, ref_id FROM search_index WHERE LOWER(title) LIKE {} AND kind IN ({kinds_in})
                 ORDER BY title, kind, ref_id LIMIT {}",
                placeholder(backend, 1),
                placeholder(backend, 2)
            ),
            format!("{}%", text.replace(['%', '_'], "")),
        ),
        DbBackend::Postgres => (
            format!(
                "SELECT kind, ref_id FROM search_index
                 WHERE (title % $1 OR $1 <% title OR body ILIKE '%' || $1 || '%') AND kind IN ({kinds_in})
                 ORDER BY GREATEST(similarity(title, $1), word_similarity($1, title)) DESC, similarity(body, $1) DESC,
                          kind, ref_id
                 LIMIT $2"
            ),
            text,
        ),
        _ => {
            // FTS5 matches rows sharing any one trigram; the share test below keeps the close ones, so fetch
            // more candidates than asked for.
            let sql = format!(
                "SELECT kind, ref_id, title, body FROM search_index
                 WHERE search_index MATCH ?1 AND kind IN ({kinds_in})
                 ORDER BY bm25(search_index, 0.0, 0.0, 10.0, 1.0), kind, ref_id
                 LIMIT ?2"
            );
            let rows = query(db, sql, trigram_query(&text), limit * 4, kinds).await?;
            let mut hits = Vec::new();
            for row in rows {
                let document =
                    format!("{} {}", row.try_get::<String>("", "title")?, row.try_get::<String>("", "body")?);
                if trigram_share(&text, &document.to_lowercase()) >= MIN_TRIGRAM_SHARE {
                    hits.push((row.try_get("", "kind")?, row.try_get("", "ref_id")?));
                }
            }
            hits.truncate(limit as usize);
            return Ok(hits);
        }
    };
    let rows = query(db, sql, query_text, limit, kinds).await?;
    rows.iter().map(|row| Ok((row.try_get("", "kind")?, row.try_get("", "ref_id")?))).collect()
}

/// How much of the query a row must contain to count as a match (pg_trgm's default threshold is 0.3 of
/// the union; this is half of the query's own trigrams).
const MIN_TRIGRAM_SHARE: f64 = 0.5;

async fn query(
    db: &impl ConnectionTrait,
    sql: String,
    text: String,
    limit: u64,
    kinds: &[&str],
) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
    let mut values: Vec<Value> = vec![text.into(), (limit as i64).into()];
    values.extend(kinds.iter().map(|k| Value::from(k.to_string())));
    db.query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await
}

fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).map(|w| w.iter().collect()).collect()
}

/// The share of `text`'s trigrams that occur in `document`.
fn trigram_share(text: &str, document: &str) -> f64 {
    let wanted = trigrams(text);
    let found = wanted.iter().filter(|t| document.contains(t.as_str())).count();
    found as f64 / wanted.len().max(1) as f64
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") }
}

/// An FTS5 query that matches any of the text's trigrams (each quoted), so rows sharing more of them rank
/// higher.
fn trigram_query(text: &str) -> String {
    let quoted: Vec<String> = trigrams(text).iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
    format!("{{title body}} : ({})", quoted.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::{trigram_query, trigram_share};

    #[test]
    fn queries_are_quoted_trigrams() {
        assert_eq!(trigram_query("sql"), "{title body} : (\"sql\")");
        assert_eq!(trigram_query("a\"bc"), "{title body} : (\"a\"\"b\" OR \"\"\"bc\")");
    }

    #[test]
    fn near_misses_share_most_trigrams_and_strangers_few() {
        assert!(trigram_share("postgress", "postgresql database") > 0.8);
        assert!(trigram_share("seatle", "seattle seattle-tacoma-bellevue, wa wa") >= 0.75);
        assert!(trigram_share("kubernetes", "united states u.s.") < 0.2);
    }
}
