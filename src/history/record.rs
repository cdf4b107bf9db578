//! One `_prisma_migrations` row (§1.1). Pure.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct MigrationRecord {
    pub id: String,
    pub checksum: String,
    pub finished_at: Option<DateTime<Utc>>,
    pub migration_name: String,
    pub rolled_back_at: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub applied_steps_count: i64,
}

impl MigrationRecord {
    /// §4.4: a row is failed iff it neither finished nor was rolled back.
    pub fn is_failed(&self) -> bool {
        self.finished_at.is_none() && self.rolled_back_at.is_none()
    }

    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }

    pub fn is_rolled_back(&self) -> bool {
        self.rolled_back_at.is_some()
    }
}
