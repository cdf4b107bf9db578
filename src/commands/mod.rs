//! The use cases. Policy lives here; printing does not: commands emit events and return
//! the exit code or an error.

mod deploy;
mod resolve;
mod status;

pub use deploy::deploy;
pub use resolve::{resolve, ResolveTarget};
pub use status::status;

use crate::config::Project;
use crate::db::PgDatabase;
use crate::dburl::{PgUrl, Provider};
use crate::error::{Error, Result};
use crate::event::{Event, Reporter};
use std::time::Duration;

/// Settings shared by the commands.
pub struct Context<'r> {
    pub project: Project,
    pub reporter: &'r mut dyn Reporter,
    pub lock_timeout: Duration,
}

impl Context<'_> {
    fn emit(&mut self, event: Event) {
        self.reporter.report(event);
    }

    /// Prisma's header lines (§8.4), then the parsed URL (or its P1013 error).
    fn announce(&mut self) -> Result<PgUrl> {
        if let Some(path) = self.project.config_display.clone() {
            self.emit(Event::ConfigLoaded { path });
        }
        for message in self.project.notices.clone() {
            self.emit(Event::Warning { message });
        }
        if !self.project.env_files.is_empty() {
            let paths = self.project.env_files.clone();
            self.emit(Event::EnvLoaded { paths });
        }
        if let Some(path) = self.project.schema_display.clone() {
            self.emit(Event::SchemaLoaded { path });
        }
        if self.project.provider != Provider::Postgres {
            return Err(Error::own(
                "PM1002",
                format!(
                    "the {} provider is not supported yet; prismig supports PostgreSQL",
                    self.project.provider.lock_name()
                ),
            ));
        }
        let parsed =
            PgUrl::parse(&self.project.url).map(|u| u.with_base_dir(&self.project.base_dir));
        if parsed.as_ref().is_ok_and(PgUrl::pgbouncer) {
            self.emit(Event::Warning {
                message: "the URL has pgbouncer=true: the migration lock is a session-level advisory lock, which a transaction-mode pooler does not keep; set `directUrl` (or pass --url) to a direct connection for migrations".to_owned(),
            });
        }
        let description = match &parsed {
            Ok(url) => {
                let schemas = if self.project.schemas.is_empty() {
                    format!("schema \"{}\"", url.schema())
                } else {
                    format!("schemas \"{}\"", self.project.schemas.join(", "))
                };
                format!(
                    "PostgreSQL database \"{}\", {schemas} at \"{}\"",
                    url.database_display(),
                    url.header_location()
                )
            }
            Err(_) => "PostgreSQL database".to_owned(),
        };
        self.emit(Event::Datasource {
            name: self.project.datasource_name.clone(),
            description,
        });
        parsed
    }

    /// The advisory lock, unless `PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK` is set (§4.5).
    fn lock(&mut self, db: &mut PgDatabase) -> Result<()> {
        if self.project.env.flag("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK") {
            return Ok(());
        }
        db.lock(self.lock_timeout)
    }
}
