#!/usr/bin/env python3
"""prismig against the floor: the same database work done by psql / sqlite3.

status: `prismig migrate status` on an up-to-date database, against `psql -c 'SELECT … FROM
_prisma_migrations'` (connect + one query). fix: `prismig fix` (a dry run: it reads the same
rows and every script, and plans) against the same floor.
diff: `prismig migrate diff --from-migrations … --to-url … --exit-code` on a database deployed
from the same N migrations (a temporary shadow database created, replayed, described with the
live one, dropped), against psql creating a fresh database and replaying the N files into it.
deploy: `prismig migrate deploy` of N migrations on a fresh database, against psql sending
each migration.sql as one query (`psql -c` per file, in as few processes as the argument
size allows).
Medians of --runs runs, with min and max; peak RSS from wait4; the stripped binary's size.
"""
import argparse, os, platform, shutil, statistics, subprocess, sys, tempfile, time, urllib.parse

def migration_sql(i):
    """A realistic migration: a table with columns, a primary key, indexes, a foreign key
    to the previous table, and every tenth one a data update."""
    t = f'"Table{i}"'
    sql = [f"-- CreateTable\nCREATE TABLE {t} (\n"
           f'    "id" TEXT NOT NULL,\n    "name" TEXT NOT NULL,\n    "email" TEXT,\n'
           f'    "count" INTEGER NOT NULL DEFAULT 0,\n    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n'
           f'    "parentId" TEXT,\n\n    CONSTRAINT "Table{i}_pkey" PRIMARY KEY ("id")\n);\n',
           f'\n-- CreateIndex\nCREATE UNIQUE INDEX "Table{i}_email_key" ON {t}("email");\n',
           f'\n-- CreateIndex\nCREATE INDEX "Table{i}_createdAt_idx" ON {t}("createdAt");\n']
    if i > 0:
        sql.append(f'\n-- AddForeignKey\nALTER TABLE {t} ADD CONSTRAINT "Table{i}_parentId_fkey" FOREIGN KEY ("parentId") '
                   f'REFERENCES "Table{i-1}"("id") ON DELETE SET NULL ON UPDATE CASCADE;\n')
    if i % 10 == 9:
        sql.append(f"\nINSERT INTO {t} (\"id\", \"name\") VALUES ('a', 'first'), ('b', 'second');\n"
                   f"UPDATE {t} SET \"count\" = \"count\" + 1 WHERE \"name\" = 'first';\n")
    return "".join(sql)

def sqlite_sql(i):
    t = f'"Table{i}"'
    fk = f',\n    CONSTRAINT "Table{i}_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Table{i-1}" ("id")' if i else ""
    return (f'CREATE TABLE {t} (\n    "id" TEXT NOT NULL PRIMARY KEY,\n    "name" TEXT NOT NULL,\n    "email" TEXT,\n'
            f'    "count" INTEGER NOT NULL DEFAULT 0,\n    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    "parentId" TEXT{fk}\n);\n'
            f'CREATE UNIQUE INDEX "Table{i}_email_key" ON {t}("email");\n')

def make_project(root, n, provider):
    mig = os.path.join(root, "prisma", "migrations")
    os.makedirs(mig)
    with open(os.path.join(root, "prisma", "schema.prisma"), "w") as f:
        f.write(f'datasource db {{\n  provider = "{provider}"\n  url      = env("DATABASE_URL")\n}}\n')
    with open(os.path.join(mig, "migration_lock.toml"), "w") as f:
        f.write(f'provider = "{provider}"\n')
    files = []
    for i in range(n):
        name = f"2024{(i // 86400) % 12 + 1:02d}{(i // 3600) % 24:02d}{(i // 60) % 60:02d}{i % 60:02d}{i:06d}"[:14] + f"_migration_{i}"
        d = os.path.join(mig, f"{20240101000000 + i:014d}_migration_{i}")
        os.makedirs(d)
        p = os.path.join(d, "migration.sql")
        with open(p, "w") as f:
            f.write(migration_sql(i) if provider == "postgresql" else sqlite_sql(i))
        files.append(p)
    return files

