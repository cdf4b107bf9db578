//! `_prisma_migrations` on SQLite: timestamps written as INTEGER epoch milliseconds, as
//! Prisma's engine binds them; INTEGER, REAL and older TEXT values read (§1.3).

use super::record::MigrationRecord;
use super::schema::SQLITE_DDL;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::SqliteConnection;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    checksum: String,
    #[diesel(sql_type = Nullable<Text>)]
    finished_at: Option<String>,
    #[diesel(sql_type = Text)]
    migration_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    rolled_back_at: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    started_at: Option<String>,
    #[diesel(sql_type = BigInt)]
    applied_steps_count: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A DATETIME value as the engine reads it: epoch milliseconds (INTEGER or REAL), else
/// text as `%Y-%m-%d %H:%M:%S`, RFC 3339 or RFC 2822.
pub fn parse_timestamp(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(ms) = v.parse::<i64>() {
        return Utc.timestamp_millis_opt(ms).single();
    }
    if let Ok(f) = v.parse::<f64>() {
        // Whole milliseconds fit in f64 exactly for any realistic date.
        #[expect(clippy::cast_possible_truncation, reason = "epoch milliseconds")]
        return Utc.timestamp_millis_opt(f as i64).single();
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.f")
        .map(|n| n.and_utc())
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(v)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        })
        .or_else(|| {
            DateTime::parse_from_rfc2822(v)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        })
}

fn timestamp(v: Option<String>, name: &str) -> Result<Option<DateTime<Utc>>> {
    match v {
        None => Ok(None),
        Some(s) => parse_timestamp(&s).map(Some).ok_or_else(|| {
            Error::Database(format!(
                "cannot read the timestamp {s:?} of migration {name} in _prisma_migrations"
            ))
        }),
    }
}

pub struct SqliteStore<'c> {
    conn: &'c mut SqliteConnection,
}

impl<'c> SqliteStore<'c> {
    pub fn new(conn: &'c mut SqliteConnection) -> Self {
        SqliteStore { conn }
    }

    /// All rows by `started_at`; an error when the table cannot be read.
    pub fn rows(&mut self) -> Result<Vec<MigrationRecord>> {
        // The engine's own query text (§1.6), with values read as text to accept every
        // storage class the column may hold.
        let rows = diesel::sql_query(
            "SELECT\n    id,\n    checksum,\n    CAST(finished_at AS TEXT) AS finished_at,\n    migration_name,\n    CAST(rolled_back_at AS TEXT) AS rolled_back_at,\n    CAST(started_at AS TEXT) AS started_at,\n    applied_steps_count\nFROM `_prisma_migrations`\nORDER BY `started_at` ASC\n",
        )
        .load::<Row>(self.conn);
        rows.map_err(Error::from)?
            .into_iter()
            .map(|r| {
                let started_at = timestamp(r.started_at, &r.migration_name)?
                    .unwrap_or_else(|| Utc.timestamp_millis_opt(0).single().unwrap_or_default());
                Ok(MigrationRecord {
                    finished_at: timestamp(r.finished_at, &r.migration_name)?,
                    rolled_back_at: timestamp(r.rolled_back_at, &r.migration_name)?,
                    started_at,
                    id: r.id,
                    checksum: r.checksum,
                    migration_name: r.migration_name,
                    applied_steps_count: r.applied_steps_count,
                })
            })
            .collect()
    }

    pub fn table_exists(&mut self) -> Result<bool> {
        let exists = diesel::sql_query(
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'",
        )
        .get_result::<Count>(self.conn)
        .map_err(Error::from)?;
        Ok(exists.n > 0)
    }

    pub fn create_table(&mut self) -> Result<()> {
        self.conn.batch_execute(SQLITE_DDL).map_err(Error::from)
    }

    pub fn insert_started(
        &mut self,
        id: &str,
        checksum: &str,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        diesel::sql_query("INSERT INTO `_prisma_migrations` (`id`, `checksum`, `started_at`, `migration_name`) VALUES (?, ?, ?, ?)")
            .bind::<Text, _>(id)
            .bind::<Text, _>(checksum)
            .bind::<BigInt, _>(at.timestamp_millis())
            .bind::<Text, _>(name)
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    pub fn mark_finished(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        diesel::sql_query("UPDATE `_prisma_migrations` SET `applied_steps_count` = (`applied_steps_count` + 1), `finished_at` = ? WHERE `id` = ?")
            .bind::<BigInt, _>(at.timestamp_millis())
            .bind::<Text, _>(id)
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    pub fn record_failure(&mut self, f: &super::store::Failure<'_>) -> Result<()> {
        diesel::sql_query("INSERT INTO `_prisma_migrations` (`id`, `checksum`, `started_at`, `migration_name`, `logs`, `applied_steps_count`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(`id`) DO UPDATE SET `logs` = excluded.`logs`, `applied_steps_count` = excluded.`applied_steps_count`")
            .bind::<Text, _>(f.id)
            .bind::<Text, _>(f.checksum)
            .bind::<BigInt, _>(f.started_at.timestamp_millis())
            .bind::<Text, _>(f.name)
            .bind::<Text, _>(f.logs)
            .bind::<BigInt, _>(i64::try_from(f.steps).unwrap_or(i64::MAX))
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.conn
    }

    pub fn mark_rolled_back(&mut self, ids: &[String], at: DateTime<Utc>) -> Result<()> {
        for id in ids {
            diesel::sql_query(
                "UPDATE `_prisma_migrations` SET `rolled_back_at` = ? WHERE `id` = ?",
            )
            .bind::<BigInt, _>(at.timestamp_millis())
            .bind::<Text, _>(id)
            .execute(self.conn)
            .map_err(Error::from)?;
        }
        Ok(())
    }

    pub fn resolve_applied(
        &mut self,
        roll_back: &[String],
        id: &str,
        checksum: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.transaction(|conn| {
            let mut store = SqliteStore::new(conn);
            store.mark_rolled_back(roll_back, now)?;
            let ms = now.timestamp_millis();
            diesel::sql_query("INSERT INTO `_prisma_migrations` (`id`, `checksum`, `logs`, `started_at`, `finished_at`, `migration_name`) VALUES (?, ?, ?, ?, ?, ?)")
                .bind::<Text, _>(id)
                .bind::<Text, _>(checksum)
                .bind::<Text, _>("")
                .bind::<BigInt, _>(ms)
                .bind::<BigInt, _>(ms)
                .bind::<Text, _>(name)
                .execute(store.conn)
                .map(drop)
                .map_err(Error::from)
        })
    }
}

repair_ops!(
    SqliteStore,
    quote = "`",
    params = ["?", "?", "?"],
    timestamp = BigInt,
    bind_at = |at| at.timestamp_millis(),
    backup_ddl = super::schema::SQLITE_BACKUP_DDL
);

#[cfg(test)]
mod tests {
    use super::*;

    // §1.3: INTEGER epoch ms (fixture value 1607009338225) and older TEXT forms.
    #[test]
    fn reads_every_timestamp_form() {
        let ms = parse_timestamp("1607009338225").unwrap();
        assert_eq!(ms.to_string(), "2020-12-03 15:28:58.225 UTC");
        assert_eq!(parse_timestamp("1607009338225.0"), Some(ms));
        assert_eq!(parse_timestamp("2020-12-03 15:28:58.225"), Some(ms));
        assert_eq!(parse_timestamp("2020-12-03T15:28:58.225Z"), Some(ms));
        assert_eq!(
            parse_timestamp("Thu, 03 Dec 2020 15:28:58 +0000")
                .unwrap()
                .to_string(),
            "2020-12-03 15:28:58 UTC"
        );
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
