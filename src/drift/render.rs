//! Prisma's drift summary (the schema engine's `drift_summary`): sections in a fixed order,
//! one per kind of change and, for changed tables and enums, one per object in name order;
//! inside a section, the steps in step order. Quirks kept: the stray `)` line after an
//! added primary key.

use super::diff::{Step, TableChange};

/// Section kinds, in the order the summary prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    AddedEnum,
    AddedTable,
    RemovedEnum,
    RemovedTable,
    RedefinedTable,
    ChangedEnum,
    ChangedTable,
}

fn section(step: &Step) -> (Section, &str) {
    match step {
        Step::CreateEnum { .. } => (Section::AddedEnum, ""),
        Step::AlterEnum { name, .. } => (Section::ChangedEnum, name),
        Step::DropForeignKey { table, .. }
        | Step::DropIndex { table, .. }
        | Step::AlterTable { table, .. }
        | Step::CreateIndex { table, .. }
        | Step::RenameForeignKey { table, .. }
        | Step::AddForeignKey { table, .. }
        | Step::RenameIndex { table, .. }
        | Step::RedefineIndex { table, .. } => (Section::ChangedTable, table),
        Step::DropTable { .. } => (Section::RemovedTable, ""),
        Step::DropEnum { .. } => (Section::RemovedEnum, ""),
        Step::CreateTable { .. } => (Section::AddedTable, ""),
        Step::RedefineTable { name } => (Section::RedefinedTable, name),
    }
}

/// The summary of `steps` (as `diff` returns them): "No difference detected." when empty,
/// else lines that start with an empty line and end with `\n`.
pub fn render(steps: &[Step]) -> String {
    if steps.is_empty() {
        return "No difference detected.".to_owned();
    }
    let mut items: Vec<(Section, &str, usize)> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (k, n) = section(s);
            (k, n, i)
        })
        .collect();
    items.sort();
    items.dedup();
    let mut out = String::new();
    let mut state: Option<(Section, &str)> = None;
    for (kind, name, idx) in items {
        if state != Some((kind, name)) {
            match kind {
                Section::AddedEnum => out.push_str("\n[+] Added enums\n"),
                Section::AddedTable => out.push_str("\n[+] Added tables\n"),
                Section::RemovedEnum => out.push_str("\n[-] Removed enums\n"),
                Section::RemovedTable => out.push_str("\n[-] Removed tables\n"),
                Section::RedefinedTable => {
                    out.push_str(&format!("\n[*] Redefined table `{name}`\n"))
                }
                Section::ChangedEnum => out.push_str(&format!("\n[*] Changed the `{name}` enum\n")),
                Section::ChangedTable => {
                    out.push_str(&format!("\n[*] Changed the `{name}` table\n"))
                }
            }
        }
        state = Some((kind, name));
        body(&steps[idx], &mut out);
    }
    out
}

fn body(step: &Step, out: &mut String) {
    match step {
        Step::CreateEnum { name }
        | Step::DropEnum { name }
        | Step::DropTable { name }
        | Step::CreateTable { name } => out.push_str(&format!("  - {name}\n")),
        Step::AlterEnum {
            added_variants,
            removed_variants,
            ..
        } => {
            for v in added_variants {
                out.push_str(&format!("  [+] Added variant `{v}`\n"));
            }
            for v in removed_variants {
                out.push_str(&format!("  [-] Removed variant `{v}`\n"));
            }
        }
        Step::DropForeignKey { columns, .. } => out.push_str(&format!(
            "  [-] Removed foreign key on columns ({})\n",
            columns.join(", ")
        )),
        Step::DropIndex {
            unique, columns, ..
        } => out.push_str(&format!(
            "  [-] Removed {}index on columns ({})\n",
            if *unique { "unique " } else { "" },
            columns.join(", ")
        )),
        Step::CreateIndex {
            unique, columns, ..
        } => out.push_str(&format!(
            "  [+] Added {}index on columns ({})\n",
            if *unique { "unique " } else { "" },
            columns.join(", ")
        )),
        Step::AddForeignKey { columns, .. } => out.push_str(&format!(
            "  [+] Added foreign key on columns ({})\n",
            columns.join(", ")
        )),
        Step::RenameForeignKey { from, to, .. } => out.push_str(&format!(
            "  [*] Renamed the foreign key \"{from}\" to \"{to}\"\n"
        )),
        Step::RenameIndex { from, to, .. } => {
            out.push_str(&format!("  [*] Renamed index `{from}` to `{to}`\n"))
        }
        Step::RedefineIndex { name, .. } => {
            out.push_str(&format!("  [*] Redefined index `{name}`\n"))
        }
        Step::RedefineTable { .. } => {}
        Step::AlterTable { changes, .. } => {
            for c in changes {
                match c {
                    TableChange::AddColumn { column } => {
                        out.push_str(&format!("  [+] Added column `{column}`\n"))
                    }
                    TableChange::DropColumn { column } => {
                        out.push_str(&format!("  [-] Removed column `{column}`\n"))
                    }
                    TableChange::AlterColumn { column, changes } => out.push_str(&format!(
                        "  [*] Altered column `{column}` ({})\n",
                        changes.join(", ")
                    )),
                    TableChange::DropAndRecreateColumn { column, changes } => {
                        out.push_str(&format!(
                            "  [*] Column `{column}` would be dropped and recreated ({})\n",
                            changes.join(", ")
                        ))
                    }
                    TableChange::DropPrimaryKey { columns } => out.push_str(&format!(
                        "  [-] Dropped the primary key on columns ({})\n",
                        columns.join(", ")
                    )),
                    TableChange::RenamePrimaryKey { columns } => out.push_str(&format!(
                        "  [*] Renamed the primary key on columns ({})\n",
                        columns.join(", ")
                    )),
                    // The engine prints the closing parenthesis twice.
                    TableChange::AddPrimaryKey { columns } => out.push_str(&format!(
                        "  [+] Added primary key on columns ({})\n)\n",
                        columns.join(", ")
                    )),
                }
            }
        }
    }
}
