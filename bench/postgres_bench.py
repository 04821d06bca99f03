#!/usr/bin/env python3
"""dsari-swift on PostgreSQL against SQLite, the same measurements side by
side (issue: PostgreSQL for a fleet). Not a test: it prints a table.

  bench/postgres_bench.py [--seconds 60] [--ceiling 300,400,600] [--runs 100000] [--exporter-runs 1000000] [--skip a,b,c,e]

It starts its own PostgreSQL server (Debian's postgresql, as the postgres
user when run as root) in a temporary directory on a free port, on this
machine, and for each backend measures:
(a) 50 jobs every second running /bin/true for --seconds: latency (start -
    schedule) p50/p99, skipped seconds;
(b) the throughput ceiling: N per-second jobs for 20 s each, recorded runs/s;
(c) `dsari-info run list --format json` over --runs runs;
(e) the exporter over --exporter-runs runs: cold load (first scrape) and
    warm scrape p99 over 200 scrapes.
Ratios are PostgreSQL against SQLite, measured in the same run.
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


class Server:
    """A PostgreSQL server of the benchmark's own."""

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

    def database(self):
        self.count += 1
        name = f"bench{self.count}"
        self.psql("postgres", f"CREATE DATABASE {name}")
        return name, f"host=127.0.0.1 port={self.port} user=dsari dbname={name}"

    def psql(self, database, sql):
        subprocess.run([f"{self.bindir}/psql", "-h", self.dir, "-p", str(self.port), "-U", "dsari", "-d", database, "-q",
                        "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)

    def query(self, database, sql):
        out = subprocess.run([f"{self.bindir}/psql", "-h", self.dir, "-p", str(self.port), "-U", "dsari", "-d", database, "-At",
                              "-F", "\t", "-c", sql], check=True, capture_output=True, text=True)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


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
    rows = SERVER.query(database, "SELECT job_name, extract(epoch FROM schedule_time), extract(epoch FROM start_time) FROM runs "
                                  f"WHERE schedule_time >= to_timestamp({begin})::timestamp AND schedule_time < to_timestamp({end})::timestamp")
    return [(r[0], float(r[1]), float(r[2])) for r in rows]


def daemon_run(bindir, backend, jobs, seconds, settle=2.0):
    database, lines = None, ""
    if backend == "postgresql":
        database, dsn = SERVER.database()
        lines = f"database: {{type: postgresql, dsn: '{dsn}'}}\n"
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
    database, dsn = SERVER.database()
    home = home_with(jobs, f"database: {{type: postgresql, dsn: '{dsn}'}}\n")
    # Let a daemon set the database up (tables and migrations), then fill it in bulk as this host.
    daemon = subprocess.Popen([f"{BINDIR}/dsari-daemon", "-c", f"{home}/etc"], env=dict(os.environ, DSARI_HOME=home),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=60)
    SERVER.psql(database, f"""
        INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type, trigger_data,
            run_data, host_name)
        SELECT 'job' || (i % 20), gen_random_uuid(), to_timestamp(1.7e9 + i)::timestamp,
            to_timestamp(1.7e9 + i + 0.01)::timestamp, to_timestamp(1.7e9 + i + 1.5)::timestamp, (i % 7 = 0)::int,
            'schedule', '{{}}', json_build_object('pid', 1000 + i, 'output_bytes', 120), 'bench'
        FROM generate_series(0, {count - 1}) AS i""")
    SERVER.psql(database, "ANALYZE runs")
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
    global SERVER, BINDIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ceiling", default="300,400,600")
    parser.add_argument("--runs", type=int, default=100000)
    parser.add_argument("--exporter-runs", type=int, default=1000000)
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
    BINDIR = bindir = bin_path()
    SERVER = Server()
    print(f"machine: {os.cpu_count()} cores, {os.uname().release}; release build in {bindir}; PostgreSQL from {SERVER.bindir}")
    backends = ["sqlite", "postgresql"]
    try:
        if "a" not in skip:
            a = {b: bench_a(bindir, b, args.seconds) for b in backends}
            print(f"\n(a) 50 jobs x every second, /bin/true, {args.seconds} s")
            print(f"  {'metric':<22}{'SQLite':>10}{'PostgreSQL':>12}{'ratio':>8}")
            for key, label in [("runs_per_s", "recorded runs/s"), ("skipped", "skipped runs"), ("p50_ms", "latency p50 ms"),
                               ("p99_ms", "latency p99 ms"), ("cpu_pct", "daemon CPU %"), ("rss_mb", "daemon peak RSS MB")]:
                s, p = a["sqlite"][key], a["postgresql"][key]
                ratio = f"{p / s:>7.2f}x" if s else ""
                print(f"  {label:<22}{s:>10.2f}{p:>12.2f}{ratio}")
        if "b" not in skip:
            print("\n(b) throughput ceiling: N jobs every second, 20 s each (recorded runs/s, latency p99 ms)")
            print(f"  {'jobs':>6}{'SQLite':>10}{'p99':>8}{'PostgreSQL':>12}{'p99':>8}")
            for n in [int(x) for x in args.ceiling.split(",")]:
                s, sp = bench_b(bindir, "sqlite", n)
                p, pp = bench_b(bindir, "postgresql", n)
                print(f"  {n:>6}{s:>10.1f}{sp:>8.1f}{p:>12.1f}{pp:>8.1f}")
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
        SERVER.stop()


if __name__ == "__main__":
    sys.exit(main())
