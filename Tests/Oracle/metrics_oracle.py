#!/usr/bin/env python3
"""dsari 2.0's job metrics, computed as its exporter computes them (test oracle).

Usage: metrics_oracle.py DATABASE JOB[,JOB...] [QUANTILES]
Prints the families dsari's get_job_metrics() builds (counts, summaries and
last-run gauges), in its build_metrics_text() format, for the given jobs.
Times are read as dsari reads them: datetime.fromtimestamp (microseconds),
then timedelta.total_seconds(). Run with TZ=UTC.
"""
import datetime
import math
import sqlite3
import sys


def percentile(values, percent):
    if not values:
        return None
    k = (len(values) - 1) * percent
    f = math.floor(k)
    c = math.ceil(k)
    if f == c:
        return values[int(k)]
    return values[int(f)] * (c - k) + values[int(c)] * (k - f)


def main():
    db = sqlite3.connect(sys.argv[1])
    jobs = sorted(sys.argv[2].split(","))
    quantiles = [float(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "0.01,0.1,0.5,0.9,0.99").split(",")]
    epoch = datetime.datetime.fromtimestamp
    metrics = {}

    def add(name, labels, value, help=None, type=None):
        family = metrics.setdefault(name, {"values": [], "help": help, "type": type})
        family["values"].append((labels, value))

    for job in jobs:
        runs = [
            {"schedule_time": epoch(r[0]), "start_time": epoch(r[1]), "stop_time": epoch(r[2]), "exit_code": r[3]}
            for r in db.execute(
                "SELECT schedule_time, start_time, stop_time, exit_code FROM runs WHERE job_name = ? ORDER BY rowid", (job,)
            )
        ]
        label = {"job_name": job}
        add("dsari_run_count", label, len(runs), "Number of runs performed for a job", "counter")
        add("dsari_run_success_count", label, len([r for r in runs if r["exit_code"] == 0]),
            "Number of successful runs performed for a job", "counter")
        add("dsari_run_failure_count", label, len([r for r in runs if r["exit_code"] != 0]),
            "Number of failed runs performed for a job", "counter")
        if not runs:
            continue
        last = sorted(runs, key=lambda r: r["stop_time"])[-1]
        durations = [(r["stop_time"] - r["start_time"]).total_seconds() for r in runs]
        latencies = [(r["start_time"] - r["schedule_time"]).total_seconds() for r in runs]
        for q in quantiles:
            add("dsari_run_duration_seconds", {"job_name": job, "quantile": str(q)}, percentile(sorted(durations), q),
                "Length of time spent in a run", "summary")
            add("dsari_run_latency_seconds", {"job_name": job, "quantile": str(q)}, percentile(sorted(latencies), q),
                "Length of time spent between scheduled start and actual start", "summary")
        add("dsari_run_duration_seconds_sum", label, sum(durations))
        add("dsari_run_duration_seconds_count", label, len(runs))
        add("dsari_run_latency_seconds_sum", label, sum(latencies))
        add("dsari_run_latency_seconds_count", label, len(runs))
        add("dsari_last_run_exit_code", label, last["exit_code"], "Numeric exit code of the last run for a job", "gauge")
        add("dsari_last_run_schedule_time", label, last["schedule_time"].timestamp(),
            "Schedule time of the last run for a job, seconds since epoch", "gauge")
        add("dsari_last_run_start_time", label, last["start_time"].timestamp(),
            "Start time of the last run for a job, seconds since epoch", "gauge")
        add("dsari_last_run_stop_time", label, last["stop_time"].timestamp(),
            "Stop time of the last run for a job, seconds since epoch", "gauge")
    out = ""
    for name in sorted(metrics):
        family = metrics[name]
        if family["help"]:
            out += "# HELP {} {}\n".format(name, family["help"])
        if family["type"]:
            out += "# TYPE {} {}\n".format(name, family["type"])
        for labels, value in family["values"]:
            out += "{}{{{}}} {}\n".format(name, ",".join('{}="{}"'.format(k, labels[k]) for k in sorted(labels)), value)
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
