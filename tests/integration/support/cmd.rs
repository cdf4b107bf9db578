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

/// `prismig <args>` on a pseudo-terminal (util-linux `script`) in the project with
/// `DATABASE_URL=url`: stdout and stderr both go to the terminal, and what it showed comes
/// back as stdout, as written (redrawn lines keep their CRs).
pub fn run_on_tty(project: &Project, url: &str, args: &[&str]) -> Output {
    let line = std::iter::once(env!("CARGO_BIN_EXE_prismig").to_owned())
        .chain(args.iter().map(|a| prismig::__internal::shell::quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let mut c = Command::new("script");
    c.args(["-qfec", &line, "/dev/null"])
        .current_dir(project.path())
        .env_remove("DIRECT_URL")
        .env_remove("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK")
        .env("NO_COLOR", "1")
        .env("SHELL", "/bin/sh")
        .env("TERM", "xterm")
        .env("DATABASE_URL", url);
    output(c)
}
