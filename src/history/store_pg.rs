//! `_prisma_migrations` on PostgreSQL: typed Diesel queries, timestamps as `timestamptz`
//! with microseconds (§1.3).

use super::record::MigrationRecord;
use super::schema::{_prisma_migrations as t, POSTGRES_DDL};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Bool;

type Row = (
    String,
    String,
    Option<DateTime<Utc>>,
    String,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    i32,
);

#[derive(QueryableByName)]
struct Missing {
    #[diesel(sql_type = Bool)]
    missing: bool,
}

/// The history table on one PostgreSQL connection.
pub struct PgStore<'c> {
    conn: &'c mut PgConnection,
}

impl<'c> PgStore<'c> {
    pub fn new(conn: &'c mut PgConnection) -> Self {
        PgStore { conn }
    }

    /// All rows by `started_at`; `None` when the table does not exist. `logs` is not read,
    /// as the engine does not read it either (§1.6).
    /// All rows by `started_at`; an error when the table cannot be read.
    pub fn rows(&mut self) -> Result<Vec<MigrationRecord>> {
        // Row by row (libpq's single-row mode): a history of thousands of rows is never held
        // twice, once by libpq and once here.
        let rows = t::table
            .select((
                t::id,
                t::checksum,
                t::finished_at,
                t::migration_name,
                t::rolled_back_at,
                t::started_at,
                t::applied_steps_count,
            ))
            .order(t::started_at.asc())
            .load_iter::<Row, diesel::pg::PgRowByRowLoadingMode>(self.conn)
            .and_then(|iter| {
                iter.map(|r| {
                    r.map(|r| MigrationRecord {
                        id: r.0,
                        checksum: r.1,
                        finished_at: r.2,
                        migration_name: r.3,
                        rolled_back_at: r.4,
                        started_at: r.5,
                        applied_steps_count: i64::from(r.6),
                    })
                })
                .collect::<diesel::QueryResult<Vec<_>>>()
            });
        rows.map_err(Error::from)
    }

    pub fn table_exists(&mut self) -> Result<bool> {
        let missing =
            diesel::sql_query("SELECT to_regclass('_prisma_migrations') IS NULL AS missing")
                .get_result::<Missing>(self.conn)
                .map_err(Error::from)?;
        Ok(!missing.missing)
    }

    /// Prisma's exact DDL (§1.2).
    pub fn create_table(&mut self) -> Result<()> {
        self.conn.batch_execute(POSTGRES_DDL).map_err(Error::from)
    }

    /// Deploy success: one step applied and the finish time, in one statement (Prisma sends
    /// two; the end state is the same and no crash can leave only half of it).
    pub fn mark_finished(&mut self, id: &str, finished_at: DateTime<Utc>) -> Result<()> {
        diesel::update(t::table.filter(t::id.eq(id)))
            .set((
                t::applied_steps_count.eq(t::applied_steps_count + 1),
                t::finished_at.eq(finished_at),
            ))
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    pub fn record_failure(&mut self, f: &super::store::Failure<'_>) -> Result<()> {
        let steps = i32::try_from(f.steps).unwrap_or(i32::MAX);
        diesel::insert_into(t::table)
            .values((
                t::id.eq(f.id),
                t::checksum.eq(f.checksum),
                t::started_at.eq(f.started_at),
                t::migration_name.eq(f.name),
                t::logs.eq(f.logs),
                t::applied_steps_count.eq(steps),
            ))
            .on_conflict(t::id)
            .do_update()
            .set((t::logs.eq(f.logs), t::applied_steps_count.eq(steps)))
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        self.conn
    }

    pub fn mark_rolled_back(&mut self, ids: &[String], at: DateTime<Utc>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        diesel::update(t::table.filter(t::id.eq_any(ids)))
            .set(t::rolled_back_at.eq(at))
            .execute(self.conn)
            .map(drop)
            .map_err(Error::from)
    }

    /// `resolve --applied`: rolls back the failed rows and inserts the applied row
    /// (`logs = ''`, `started_at = finished_at`, 0 steps), in one transaction.
    pub fn resolve_applied(
        &mut self,
        roll_back: &[String],
        id: &str,
        checksum: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.transaction(|conn| {
            let mut store = PgStore::new(conn);
            store.mark_rolled_back(roll_back, now)?;
            diesel::insert_into(t::table)
                .values((
                    t::id.eq(id),
                    t::checksum.eq(checksum),
                    t::logs.eq(""),
                    t::started_at.eq(now),
                    t::finished_at.eq(now),
                    t::migration_name.eq(name),
                ))
                .execute(store.conn)
                .map(drop)
                .map_err(Error::from)
        })
    }
}

repair_ops!(
    PgStore,
    quote = "",
    params = ["$1", "$2", "$3"],
    timestamp = diesel::sql_types::Timestamptz,
    bind_at = |at| at,
    backup_ddl = super::schema::POSTGRES_BACKUP_DDL
);
