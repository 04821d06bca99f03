#!/usr/bin/env python3
"""dsari-swift engine benchmark (issue #3). Not a test: it prints a table.

  bench/bench.py [--seconds 60] [--ceiling 200,400,600,800] [--runs 100000] [--skip a,b,c,d]

(a) 50 jobs scheduled every second running /bin/true for --seconds:
    recorded runs/s, skipped seconds, latency (start - schedule) p50/p99/max,
    daemon CPU and peak RSS.
(b) the throughput ceiling: N per-second jobs for 20 s each, runs/s recorded.
(c) `dsari-info run list --format json` over a database of --runs runs:
    time and peak RSS.
(d) daemon RSS with 1000 configured (hourly) jobs, idle.
Ratios are against dsari 2.0's numbers on this kind of machine (issue #3).
Uses the release build (`swift build -c release`).
"""
import argparse
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DSARI_BASELINE = {"a_runs_per_s": 46.7, "a_skipped_pct": 8.0, "a_p99": 0.80, "c_seconds": 4.9, "c_rss_mb": 386}


def bin_path():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip()


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


def proc_stats(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024
    return cpu, rss


def timed_daemon(bindir, home, seconds, settle=2.0):
    """Runs dsari-daemon on `home` for `seconds` after `settle`; (begin, end, CPU seconds, peak RSS MB)."""
    log = open(f"{home}/daemon.log", "w")
    daemon = subprocess.Popen([f"{bindir}/dsari-daemon", "-c", f"{home}/etc"], env=dict(os.environ, DSARI_HOME=home),
                              stderr=log, stdout=log)
    time.sleep(settle)
    begin = time.time()
    cpu0, _ = proc_stats(daemon.pid)
    time.sleep(seconds)
    end = time.time()
    cpu1, rss = proc_stats(daemon.pid)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=60)
    return begin, end, cpu1 - cpu0, rss


def run_daemon(bindir, jobs_yaml, seconds, settle=2.0):
    home = tempfile.mkdtemp(prefix="dsari-bench.")
    os.makedirs(f"{home}/etc")
    with open(f"{home}/etc/dsari.yaml", "w") as f:
        f.write(jobs_yaml)
    begin, end, cpu, rss = timed_daemon(bindir, home, seconds, settle)
    db = sqlite3.connect(f"{home}/var/dsari.sqlite3")
    rows = db.execute(
        "SELECT job_name, schedule_time, start_time FROM runs WHERE schedule_time >= ? AND schedule_time < ?", (begin, end)
    ).fetchall()
    return home, rows, end - begin, cpu, rss


def per_second_jobs(n, command="/bin/true"):
    lines = ["jobs:"]
    for i in range(n):
        lines.append(f"  j{i:04d}: {{command: [{command}], schedule: '* * * * * *'}}")
    return "\n".join(lines) + "\n"


def bench_a(bindir, seconds):
    home, rows, span, cpu, rss = run_daemon(bindir, per_second_jobs(50), seconds)
    latencies = [start - sched for _, sched, start in rows]
    expected = 50 * int(span)
    seen = {(job, int(sched)) for job, sched, _ in rows}
    skipped = max(0, expected - len(seen))
    return {
        "runs_per_s": len(rows) / span,
        "skipped_pct": 100.0 * skipped / expected,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000 if latencies else float("nan"),
        "cpu_pct": 100.0 * cpu / span,
        "rss_mb": rss,
    }


def bench_b(bindir, levels):
    results = []
    for n in levels:
        _, rows, span, cpu, rss = run_daemon(bindir, per_second_jobs(n), 20)
        latencies = [start - sched for _, sched, start in rows]
        results.append((n, len(rows) / span, percentile(latencies, 0.99) * 1000, 100.0 * cpu / span, rss))
    return results


