//! Prisma's migration checksum (`prisma-migrate.md` §2).

use sha2::{Digest, Sha256};
use std::fmt::Write;

/// SHA-256 of the script's UTF-8 bytes, as 64 lowercase hex digits.
pub fn checksum(script: &str) -> String {
    hex(&Sha256::digest(script.as_bytes()), true)
}

fn hex(bytes: &[u8], padded: bool) -> String {
    let mut out = String::with_capacity(64);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = if padded {
            write!(out, "{b:02x}")
        } else {
            write!(out, "{b:x}")
        };
    }
    out
}

/// Whether `script` matches a stored checksum, with Prisma's tolerance: the script as is,
/// with CRLF turned into LF, or LF into CRLF; and the legacy unpadded hex form when the
/// stored value is not 64 characters long (prisma-engines #1887).
pub fn script_matches_checksum(script: &str, stored: &str) -> bool {
    let padded = stored.is_empty() || stored.len() == 64;
    let candidates = [
        script.to_owned(),
        script.replace("\r\n", "\n"),
        script.replace('\n', "\r\n"),
    ];
    candidates
        .iter()
        .any(|c| hex(&Sha256::digest(c.as_bytes()), padded) == stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    // §2 test vectors.
    #[test]
    fn known_vectors() {
        assert_eq!(
            checksum(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            checksum("hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn crlf_and_lf_variants_match() {
        let lf = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
        let crlf = lf.replace('\n', "\r\n");
        assert!(script_matches_checksum(&crlf, &checksum(lf)));
        assert!(script_matches_checksum(lf, &checksum(&crlf)));
        assert!(!script_matches_checksum(
            "CREATE TABLE c (id int);\n",
            &checksum(lf)
        ));
    }

    #[test]
    fn lone_cr_is_not_normalised() {
        let lf = "a\nb\n";
        assert!(!script_matches_checksum("a\rb\r", &checksum(lf)));
    }

    #[test]
    fn legacy_unpadded_checksums_match() {
        // Find a script whose digest has a byte below 0x10, so that the unpadded form is shorter.
        let script = (0..)
            .map(|i| format!("SELECT {i};"))
            .find(|s| Sha256::digest(s.as_bytes()).iter().any(|b| *b < 0x10))
            .unwrap();
        let legacy = hex(&Sha256::digest(script.as_bytes()), false);
        assert_ne!(legacy.len(), 64);
        assert!(script_matches_checksum(&script, &legacy));
        assert!(!script_matches_checksum("other", &legacy));
    }

    #[test]
    fn bom_is_part_of_the_checksum() {
        assert_ne!(checksum("\u{feff}SELECT 1;"), checksum("SELECT 1;"));
    }
}
