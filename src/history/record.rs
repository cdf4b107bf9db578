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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    // §1.1 and §4.4: `finished_at` is set when the script succeeded (or by `resolve
    // --applied`), `rolled_back_at` by `resolve --rolled-back`; a row is failed iff it has
    // neither. Each row: finished, rolled back, then is_failed, is_finished, is_rolled_back.
    #[test]
    fn the_four_states_of_a_row() {
        let at = Utc.with_ymd_and_hms(2024, 1, 1, 10, 0, 0).unwrap();
        for (finished, rolled_back, failed, is_finished, is_rolled_back, rule) in [
            (false, false, true, false, false, "neither: failed (P3009)"),
            (true, false, false, true, false, "applied: not failed"),
            (false, true, false, false, true, "rolled back: not failed"),
            (
                true,
                true,
                false,
                true,
                true,
                "applied, then rolled back: not failed",
            ),
        ] {
            let row = MigrationRecord {
                id: "00000000-0000-4000-8000-000000000000".to_owned(),
                checksum: String::new(),
                finished_at: finished.then_some(at),
                migration_name: "20240101000000_init".to_owned(),
                rolled_back_at: rolled_back.then_some(at),
                started_at: at,
                applied_steps_count: 0,
            };
            assert_eq!(row.is_failed(), failed, "is_failed: {rule}");
            assert_eq!(row.is_finished(), is_finished, "is_finished: {rule}");
            assert_eq!(
                row.is_rolled_back(),
                is_rolled_back,
                "is_rolled_back: {rule}"
            );
        }
    }
}
