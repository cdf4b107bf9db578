//! `_prisma_migrations` as Prisma creates it (§1.2), for typed queries.

/// The exact PostgreSQL DDL the schema engine sends (§1.2), byte for byte.
pub const POSTGRES_DDL: &str = "CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
";

diesel::table! {
    /// Prisma's migration history table.
    _prisma_migrations (id) {
        id -> Varchar,
        checksum -> Varchar,
        finished_at -> Nullable<Timestamptz>,
        migration_name -> Varchar,
        logs -> Nullable<Text>,
        rolled_back_at -> Nullable<Timestamptz>,
        started_at -> Timestamptz,
        applied_steps_count -> Integer,
    }
}

/// The exact SQLite DDL (§1.2).
pub const SQLITE_DDL: &str = "CREATE TABLE \"_prisma_migrations\" (
    \"id\"                    TEXT PRIMARY KEY NOT NULL,
    \"checksum\"              TEXT NOT NULL,
    \"finished_at\"           DATETIME,
    \"migration_name\"        TEXT NOT NULL,
    \"logs\"                  TEXT,
    \"rolled_back_at\"        DATETIME,
    \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,
    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);
";

/// The exact MySQL DDL (§1.2).
#[cfg(feature = "mysql")]
pub const MYSQL_DDL: &str = "CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
";

pub const POSTGRES_BACKUP_DDL: &str = "CREATE TABLE IF NOT EXISTS _prisma_migrations_backup (
    id                      VARCHAR(36) NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL,
    applied_steps_count     INTEGER NOT NULL,
    archived_at             TIMESTAMPTZ NOT NULL,
    archived_by             TEXT NOT NULL
);
";

pub const SQLITE_BACKUP_DDL: &str = "CREATE TABLE IF NOT EXISTS \"_prisma_migrations_backup\" (
    \"id\"                    TEXT NOT NULL,
    \"checksum\"              TEXT NOT NULL,
    \"finished_at\"           DATETIME,
    \"migration_name\"        TEXT NOT NULL,
    \"logs\"                  TEXT,
    \"rolled_back_at\"        DATETIME,
    \"started_at\"            DATETIME NOT NULL,
    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL,
    \"archived_at\"           DATETIME NOT NULL,
    \"archived_by\"           TEXT NOT NULL
);
";

#[cfg(feature = "mysql")]
pub const MYSQL_BACKUP_DDL: &str = "CREATE TABLE IF NOT EXISTS _prisma_migrations_backup (
    id                      VARCHAR(36) NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL,
    applied_steps_count     INTEGER UNSIGNED NOT NULL,
    archived_at             DATETIME(3) NOT NULL,
    archived_by             VARCHAR(255) NOT NULL
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
";
