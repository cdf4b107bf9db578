//! What commands report while they work. Commands emit events; reporters in `output/`
//! turn them into text (or, later, JSON). Commands never format output.

use crate::reconcile::Diagnosis;
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Event {
    ConfigLoaded {
        path: String,
    },
    EnvLoaded {
        paths: Vec<String>,
    },
    SchemaLoaded {
        path: String,
    },
    /// The `Datasource "db": …` header; `None` prints only the prefix (unparsable URL).
    Datasource {
        name: String,
        description: String,
    },
    /// `migrate deploy` could not connect (Prisma writes an empty line first).
    DeployConnectFailed,
    DatabaseCreated {
        message: String,
    },
    MigrationsFound {
        count: usize,
    },
    /// Before the engine work of deploy (Prisma writes an empty line).
    ApplyBegins,
    ApplyingMigration {
        name: String,
    },
    MigrationApplied {
        name: String,
        elapsed: Duration,
    },
    DeployFinished {
        applied: Vec<String>,
    },
    Status {
        diagnosis: Diagnosis,
        local_count: usize,
    },
    Resolved {
        name: String,
        applied: bool,
    },
    Warning {
        message: String,
    },
}

/// Receives events. Implemented in `output/`.
pub trait Reporter {
    fn report(&mut self, event: Event);
}

/// Collects events (library use and tests).
#[derive(Debug, Default)]
pub struct Recorder {
    pub events: Vec<Event>,
}

impl Reporter for Recorder {
    fn report(&mut self, event: Event) {
        self.events.push(event);
    }
}
