//! The statements of `fix` and `--undo` (and the row deletion they share): the same on every provider but for placeholders
//! (`$1` or `?`), quoting and the type a timestamp is bound as, so they are written once.

/// The columns `_prisma_migrations` and `_prisma_migrations_backup` share, in order.
macro_rules! columns {
    () => {
        "id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count"
    };
}

macro_rules! repair_ops {
    (
        $store:ident,
        quote = $q:literal,
        params = [$p1:literal, $p2:literal, $p3:literal],
        timestamp = $ts:ty,
        bind_at = |$at:ident| $bound:expr,
        backup_ddl = $ddl:expr
    ) => {
        impl $store<'_> {
            /// `--undo` of inserted rows, and the second half of an archive.
            pub fn delete_rows(&mut self, ids: &[String]) -> Result<()> {
                for id in ids {
                    diesel::sql_query(concat!(
                        "DELETE FROM ",
                        $q,
                        "_prisma_migrations",
                        $q,
                        " WHERE id = ",
                        $p1
                    ))
                    .bind::<diesel::sql_types::Text, _>(id)
                    .execute(self.conn)
                    .map_err(Error::from)?;
                }
                Ok(())
            }

            /// `fix`: the stored checksum becomes the file's.
            pub fn set_checksum(&mut self, id: &str, checksum: &str) -> Result<()> {
                diesel::sql_query(concat!(
                    "UPDATE ",
                    $q,
                    "_prisma_migrations",
                    $q,
                    " SET checksum = ",
                    $p1,
                    " WHERE id = ",
                    $p2
                ))
                .bind::<diesel::sql_types::Text, _>(checksum)
                .bind::<diesel::sql_types::Text, _>(id)
                .execute(self.conn)
                .map(drop)
                .map_err(Error::from)
            }

            /// `fix`: a row follows its renamed folder.
            pub fn set_name(&mut self, id: &str, name: &str) -> Result<()> {
                diesel::sql_query(concat!(
                    "UPDATE ",
                    $q,
                    "_prisma_migrations",
                    $q,
                    " SET migration_name = ",
                    $p1,
                    " WHERE id = ",
                    $p2
                ))
                .bind::<diesel::sql_types::Text, _>(name)
                .bind::<diesel::sql_types::Text, _>(id)
                .execute(self.conn)
                .map(drop)
                .map_err(Error::from)
            }

            /// `--undo` of a "mark rolled back".
            pub fn clear_rolled_back(&mut self, id: &str) -> Result<()> {
                diesel::sql_query(concat!(
                    "UPDATE ",
                    $q,
                    "_prisma_migrations",
                    $q,
                    " SET rolled_back_at = NULL WHERE id = ",
                    $p1
                ))
                .bind::<diesel::sql_types::Text, _>(id)
                .execute(self.conn)
                .map(drop)
                .map_err(Error::from)
            }

            /// `baseline --undo` of a baseline that created the table: without it deploy
            /// stops again with P3005 on a database that has a schema.
            pub fn drop_table(&mut self) -> Result<()> {
                self.conn
                    .batch_execute(concat!("DROP TABLE ", $q, "_prisma_migrations", $q))
                    .map_err(Error::from)
            }

            pub fn create_backup_table(&mut self) -> Result<()> {
                self.conn.batch_execute($ddl).map_err(Error::from)
            }

            /// Moves one row to `_prisma_migrations_backup`, its stored values unchanged.
            pub fn archive(&mut self, id: &str, batch: &str, $at: DateTime<Utc>) -> Result<()> {
                diesel::sql_query(concat!(
                    "INSERT INTO ",
                    $q,
                    "_prisma_migrations_backup",
                    $q,
                    " (",
                    columns!(),
                    ", archived_at, archived_by) SELECT ",
                    columns!(),
                    ", ",
                    $p1,
                    ", ",
                    $p2,
                    " FROM ",
                    $q,
                    "_prisma_migrations",
                    $q,
                    " WHERE id = ",
                    $p3
                ))
                .bind::<$ts, _>($bound)
                .bind::<diesel::sql_types::Text, _>(batch)
                .bind::<diesel::sql_types::Text, _>(id)
                .execute(self.conn)
                .map_err(Error::from)?;
                self.delete_rows(&[id.to_owned()])
            }

            /// `--undo` of an archive: the rows of `batch` go back (unless their id is in
            /// use again).
            pub fn restore_archived(&mut self, batch: &str) -> Result<()> {
                diesel::sql_query(concat!(
                    "INSERT INTO ",
                    $q,
                    "_prisma_migrations",
                    $q,
                    " (",
                    columns!(),
                    ") SELECT ",
                    columns!(),
                    " FROM ",
                    $q,
                    "_prisma_migrations_backup",
                    $q,
                    " b WHERE b.archived_by = ",
                    $p1,
                    " AND NOT EXISTS (SELECT 1 FROM ",
                    $q,
                    "_prisma_migrations",
                    $q,
                    " m WHERE m.id = b.id)"
                ))
                .bind::<diesel::sql_types::Text, _>(batch)
                .execute(self.conn)
                .map_err(Error::from)?;
                diesel::sql_query(concat!(
                    "DELETE FROM ",
                    $q,
                    "_prisma_migrations_backup",
                    $q,
                    " WHERE archived_by = ",
                    $p1
                ))
                .bind::<diesel::sql_types::Text, _>(batch)
                .execute(self.conn)
                .map(drop)
                .map_err(Error::from)
            }
        }
    };
}
