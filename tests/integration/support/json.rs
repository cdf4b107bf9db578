//! JSON output checked against the project's JSON schemas (`schema/`), with Python's
//! `jsonschema` (Draft 2020-12).

use std::io::Write;
use std::process::{Command, Stdio};

/// How the text holds its documents.
#[derive(Clone, Copy)]
pub enum Documents {
    /// The whole text is one document.
    One,
    /// One document per line (JSON lines).
    PerLine,
}

/// The errors of `text` against `schema/<schema>`, one per line; empty when it follows it.
pub fn schema_errors(schema: &str, text: &str, documents: Documents) -> String {
    let path = format!("{}/schema/{schema}", env!("CARGO_MANIFEST_DIR"));
    let mode = match documents {
        Documents::One => "one",
        Documents::PerLine => "lines",
    };
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\ntext=sys.stdin.read()\ndocs=[json.loads(l) for l in text.splitlines()] if sys.argv[2]=='lines' else [json.loads(text)]\nv=jsonschema.Draft202012Validator(schema)\nfor n,d in enumerate(docs):\n  [print(n, e.message) for e in v.iter_errors(d)]",
            &path,
            mode,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with jsonschema is installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
