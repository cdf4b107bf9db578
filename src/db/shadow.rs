//! What `migrate diff` and `status --drift` need of a database besides deploy's path: its
//! schema (`describe`) and a temporary shadow database, created with a random name and
//! dropped afterwards (a temporary file on SQLite).

use super::{Database, Target};
use crate::drift::{Flavour, Schema};
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use diesel::Connection;

impl Database {
    /// The schema the drift summary compares: the URL's schema (PostgreSQL: and the
    /// datasource's `schemas`), without `_prisma_migrations`.
    pub fn describe(&mut self, schemas: &[String]) -> Result<Schema> {
        match self {
            Database::Postgres(db) => {
                let mut namespaces = vec![db.schema().to_owned()];
                namespaces.extend(schemas.iter().filter(|s| **s != db.schema()).cloned());
                super::introspect_pg::describe(db.conn(), &namespaces)
            }
            Database::Sqlite(db) => super::introspect_sqlite::describe(db.conn()),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                let name = db.database().to_owned();
                super::introspect_mysql::describe(db.conn(), &name)
            }
        }
    }

    /// Which comparison rules apply (MariaDB renames indexes differently from MySQL).
    pub fn flavour(&mut self) -> Result<Flavour> {
        Ok(match self {
            Database::Postgres(_) => Flavour::Postgres,
            Database::Sqlite(_) => Flavour::Sqlite,
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                if super::introspect_mysql::is_mariadb(db.conn())? {
                    Flavour::Mariadb
                } else {
                    Flavour::Mysql
                }
            }
        })
    }
}

/// A database prismig created for one diff; `drop_now` (or dropping the value) removes it.
pub struct TemporaryDatabase {
    pub target: Target,
    dropped: bool,
}

/// PM7003: the shadow database could not be created.
fn creation_refused(detail: impl std::fmt::Display) -> Error {
    Error::own(
        "PM7003",
        format!("could not create a temporary shadow database to replay the migrations into ({detail}); give an empty database the user may use with --shadow-database-url (or `shadowDatabaseUrl` in the datasource)"),
    )
}

impl TemporaryDatabase {
    /// Creates an empty database next to `like` (same server and credentials) with a
    /// random name, or a new temporary file for SQLite.
    pub fn create(like: &Target) -> Result<(TemporaryDatabase, Database)> {
        let suffix = crate::history::new_id()?.replace('-', "");
        let name = format!("prismig_shadow_{}", &suffix[..16]);
        let target = match like {
            Target::Postgres(url) => Target::Postgres(Box::new(url.with_database(&name))),
            Target::Sqlite(_) => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                let url = format!("file:{}", path.display());
                Target::Sqlite(crate::dburl::SqliteUrl::parse(&url, &std::env::temp_dir())?)
            }
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => {
                let mut url = url.as_ref().clone();
                url.database = name.clone();
                Target::Mysql(Box::new(url))
            }
        };
        if let Target::Sqlite(url) = &target {
            // Created exclusively and private, as every file prismig writes; SQLite takes
            // an empty file as an empty database.
            crate::files::create_new(url.path())
                .map_err(|e| creation_refused(format!("{}: {e}", url.path().display())))?;
            let db = Database::connect(&target)?;
            return Ok((
                TemporaryDatabase {
                    target,
                    dropped: false,
                },
                db,
            ));
        }
        let db = match Database::create(&target) {
            Ok((db, _)) => db,
            Err(
                e @ (Error::DatabaseCreationFailed { .. }
                | Error::AccessDenied { .. }
                | Error::Own { .. }),
            ) => return Err(creation_refused(e)),
            Err(e) => return Err(e),
        };
        let mut db = db;
        if let (Database::Postgres(pg), Target::Postgres(url)) = (&mut db, &target) {
            // A scratch database needs no durability: without a flush per commit the replay
            // costs what the scripts cost. Scripts run on sessions opened after this, which
            // take the database's setting; nothing they mean changes.
            let _ = pg.conn().batch_execute(&format!(
                "ALTER DATABASE {} SET synchronous_commit = off; SET synchronous_commit = off",
                crate::dburl::quote_ident(url.database())
            ));
        }
        Ok((
            TemporaryDatabase {
                target,
                dropped: false,
            },
            db,
        ))
    }

    /// Drops the database (after every connection to it is closed).
    pub fn drop_now(&mut self) -> Result<()> {
        if self.dropped {
            return Ok(());
        }
        self.dropped = true;
        match &self.target {
            Target::Postgres(url) => {
                let name = url.database().to_owned();
                for admin in ["postgres", "template1", "defaultdb"] {
                    if let Ok(mut c) =
                        diesel::pg::PgConnection::establish(&url.with_database(admin).conninfo()?)
                    {
                        return c
                            .batch_execute(&format!(
                                "DROP DATABASE IF EXISTS {}",
                                crate::dburl::quote_ident(&name)
                            ))
                            .map_err(|e| Error::Database(e.to_string()));
                    }
                }
                Err(Error::Database(format!(
                    "could not connect to drop the temporary database {name}"
                )))
            }
            Target::Sqlite(url) => {
                let path = url.path().to_owned();
                for p in [
                    path.clone(),
                    path.with_extension("db-journal"),
                    path.with_extension("db-wal"),
                    path.with_extension("db-shm"),
                ] {
                    let _ = std::fs::remove_file(p);
                }
                Ok(())
            }
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => {
                let mut c = diesel::mysql::MysqlConnection::establish(&url.diesel_url(None))
                    .map_err(|e| Error::Database(e.to_string()))?;
                c.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS `{}`",
                    url.database.replace('`', "``")
                ))
                .map_err(|e| Error::Database(e.to_string()))
            }
        }
    }
}

impl Drop for TemporaryDatabase {
    fn drop(&mut self) {
        let _ = self.drop_now();
    }
}
