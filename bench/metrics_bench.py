#!/usr/bin/env python3
"""dsari-swift exporter benchmark (issue #5). Not a test: it prints a table.

  bench/metrics_bench.py [--jobs 100] [--runs-per-job 10000] [--small-runs-per-job 10] [--scrapes 500]

For a store of JOBS x RUNS-PER-JOB finished runs (default 100 x 10k = 1M;
one job in ten a Nagios check whose runs carry run_data.nagios) and for a
small one (100 x 10 = 1k):
  cold: `dsari-prometheus-exporter --dump` wall time and peak RSS (reads
        every run once);
  warm: the exporter serving on 127.0.0.1, one scrape to load, then
        --scrapes GET /metrics over one keep-alive connection: p50/p99/max.
Prints the numbers next to the targets and dsari 2.0's (36.4 s, 44 MB cold
at 1M runs). Uses the release build (`swift build -c release`).
"""
import argparse
import http.client
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {"cold_s": 0.7, "cold_mb": 64, "warm_p99_ms": 20, "ratio": 2.0}
DSARI = {"cold_s": 36.4, "cold_mb": 44}


def bin_path():
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip()


def percentile(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


def make_home(jobs, runs_per_job):
    """A DSARI_HOME with `jobs` configured jobs and their finished runs, written with sqlite3 directly."""
    home = tempfile.mkdtemp(prefix="dsari-metrics-bench.")
    os.makedirs(f"{home}/etc")
    os.makedirs(f"{home}/var")
    lines = ["jobs:"]
    for j in range(jobs):
        check = ", nagios_check: true" if j % 10 == 0 else ""
        lines.append(f"  job{j:03d}: {{command: [/bin/true], schedule: '@hourly'{check}}}")
    with open(f"{home}/etc/dsari.yaml", "w") as f:
        f.write("\n".join(lines) + "\n")
    db = sqlite3.connect(f"{home}/var/dsari.sqlite3")
    db.executescript(
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE runs (job_name text, run_id text, schedule_time real, start_time real, stop_time real, exit_code integer,"
        " trigger_type text, trigger_data text, run_data text);"
        "CREATE TABLE runs_running (job_name text, run_id text, schedule_time real, start_time real, trigger_type text,"
        " trigger_data text, run_data text);"
    )
    rng = random.Random(42)
    t0 = 1.7e9

    def rows():
        for i in range(runs_per_job):
            for j in range(jobs):
                schedule = t0 + i * 3600 + j
                start = schedule + rng.uniform(0.0001, 0.05)
                stop = start + rng.expovariate(1 / 2.0)
                code = 0 if rng.random() < 0.9 else rng.choice([1, 2, 3])
                data = {"pid": 1000 + i, "output_bytes": 120}
                if j % 10 == 0:
                    data["nagios"] = {
                        "current_state": code, "state_name": ["OK", "WARNING", "CRITICAL", "UNKNOWN"][code],
                        "plugin_output": f"LOAD {['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'][code]} - load average: 0.1",
                        "long_plugin_output": "", "performance_data": "load1=0.1;5;10;0",
                        "perfdata": [{"label": "load1", "value": 0.1, "uom": "", "warn": "5", "crit": "10", "min": 0.0,
                                      "max": None, "base_value": 0.1, "base_uom": ""}],
                        "exit_code": code, "state_type": 1, "current_attempt": 1, "max_attempts": 1,
                        "last_check": start, "last_state_change": start, "last_hard_state": code,
                        "last_hard_state_change": start, "is_flapping": False, "percent_state_change": 0.0,
                    }
                yield (f"job{j:03d}", str(uuid.UUID(int=rng.getrandbits(128))), schedule, start, stop, code, "schedule",
                       "{}", json.dumps(data))

    db.executemany("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?)", rows())
    db.commit()
    db.close()
    return home


def cold_dump(bindir, home):
    env = dict(os.environ, DSARI_HOME=home)
    begin = time.perf_counter()
    proc = subprocess.Popen([f"{bindir}/dsari-prometheus-exporter", "-c", f"{home}/etc", "--dump"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - begin
    if status != 0:
        sys.exit(f"--dump failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024, out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def warm_scrapes(bindir, home, count):
    port = free_port()
    env = dict(os.environ, DSARI_HOME=home)
    server = subprocess.Popen([f"{bindir}/dsari-prometheus-exporter", "-c", f"{home}/etc", "--listen-address", "127.0.0.1",
                               "--listen-port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", "/metrics")
                body = conn.getresponse().read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        times = []
        for _ in range(count):
            begin = time.perf_counter()
            conn.request("GET", "/metrics")
            response = conn.getresponse()
            body = response.read()
            times.append(time.perf_counter() - begin)
            assert response.status == 200 and b"dsari_run_count" in body
        return [t * 1000 for t in times], len(body)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--runs-per-job", type=int, default=10_000)
    parser.add_argument("--small-runs-per-job", type=int, default=10)
    parser.add_argument("--scrapes", type=int, default=500)
    args = parser.parse_args()
    bindir = bin_path()
    print(f"machine: {os.cpu_count()} cores, {os.uname().release}; release build in {bindir}\n")
    results = {}
    for label, per_job in (("large", args.runs_per_job), ("small", args.small_runs_per_job)):
        home = make_home(args.jobs, per_job)
        cold_s, cold_mb, dump = cold_dump(bindir, home)
        warm, size = warm_scrapes(bindir, home, args.scrapes)
        results[label] = {"runs": args.jobs * per_job, "cold_s": cold_s, "cold_mb": cold_mb, "p50": percentile(warm, 0.5),
                          "p99": percentile(warm, 0.99), "max": max(warm), "bytes": size}
        subprocess.run(["rm", "-rf", home])
    large, small = results["large"], results["small"]
    print(f"{'':34}{'runs':>10}{'cold s':>9}{'cold MB':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'body B':>9}")
    for label in ("large", "small"):
        r = results[label]
        print(f"  {label:32}{r['runs']:>10}{r['cold_s']:>9.3f}{r['cold_mb']:>9.1f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
              f"{r['max']:>9.2f}{r['bytes']:>9}")
    ratio = large["p99"] / small["p99"]
    print()
    print(f"  {'metric':32}{'measured':>12}{'target':>10}{'dsari 2.0':>11}")
    print(f"  {'cold --dump, s':32}{large['cold_s']:>12.3f}{'<= 0.7':>10}{DSARI['cold_s']:>11}"
          f"   ({DSARI['cold_s'] / large['cold_s']:.0f}x faster)")
    print(f"  {'cold --dump peak RSS, MB':32}{large['cold_mb']:>12.1f}{'<= 64':>10}{DSARI['cold_mb']:>11}")
    print(f"  {'warm scrape p99, ms':32}{large['p99']:>12.2f}{'<= 20':>10}")
    print(f"  {'warm p99 large / small':32}{ratio:>12.2f}{'<= 2.0':>10}")


if __name__ == "__main__":
    main()
