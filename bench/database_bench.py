#!/usr/bin/env python3
"""dsari-swift on PostgreSQL and MySQL/MariaDB against SQLite, the same
measurements side by side (issues: PostgreSQL for a fleet, MySQL/MariaDB).
Not a test: it prints a table.

  bench/database_bench.py [--backends sqlite,postgresql,mysql] [--seconds 60] [--ceiling 300,400,600]
                          [--runs 100000] [--exporter-runs 1000000] [--skip a,b,c,e]

It starts its own servers (Debian's postgresql and mariadb-server, as their
unprivileged users when run as root) in temporary directories on free
ports, on this machine, with their durable defaults (PostgreSQL fsync on,
InnoDB flushing its log at each commit), and for each backend measures:
(a) 50 jobs every second running /bin/true for --seconds: latency (start -
    schedule) p50/p99, skipped seconds;
(b) the throughput ceiling: N per-second jobs for 20 s each, recorded runs/s;
(c) `dsari-info run list --format json` over --runs runs;
(e) the exporter over --exporter-runs runs: cold load (first scrape) and
    warm scrape p99 over 200 scrapes.
Ratios are each server backend against SQLite, measured in the same run.
Uses the release build (`swift build -c release`).
"""
import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, bin_path, per_second_jobs, percentile, proc_stats, timed_daemon  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server of the benchmark's own."""

    label = "PostgreSQL"

    def __init__(self):
        self.bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.dir = tempfile.mkdtemp(prefix="dsari-bench-pg.")
        self.port = free_port()
        self.user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        subprocess.run(self.user + [f"{self.bindir}/initdb", "-D", f"{self.dir}/data", "-U", "dsari", "-A", "trust", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL)
        self.proc = subprocess.Popen(
            self.user + [f"{self.bindir}/postgres", "-D", f"{self.dir}/data", "-k", self.dir, "-p", str(self.port),
                         "-c", "listen_addresses=127.0.0.1"],
            stdout=open(f"{self.dir}/server.log", "w"), stderr=subprocess.STDOUT)
        for _ in range(100):
            if subprocess.run([f"{self.bindir}/pg_isready", "-h", self.dir, "-p", str(self.port)], capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        self.count = 0
        self.version = self.bindir

    def database(self):
        """A new database: its name and the `database` lines of a configuration."""
        self.count += 1
        name = f"bench{self.count}"
        self.psql("postgres", f"CREATE DATABASE {name}")
        return name, f"database: {{type: postgresql, dsn: 'host=127.0.0.1 port={self.port} user=dsari dbname={name}'}}\n"

    def psql(self, database, sql):
        subprocess.run([f"{self.bindir}/psql", "-h", self.dir, "-p", str(self.port), "-U", "dsari", "-d", database, "-q",
                        "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)

    def query(self, database, sql):
        out = subprocess.run([f"{self.bindir}/psql", "-h", self.dir, "-p", str(self.port), "-U", "dsari", "-d", database, "-At",
                              "-F", "\t", "-c", sql], check=True, capture_output=True, text=True)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def scheduled_rows(self, database, begin, end):
        rows = self.query(database, "SELECT job_name, extract(epoch FROM schedule_time), extract(epoch FROM start_time) FROM runs "
                                    f"WHERE schedule_time >= to_timestamp({begin})::timestamp "
                                    f"AND schedule_time < to_timestamp({end})::timestamp")
        return [(r[0], float(r[1]), float(r[2])) for r in rows]

    def fill(self, database, count):
        self.psql(database, f"""
            INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type, trigger_data,
                run_data, host_name)
            SELECT 'job' || (i % 20), gen_random_uuid(), to_timestamp(1.7e9 + i)::timestamp,
                to_timestamp(1.7e9 + i + 0.01)::timestamp, to_timestamp(1.7e9 + i + 1.5)::timestamp, (i % 7 = 0)::int,
                'schedule', '{{}}', json_build_object('pid', 1000 + i, 'output_bytes', 120), 'bench'
            FROM generate_series(0, {count - 1}) AS i""")
        self.psql(database, "ANALYZE runs")

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class MariaDBServer:
    """A MariaDB server of the benchmark's own (as Tests/DsariTestSupport/MariaDBServer.swift starts it,
    without TLS, and with InnoDB's durable defaults)."""

    label = "MySQL"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dsari-bench-my.")
        self.port = free_port()
        self.socket = f"{self.dir}/mysqld.sock"
        self.user = ["setpriv", "--reuid=mysql", "--regid=mysql", "--clear-groups"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, "mysql", "mysql")
        subprocess.run(self.user + ["mariadb-install-db", "--no-defaults", f"--datadir={self.dir}/data",
                                    "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
        self.proc = subprocess.Popen(
            self.user + ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={self.dir}/data", f"--socket={self.socket}",
                         f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={self.dir}/mariadbd.pid",
                         "--skip-name-resolve", "--skip-log-bin", "--max-connections=200"],
            stdout=open(f"{self.dir}/server.log", "w"), stderr=subprocess.STDOUT)
        for _ in range(300):
            if subprocess.run(["mariadb-admin", "--no-defaults", "--protocol=socket", f"--socket={self.socket}", "--user=root",
                               "--password=", "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        self.sql(None, "CREATE USER 'dsari'@'127.0.0.1' IDENTIFIED BY 'bench-pass'; "
                       "GRANT ALL ON *.* TO 'dsari'@'127.0.0.1'")
        self.count = 0
        self.version = self.query(None, "SELECT VERSION()")[0][0]

    def sql(self, database, sql):
        subprocess.run(["mariadb", "--no-defaults", "--protocol=socket", f"--socket={self.socket}", "--user=root", "--password=",
                        "--default-character-set=utf8mb4"] + ([f"--database={database}"] if database else []) + ["-e", sql],
                       check=True, stdout=subprocess.DEVNULL)

    def query(self, database, sql):
        out = subprocess.run(["mariadb", "--no-defaults", "--protocol=socket", f"--socket={self.socket}", "--user=root",
                              "--password=", "--batch", "--skip-column-names"] + ([f"--database={database}"] if database else [])
                             + ["-e", sql], check=True, capture_output=True, text=True)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def database(self):
        self.count += 1
        name = f"bench{self.count}"
        self.sql(None, f"CREATE DATABASE {name}")
        return name, ("database: {type: mysql, connection: {host: 127.0.0.1, port: %d, user: dsari, passwd: bench-pass, db: %s}}\n"
                      % (self.port, name))

    def scheduled_rows(self, database, begin, end):
        rows = self.query(database, "SET time_zone = '+00:00'; SELECT job_name, UNIX_TIMESTAMP(schedule_time), "
                                    f"UNIX_TIMESTAMP(start_time) FROM runs WHERE schedule_time >= FROM_UNIXTIME({begin}) "
                                    f"AND schedule_time < FROM_UNIXTIME({end})")
        return [(r[0], float(r[1]), float(r[2])) for r in rows]

    def fill(self, database, count):
        # In chunks of 100,000 rows (one transaction each), from MariaDB's sequence engine.
        for first in range(0, count, 100000):
            last = min(count, first + 100000) - 1
            self.sql(database, f"""
                SET time_zone = '+00:00';
                INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type, trigger_data,
                    run_data, host_name)
                SELECT CONCAT('job', seq % 20), UUID(), FROM_UNIXTIME(1.7e9 + seq), FROM_UNIXTIME(1.7e9 + seq + 0.01),
                    FROM_UNIXTIME(1.7e9 + seq + 1.5), IF(seq % 7 = 0, 1, 0), 'schedule', '{{}}',
                    JSON_OBJECT('pid', 1000 + seq, 'output_bytes', 120), 'bench'
                FROM seq_{first}_to_{last}""")
        self.sql(database, "ANALYZE TABLE runs")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


SERVERS = {}


def home_with(config, database_lines):
    home = tempfile.mkdtemp(prefix="dsari-bench.")
    os.makedirs(f"{home}/etc/config.d")
    with open(f"{home}/etc/dsari.yaml", "w") as f:
        f.write(config)
    with open(f"{home}/etc/config.d/00-database.yaml", "w") as f:
        f.write("host_name: bench\n" + database_lines)
    return home


def scheduled_rows(backend, home, database, begin, end):
    if backend == "sqlite":
        import sqlite3
        db = sqlite3.connect(f"{home}/var/dsari.sqlite3")
        return db.execute("SELECT job_name, schedule_time, start_time FROM runs WHERE schedule_time >= ? AND schedule_time < ?",
                          (begin, end)).fetchall()
    return SERVERS[backend].scheduled_rows(database, begin, end)


def daemon_run(bindir, backend, jobs, seconds, settle=2.0):
    database, lines = None, ""
    if backend != "sqlite":
        database, lines = SERVERS[backend].database()
    home = home_with(jobs, lines)
    begin, end, cpu, rss = timed_daemon(bindir, home, seconds, settle)
    return scheduled_rows(backend, home, database, begin, end), end - begin, cpu, rss


def bench_a(bindir, backend, seconds):
    rows, span, cpu, rss = daemon_run(bindir, backend, per_second_jobs(50), seconds)
    latencies = [start - sched for _, sched, start in rows]
    expected = 50 * int(span)
    seen = {(job, int(sched)) for job, sched, _ in rows}
    return {"runs_per_s": len(rows) / span, "skipped": max(0, expected - len(seen)),
            "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "cpu_pct": 100.0 * cpu / span, "rss_mb": rss}


def bench_b(bindir, backend, n):
    rows, span, _, _ = daemon_run(bindir, backend, per_second_jobs(n), 20)
    return len(rows) / span, percentile([start - sched for _, sched, start in rows], 0.99) * 1000


def filled_home(backend, count):
    """A home whose store holds `count` finished runs of 20 jobs, written in bulk."""
    jobs = "jobs:\n" + "".join(f"  job{i}: {{command: [/bin/true]}}\n" for i in range(20))
    if backend == "sqlite":
        home = home_with(jobs, "")
        os.makedirs(f"{home}/var")
        import sqlite3
        import json
        import uuid
        db = sqlite3.connect(f"{home}/var/dsari.sqlite3")
        db.executescript(
            "CREATE TABLE runs (job_name text, run_id text, schedule_time real, start_time real, stop_time real, exit_code integer,"
            " trigger_type text, trigger_data text, run_data text);"
            "CREATE TABLE runs_running (job_name text, run_id text, schedule_time real, start_time real, trigger_type text,"
            " trigger_data text, run_data text);")
        t0 = 1.7e9
        db.executemany("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?)",
                       ((f"job{i % 20}", str(uuid.uuid4()), t0 + i, t0 + i + 0.01, t0 + i + 1.5, int(i % 7 == 0), "schedule", "{}",
                         json.dumps({"pid": 1000 + i, "output_bytes": 120})) for i in range(count)))
        db.commit()
        return home
    database, lines = SERVERS[backend].database()
    home = home_with(jobs, lines)
    # Let a daemon set the database up (tables and migrations), then fill it in bulk as this host.
    daemon = subprocess.Popen([f"{BINDIR}/dsari-daemon", "-c", f"{home}/etc"], env=dict(os.environ, DSARI_HOME=home),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=60)
    SERVERS[backend].fill(database, count)
    return home


def bench_c(bindir, backend, count):
    home = filled_home(backend, count)
    start = time.time()
    proc = subprocess.Popen([f"{bindir}/dsari-info", "-c", f"{home}/etc", "run", "list", "--format", "json"],
                            env=dict(os.environ, DSARI_HOME=home), stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.time() - start, usage.ru_maxrss / 1024


def bench_e(bindir, backend, count):
    home = filled_home(backend, count)
    log = open(f"{home}/exporter.log", "w")
    port = free_port()
    exporter = subprocess.Popen([f"{bindir}/dsari-prometheus-exporter", "-c", f"{home}/etc", "--listen-address", "127.0.0.1",
                                 "--listen-port", str(port), "--job-cache-time", "0"], env=dict(os.environ, DSARI_HOME=home),
                                stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/metrics"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    start = time.time()
    first = urllib.request.urlopen(url, timeout=600).read()
    cold = time.time() - start
    assert b'dsari_run_count{job_name="job0"}' in first
    times = []
    for _ in range(200):
        start = time.time()
        urllib.request.urlopen(url, timeout=60).read()
        times.append(time.time() - start)
    _, rss = proc_stats(exporter.pid)
    exporter.send_signal(signal.SIGTERM)
    exporter.wait(timeout=30)
    return cold, percentile(times, 0.99) * 1000, rss


def main():
    global BINDIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgresql,mysql")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ceiling", default="300,400,600")
    parser.add_argument("--runs", type=int, default=100000)
    parser.add_argument("--exporter-runs", type=int, default=1000000)
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    backends = args.backends.split(",")
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
    BINDIR = bindir = bin_path()
    kinds = {"postgresql": PostgresServer, "mysql": MariaDBServer}
    try:
        for backend in backends:
            if backend != "sqlite":
                SERVERS[backend] = kinds[backend]()
        servers = "; ".join(f"{SERVERS[b].label} {SERVERS[b].version}" for b in backends if b in SERVERS)
        print(f"machine: {os.cpu_count()} cores, {os.uname().release}; release build in {bindir}; {servers}")
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MySQL"}
        if "a" not in skip:
            a = {b: bench_a(bindir, b, args.seconds) for b in backends}
            print(f"\n(a) 50 jobs x every second, /bin/true, {args.seconds} s (ratios against SQLite)")
            print(f"  {'metric':<22}" + "".join(f"{names[b]:>12}" for b in backends)
                  + "".join(f"{'ratio ' + names[b][:2]:>10}" for b in backends if b != "sqlite"))
            for key, label in [("runs_per_s", "recorded runs/s"), ("skipped", "skipped runs"), ("p50_ms", "latency p50 ms"),
                               ("p99_ms", "latency p99 ms"), ("cpu_pct", "daemon CPU %"), ("rss_mb", "daemon peak RSS MB")]:
                base = a.get("sqlite", {}).get(key)
                ratios = "".join(f"{a[b][key] / base:>9.2f}x" if base else f"{'':>10}" for b in backends if b != "sqlite")
                print(f"  {label:<22}" + "".join(f"{a[b][key]:>12.2f}" for b in backends) + ratios)
        if "b" not in skip:
            print("\n(b) throughput ceiling: N jobs every second, 20 s each (recorded runs/s, latency p99 ms)")
            print(f"  {'jobs':>6}" + "".join(f"{names[b]:>12}{'p99':>8}" for b in backends))
            for n in [int(x) for x in args.ceiling.split(",")]:
                cells = [bench_b(bindir, b, n) for b in backends]
                print(f"  {n:>6}" + "".join(f"{r:>12.1f}{p:>8.1f}" for r, p in cells))
        if "c" not in skip:
            print(f"\n(c) dsari-info run list --format json over {args.runs} runs (seconds, peak RSS MB)")
            for b in backends:
                elapsed, rss = bench_c(bindir, b, args.runs)
                print(f"  {b:<12}{elapsed:>8.3f} s{rss:>8.1f} MB")
        if "e" not in skip:
            print(f"\n(e) exporter over {args.exporter_runs} runs: cold load (first scrape), warm scrape p99, RSS")
            for b in backends:
                cold, p99, rss = bench_e(bindir, b, args.exporter_runs)
                print(f"  {b:<12}cold {cold:>7.2f} s   warm p99 {p99:>7.2f} ms   RSS {rss:>6.1f} MB")
    finally:
        for server in SERVERS.values():
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