def peak_rss(cmd, env=None, cwd=None):
    """Peak RSS in KiB from /usr/bin/time (wait4's ru_maxrss would count the forking
    Python's pages before exec)."""
    if not os.path.exists("/usr/bin/time"):
        return 0
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], env=env, cwd=cwd, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(out.stderr.strip().splitlines()[-1])

def timed(cmd, env=None, cwd=None, stdin=None):
    """(seconds, peak RSS in KiB) of one process; raises on failure."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if stdin is not None:
        p.stdin.write(stdin.encode())
        p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode()
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({p.returncode}): {err[:500]}")
    return elapsed, usage.ru_maxrss

def db_url(base, name):
    u = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, ""))

def psql(url, *args):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def stats(xs):
    return statistics.median(xs), min(xs), max(xs)

def fmt(s):
    return f"{s[0]*1000:.1f} ms (min {s[1]*1000:.1f}, max {s[2]*1000:.1f})"

def chunks(files, limit=100_000):
    """psql -c arguments, grouped so one process's arguments stay small."""
    group, size = [], 0
    for f in files:
        text = open(f).read()
        if group and size + len(text) > limit:
            yield group
            group, size = [], 0
        group.append(text)
        size += len(text)
    if group:
        yield group

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg-url", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--status-n", default="10,200,2000,10000")
    ap.add_argument("--deploy-n", default="10,200,2000")
    ap.add_argument("--sqlite-n", default="200,2000")
    ap.add_argument("--diff-n", default="400")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NO_COLOR")}
    env["NO_COLOR"] = "1"
    rows, peak = [], {}
    tag = f"prismig_bench_{os.getpid()}"
    admin = args.pg_url
    status_n = [int(x) for x in args.status_n.split(",") if x]
    deploy_n = [int(x) for x in args.deploy_n.split(",") if x]
    for n in sorted(set(status_n) | set(deploy_n)):
        work = tempfile.mkdtemp(prefix="prismig-bench-")
        try:
            files = make_project(work, n, "postgresql")
            if n in deploy_n:
                ours, floor = [], []
                for r in range(args.runs):
                    for kind in ("ours", "floor"):
                        name = f"{tag}_{n}_{r}_{kind}"
                        psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"')
                        url = db_url(admin, name)
                        if kind == "ours":
                            e = dict(env, DATABASE_URL=url)
                            t, _ = timed([binary, "migrate", "deploy"], env=e, cwd=work)
                            ours.append(t)
                            if r == 0:
                                psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"')
                                peak[f"PostgreSQL deploy N={n}"] = peak_rss([binary, "migrate", "deploy"], env=e, cwd=work)
                        else:
                            total = 0.0
                            for group in chunks(files):
                                cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url]
                                for text in group:
                                    cmd += ["-c", text]
                                total += timed(cmd)[0]
                            floor.append(total)
                        psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}"')
                rows.append(("PostgreSQL", "deploy", n, stats(ours), stats(floor)))
            if n in status_n:
                name = f"{tag}_{n}_status"
                psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"')
                url = db_url(admin, name)
                e = dict(env, DATABASE_URL=url)
                subprocess.run([binary, "migrate", "deploy"], env=e, cwd=work, check=True, stdout=subprocess.DEVNULL)
                ours, floor = [], []
                query = 'SELECT "id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count" FROM "_prisma_migrations" ORDER BY "started_at" ASC'
                peak[f"PostgreSQL status N={n}"] = peak_rss([binary, "migrate", "status"], env=e, cwd=work)
                for _ in range(args.runs):
                    t, _ = timed([binary, "migrate", "status"], env=e, cwd=work)
                    ours.append(t)
                    floor.append(timed(["psql", "-X", "-q", "-A", "-t", url, "-c", query])[0])
                rows.append(("PostgreSQL", "status", n, stats(ours), stats(floor)))
                # fix reads what status reads, and plans: its dry run against the same floor.
                peak[f"PostgreSQL fix N={n}"] = peak_rss([binary, "fix"], env=e, cwd=work)
                fixes = [timed([binary, "fix"], env=e, cwd=work)[0] for _ in range(args.runs)]
                rows.append(("PostgreSQL", "fix (dry run)", n, stats(fixes), stats(floor)))
                psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            shutil.rmtree(work, ignore_errors=True)
    for n in [int(x) for x in args.diff_n.split(",") if x]:
        work = tempfile.mkdtemp(prefix="prismig-bench-")
        try:
            files = make_project(work, n, "postgresql")
            name = f"{tag}_{n}_diff"
            psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"')
            url = db_url(admin, name)
            e = dict(env, DATABASE_URL=url)
            subprocess.run([binary, "migrate", "deploy"], env=e, cwd=work, check=True, stdout=subprocess.DEVNULL)
            cmd = [binary, "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-url", url, "--exit-code"]
            peak[f"PostgreSQL diff N={n}"] = peak_rss(cmd, env=e, cwd=work)
            ours, floor = [], []
            for r in range(args.runs):
                ours.append(timed(cmd, env=e, cwd=work)[0])
                fresh = f"{tag}_{n}_diff_floor_{r}"
                psql(admin, "-c", f'DROP DATABASE IF EXISTS "{fresh}"')
                total = timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", admin, "-c", f'CREATE DATABASE "{fresh}"'])[0]
                for group in chunks(files):
                    c = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db_url(admin, fresh)]
                    for text in group:
                        c += ["-c", text]
                    total += timed(c)[0]
                floor.append(total)
                psql(admin, "-c", f'DROP DATABASE IF EXISTS "{fresh}"')
            rows.append(("PostgreSQL", "diff (migrations vs database)", n, stats(ours), stats(floor)))
            psql(admin, "-c", f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if shutil.which("sqlite3"):
        for n in [int(x) for x in args.sqlite_n.split(",") if x]:
            work = tempfile.mkdtemp(prefix="prismig-bench-")
            try:
                files = make_project(work, n, "sqlite")
                ours, floor, sours, sfloor = [], [], [], []
                for r in range(args.runs):
                    dbp = os.path.join(work, f"ours{r}.db")
                    e = dict(env, DATABASE_URL=f"file:{dbp}")
                    t, _ = timed([binary, "migrate", "deploy"], env=e, cwd=work)
                    ours.append(t)
                    script = "".join(open(f).read() for f in files)
                    floor.append(timed(["sqlite3", os.path.join(work, f"floor{r}.db")], stdin=script)[0])
                    sours.append(timed([binary, "migrate", "status"], env=e, cwd=work)[0])
                    sfloor.append(timed(["sqlite3", dbp, 'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at'])[0])
                peak[f"SQLite status N={n}"] = peak_rss([binary, "migrate", "status"], env=dict(env, DATABASE_URL=f"file:{os.path.join(work, 'ours0.db')}"), cwd=work)
                rows.append(("SQLite", "deploy", n, stats(ours), stats(floor)))
                rows.append(("SQLite", "status", n, stats(sours), stats(sfloor)))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; runs: {args.runs}")
    print()
    print("| database | command | N | prismig (median, min, max) | floor (median, min, max) | ratio (medians) |")
    print("|---|---|---|---|---|---|")
    for db, cmd, n, ours, floor in rows:
        print(f"| {db} | {cmd} | {n} | {fmt(ours)} | {fmt(floor)} | {ours[0] / floor[0]:.2f}× |")
    print()
    print("| peak RSS | KiB | MiB |")
    print("|---|---|---|")
    for k, v in peak.items():
        print(f"| {k} | {v} | {v / 1024:.1f} |")
    print()
    size = os.path.getsize(binary)
    print(f"binary: {binary} {size} bytes ({size / 1048576:.2f} MiB, stripped release profile)")

if __name__ == "__main__":
    sys.exit(main())
