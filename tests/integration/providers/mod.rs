//! The core scenarios written once and run against every provider (§4–§6): the same
//! commands, rows and texts wherever Prisma has them the same, and each provider's own
//! differences where Prisma has those.

mod backends;
pub mod scenarios;

#[cfg(feature = "mysql")]
pub use backends::{mysql_admin, Mysql};
pub use backends::{Backend, Postgres, Sqlite};

/// Instantiates every scenario for one backend.
macro_rules! provider_suite {
    ($module:ident, $backend:ty) => {
        mod $module {
            use super::scenarios;
            type B = $backend;
            #[test]
            fn deploy_status_and_pending() {
                scenarios::deploy_status_and_pending::<B>();
            }
            #[test]
            fn failure_rollback_and_redeploy() {
                scenarios::failure_rollback_and_redeploy::<B>();
            }
            #[test]
            fn hotfix_with_resolve_applied() {
                scenarios::hotfix_with_resolve_applied::<B>();
            }
            #[test]
            fn resolve_errors() {
                scenarios::resolve_errors::<B>();
            }
            #[test]
            fn baseline_a_non_empty_database() {
                scenarios::baseline_a_non_empty_database::<B>();
            }
            #[test]
            fn unmanaged_then_zero_migrations() {
                scenarios::unmanaged_then_zero_migrations::<B>();
            }
            #[test]
            fn lockfile_of_another_provider() {
                scenarios::lockfile_of_another_provider::<B>();
            }
            #[test]
            fn edited_and_missing_locally() {
                scenarios::edited_and_missing_locally::<B>();
            }
            #[test]
            fn concurrent_deploys() {
                scenarios::concurrent_deploys::<B>();
            }
            #[test]
            fn missing_database() {
                scenarios::missing_database::<B>();
            }
            #[test]
            fn repair_baseline() {
                scenarios::repair_baseline::<B>();
            }
            #[test]
            fn repair_baseline_refuses_failed() {
                scenarios::repair_baseline_refuses_failed::<B>();
            }
            #[test]
            fn sync_explains_and_its_commands_work() {
                scenarios::sync_explains_and_its_commands_work::<B>();
            }
            #[test]
            fn fix_failed_migrations() {
                scenarios::fix_failed_migrations::<B>();
            }
            #[test]
            fn fix_edited_and_checksums() {
                scenarios::fix_edited_and_checksums::<B>();
            }
            #[test]
            fn fix_missing_renamed_and_duplicates() {
                scenarios::fix_missing_renamed_and_duplicates::<B>();
            }
            #[test]
            fn empty_migration() {
                scenarios::empty_migration::<B>();
            }
        }
    };
}

provider_suite!(postgres, super::Postgres);
provider_suite!(sqlite, super::Sqlite);
#[cfg(feature = "mysql")]
provider_suite!(mysql, super::Mysql);
