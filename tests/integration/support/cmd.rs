//! Runs the real binary with a controlled environment.

use super::Project;
use std::process::Command;

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success:\n{self:#?}");
        self
    }

    #[track_caller]
    pub fn failure(&self) -> &Self {
        assert_eq!(self.code, 1, "expected exit code 1:\n{self:#?}");
        self
    }
}

pub fn command(project: &Project, url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prismig"));
    cmd.args(args)
        .current_dir(project.path())
        .env_remove("DIRECT_URL")
        .env_remove("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK")
        .env_remove("FORCE_COLOR")
        .env("NO_COLOR", "1")
        .env("DATABASE_URL", url);
    cmd
}

pub fn output(mut cmd: Command) -> Output {
    let out = cmd.output().expect("run prismig");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `prismig <args>` in the project with `DATABASE_URL=url`.
pub fn run(project: &Project, url: &str, args: &[&str]) -> Output {
    output(command(project, url, args))
}
