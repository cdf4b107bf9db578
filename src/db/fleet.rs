//! What a fleet asks of the servers: the schemas (or MySQL databases) a pattern can match,
//! how many connections each server still accepts, and, on MySQL, Prisma's server-wide
//! lock held for the whole run. Also the switch that tells a target's lock, on the worker
//! thread that runs it, to take the fleet's keys (ARCHITECTURE.md, "Fleets").

use super::{PgDatabase, Target};
use crate::error::{Error, Result};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use std::cell::Cell;

thread_local! {
    static IN_FLEET: Cell<bool> = const { Cell::new(false) };
}

/// Whether the command on this thread runs as a fleet target.
pub fn in_fleet() -> bool {
    IN_FLEET.with(Cell::get)
}

/// While alive, the migration lock taken on this thread is the fleet's.
pub struct FleetScope(());

pub fn enter() -> FleetScope {
    IN_FLEET.with(|f| f.set(true));
    FleetScope(())
}

impl Drop for FleetScope {
    fn drop(&mut self) {
        IN_FLEET.with(|f| f.set(false));
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// PostgreSQL: the schemas of the URL's database (not the system ones); MySQL: the
/// databases of the server (not the system ones). Sorted by name.
pub fn namespaces(target: &Target) -> Result<Vec<String>> {
    match target {
        Target::Postgres(url) => {
            let mut db = PgDatabase::connect_read_only(url)?;
            let rows = diesel::sql_query(
                "SELECT nspname::text AS name FROM pg_namespace \
                 WHERE nspname NOT IN ('information_schema', 'pg_catalog', 'pg_toast') \
                 AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%' \
                 ORDER BY nspname COLLATE \"C\"",
            )
            .load::<Name>(db.conn())
            .map_err(Error::from)?;
            Ok(rows.into_iter().map(|r| r.name).collect())
        }
        Target::Sqlite(_) => Ok(Vec::new()),
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => {
            let mut conn = mysql_server(url)?;
            let rows = diesel::sql_query(
                "SELECT CAST(SCHEMA_NAME AS CHAR) AS name FROM information_schema.SCHEMATA \
                 WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') \
                 ORDER BY SCHEMA_NAME",
            )
            .load::<Name>(&mut conn)
            .map_err(Error::from)?;
            Ok(rows.into_iter().map(|r| r.name).collect())
        }
    }
}

/// The connections the target's server still accepts: PostgreSQL `max_connections` minus
/// the client backends minus the reserved slots; MySQL `max_connections` minus
/// `Threads_connected`. `None` when the server cannot be asked (the target then fails on
/// its own, with its own error).
pub fn free_connections(target: &Target) -> Option<usize> {
    let n = match target {
        Target::Postgres(url) => {
            let mut db = PgDatabase::connect_read_only(url).ok()?;
            diesel::sql_query(
                "SELECT (current_setting('max_connections')::bigint \
                 - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') \
                 - current_setting('superuser_reserved_connections')::bigint \
                 - COALESCE(current_setting('reserved_connections', true)::bigint, 0)) AS n",
            )
            .get_result::<Count>(db.conn())
            .ok()?
            .n
        }
        Target::Sqlite(_) => return None,
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => {
            let mut conn = mysql_server(url).ok()?;
            let max = diesel::sql_query("SELECT CAST(@@max_connections AS SIGNED) AS n")
                .get_result::<Count>(&mut conn)
                .ok()?
                .n;
            #[derive(QueryableByName)]
            struct Status {
                #[diesel(sql_type = Text, column_name = "Value")]
                value: String,
            }
            let used: i64 = diesel::sql_query("SHOW GLOBAL STATUS LIKE 'Threads_connected'")
                .get_result::<Status>(&mut conn)
                .ok()?
                .value
                .parse()
                .ok()?;
            max - used
        }
    };
    Some(usize::try_from(n).unwrap_or(0))
}

/// Which server a target is on (its free connections are counted once per server).
pub fn server_key(target: &Target) -> String {
    match target {
        Target::Postgres(url) => url.header_location(),
        Target::Sqlite(url) => url.location().to_owned(),
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => url.header_location(),
    }
}

#[cfg(feature = "mysql")]
fn mysql_server(url: &crate::dburl::MysqlUrl) -> Result<diesel::mysql::MysqlConnection> {
    use diesel::Connection;
    diesel::mysql::MysqlConnection::establish(&url.diesel_url(None)).map_err(|e| match e {
        diesel::ConnectionError::BadConnection(m) => super::mysql::classify_connect_error(url, &m),
        other => Error::InvalidUrl {
            details: other.to_string(),
        },
    })
}

/// MySQL: `GET_LOCK('prisma_migrate')` held on each server of the fleet for the whole run,
/// so that a Prisma deploy (or a single prismig deploy) started meanwhile waits for it, while
/// the targets take `prisma_migrate:<db>` each. Released when dropped (closing the session
/// frees it too). PostgreSQL needs nothing here: its targets take Prisma's key shared.
#[derive(Default)]
pub struct ServerLocks {
    #[cfg(feature = "mysql")]
    held: Vec<diesel::mysql::MysqlConnection>,
}

impl ServerLocks {
    /// Takes the lock on the server of each MySQL target, once per server, waiting up to
    /// `timeout` as a single deploy does; on a timeout, P1002 with `strict`, else (Prisma's
    /// behaviour) the fleet goes on without it and the targets' own locks still apply.
    #[cfg_attr(
        not(feature = "mysql"),
        expect(unused_variables, reason = "only MySQL servers are locked")
    )]
    pub fn take(
        targets: &[Target],
        timeout: std::time::Duration,
        strict: bool,
    ) -> Result<ServerLocks> {
        #[cfg_attr(
            not(feature = "mysql"),
            expect(unused_mut, reason = "only MySQL servers are locked")
        )]
        let mut locks = ServerLocks::default();
        #[cfg(feature = "mysql")]
        {
            let mut seen = std::collections::HashSet::new();
            for target in targets {
                let Target::Mysql(url) = target else { continue };
                if url.planetscale || !seen.insert(server_key(target)) {
                    continue;
                }
                let mut conn = mysql_server(url)?;
                let secs = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
                let got = diesel::sql_query(format!(
                    "SELECT CAST(COALESCE(GET_LOCK('prisma_migrate', {secs}), 0) AS SIGNED) AS n"
                ))
                .get_result::<Count>(&mut conn)
                .map_err(Error::from)?
                .n;
                if got == 1 {
                    locks.held.push(conn);
                } else if strict {
                    return Err(Error::Timeout {
                        context: format!("Timed out trying to acquire a MySQL lock (SELECT GET_LOCK('prisma_migrate', {secs})). Timeout: {}ms.", timeout.as_millis()),
                        holder: None,
                    });
                }
            }
        }
        Ok(locks)
    }
}

impl Drop for ServerLocks {
    fn drop(&mut self) {
        #[cfg(feature = "mysql")]
        for conn in &mut self.held {
            let _ = diesel::sql_query("SELECT CAST(RELEASE_LOCK('prisma_migrate') AS SIGNED) AS n")
                .get_result::<Count>(conn);
        }
    }
}
