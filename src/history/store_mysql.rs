//! `_prisma_migrations` on MySQL/MariaDB: UTC wall-clock `DATETIME(3)` (§1.3).

use super::record::MigrationRecord;
use super::schema::MYSQL_DDL;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::mysql::MysqlConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Datetime, Nullable, Text};

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    checksum: String,
    #[diesel(sql_type = Nullable<Datetime>)]
    finished_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Text)]
    migration_name: String,
    #[diesel(sql_type = Nullable<Datetime>)]
    rolled_back_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Datetime)]
    started_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    applied_steps_count: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Prisma writes the UTC components; the server keeps milliseconds.
fn utc(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

pub struct MysqlStore<'c> {
    conn: &'c mut MysqlConnection,
}

impl<'c> MysqlStore<'c> {
    pub fn new(conn: &'c mut MysqlConnection) -> Self {
        MysqlStore { conn }
    }

    /// All rows by `started_at`; an error when the table cannot be read.
    pub fn rows(&mut self) -> Result<Vec<MigrationRecord>> {
        let rows = diesel::sql_query(
            "SELECT `id`, `checksum`, `finished_at`, `migration_name`, `rolled_back_at`, `started_at`, CAST(`applied_steps_count` AS SIGNED) AS `applied_steps_count` FROM `_prisma_migrations` ORDER BY `started_at` ASC",
        )
        .load::<Row>(self.conn);
        rows.map_err(Error::from).map(|rows| {
            rows.into_iter()
                .map(|r| MigrationRecord {
                    id: r.id,
                    checksum: r.checksum,
                    finished_at: r.finished_at.map(|t| t.and_utc()),
                    migration_name: r.migration_name,
                    rolled_back_at: r.rolled_back_at.map(|t| t.and_utc()),
                    started_at: r.started_at.and_utc(),
                    applied_steps_count: r.applied_steps_count,
                })
                .collect()
        })
    }

    pub fn table_exists(&mut self) -> Result<bool> {
        let exists = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_prisma_migrations'",
        )
        .get_result::<Count>(self.conn)
        .map_err(Error::from)?;
        Ok(exists.n > 0)
    }

    pub fn create_table(&mut self) -> Result<()> {
        self.conn.batch_execute(MYSQL_DDL).map_err(Error::from)
    }

    pub fn mark_finished(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        diesel::sql_query("UPDATE `_prisma_migrations` SET `applied_steps_count` = (`applied_steps_count` + 1), `finished_at` = ? WHERE `id` = ?")
            .bind::<Datetime, _>(utc(at))
            .bind::<Text, _>(id)
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    pub fn record_failure(&mut self, f: &super::store::Failure<'_>) -> Result<()> {
        diesel::sql_query("INSERT INTO `_prisma_migrations` (`id`, `checksum`, `started_at`, `migration_name`, `logs`, `applied_steps_count`) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE `logs` = VALUES(`logs`), `applied_steps_count` = VALUES(`applied_steps_count`)")
            .bind::<Text, _>(f.id)
            .bind::<Text, _>(f.checksum)
            .bind::<Datetime, _>(utc(f.started_at))
            .bind::<Text, _>(f.name)
            .bind::<Text, _>(f.logs)
            .bind::<BigInt, _>(i64::try_from(f.steps).unwrap_or(i64::MAX))
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    pub fn conn(&mut self) -> &mut MysqlConnection {
        self.conn
    }

    pub fn mark_rolled_back(&mut self, ids: &[String], at: DateTime<Utc>) -> Result<()> {
        for id in ids {
            diesel::sql_query(
                "UPDATE `_prisma_migrations` SET `rolled_back_at` = ? WHERE `id` = ?",
            )
            .bind::<Datetime, _>(utc(at))
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
            let mut store = MysqlStore::new(conn);
            store.mark_rolled_back(roll_back, now)?;
            diesel::sql_query("INSERT INTO `_prisma_migrations` (`id`, `checksum`, `logs`, `started_at`, `finished_at`, `migration_name`) VALUES (?, ?, ?, ?, ?, ?)")
                .bind::<Text, _>(id)
                .bind::<Text, _>(checksum)
                .bind::<Text, _>("")
                .bind::<Datetime, _>(utc(now))
                .bind::<Datetime, _>(utc(now))
                .bind::<Text, _>(name)
                .execute(store.conn)
                .map(drop)
                .map_err(Error::from)
        })
    }
}

repair_ops!(
    MysqlStore,
    quote = "`",
    params = ["?", "?", "?"],
    timestamp = Datetime,
    bind_at = |at| utc(at),
    backup_ddl = super::schema::MYSQL_BACKUP_DDL
);