def bench_c(bindir, count):
    home = tempfile.mkdtemp(prefix="dsari-bench-c.")
    os.makedirs(f"{home}/etc")
    os.makedirs(f"{home}/var")
    with open(f"{home}/etc/dsari.yaml", "w") as f:
        f.write("jobs:\n" + "".join(f"  job{i}: {{command: [/bin/true]}}\n" for i in range(20)))
    # Let the daemon's store create the schema: open it once with dsari-info (read) is not enough; use sqlite3 directly.
    db = sqlite3.connect(f"{home}/var/dsari.sqlite3")
    db.executescript(
        "CREATE TABLE runs (job_name text, run_id text, schedule_time real, start_time real, stop_time real, exit_code integer,"
        " trigger_type text, trigger_data text, run_data text);"
        "CREATE TABLE runs_running (job_name text, run_id text, schedule_time real, start_time real, trigger_type text,"
        " trigger_data text, run_data text);"
    )
    t0 = 1.7e9
    db.executemany(
        "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?)",
        (
            (f"job{i % 20}", str(uuid.uuid4()), t0 + i, t0 + i + 0.01, t0 + i + 1.5, i % 7 == 0, "schedule", "{}",
             json.dumps({"pid": 1000 + i, "output_bytes": 120}))
            for i in range(count)
        ),
    )
    db.commit()
    db.close()
    env = dict(os.environ, DSARI_HOME=home)
    start = time.time()
    proc = subprocess.Popen(
        [f"{bindir}/dsari-info", "-c", f"{home}/etc", "run", "list", "--format", "json"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, _, usage = os.wait4(proc.pid, 0)
    elapsed = time.time() - start
    return elapsed, usage.ru_maxrss / 1024


def bench_d(bindir):
    lines = ["jobs:"] + [f"  idle{i:04d}: {{command: [/bin/true], schedule: '@hourly'}}" for i in range(1000)]
    _, _, _, _, rss = run_daemon(bindir, "\n".join(lines) + "\n", 5)
    return rss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ceiling", default="200,400,600,800")
    parser.add_argument("--runs", type=int, default=100000)
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
    bindir = bin_path()
    print(f"machine: {os.cpu_count()} cores, {os.uname().release}; release build in {bindir}")
    if "a" not in skip:
        a = bench_a(bindir, args.seconds)
        print(f"\n(a) 50 jobs x every second, /bin/true, {args.seconds} s")
        print(f"  {'metric':<22}{'dsari-swift':>14}{'dsari 2.0':>12}{'ratio':>10}")
        print(f"  {'recorded runs/s':<22}{a['runs_per_s']:>14.1f}{DSARI_BASELINE['a_runs_per_s']:>12.1f}{a['runs_per_s'] / DSARI_BASELINE['a_runs_per_s']:>9.2f}x")
        print(f"  {'skipped seconds %':<22}{a['skipped_pct']:>14.2f}{DSARI_BASELINE['a_skipped_pct']:>12.1f}")
        print(f"  {'latency p50 ms':<22}{a['p50_ms']:>14.2f}")
        print(f"  {'latency p99 ms':<22}{a['p99_ms']:>14.2f}{DSARI_BASELINE['a_p99'] * 1000:>12.0f}{DSARI_BASELINE['a_p99'] * 1000 / a['p99_ms']:>9.0f}x better")
        print(f"  {'latency max ms':<22}{a['max_ms']:>14.2f}")
        print(f"  {'daemon CPU %':<22}{a['cpu_pct']:>14.1f}")
        print(f"  {'daemon peak RSS MB':<22}{a['rss_mb']:>14.1f}")
    if "b" not in skip:
        print("\n(b) throughput ceiling: N jobs every second, 20 s each")
        print(f"  {'jobs':>6}{'runs/s':>10}{'p99 ms':>10}{'CPU %':>8}{'RSS MB':>8}")
        for n, rate, p99, cpu, rss in bench_b(bindir, [int(x) for x in args.ceiling.split(",")]):
            print(f"  {n:>6}{rate:>10.1f}{p99:>10.2f}{cpu:>8.1f}{rss:>8.1f}")
    if "c" not in skip:
        elapsed, rss = bench_c(bindir, args.runs)
        print(f"\n(c) dsari-info run list --format json over {args.runs} runs")
        print(f"  time {elapsed:.3f} s (dsari 2.0: {DSARI_BASELINE['c_seconds']} s, {DSARI_BASELINE['c_seconds'] / elapsed:.1f}x faster); "
              f"peak RSS {rss:.1f} MB (dsari 2.0: {DSARI_BASELINE['c_rss_mb']} MB)")
    if "d" not in skip:
        print(f"\n(d) daemon peak RSS with 1000 configured jobs, idle: {bench_d(bindir):.1f} MB (target <= 30 MB)")


if __name__ == "__main__":
    sys.exit(main())
