#!/usr/bin/env python3
"""Reference schedule times computed the way dsari 2.0 computes them.

A test oracle only (the product does not use Python): croniter 7.0.0 for
cron, python-dateutil's rrule for RRULE, with dsari's hash expansion, its
sub-second offset and the hashed DTSTART of SPEC section 4. Times are UTC.

Usage: schedule_oracle.py --seed N --cases K
Prints one JSON object per line:
  {"schedule": S, "job": J, "after_us": A, "times_us": [...]}   or
  {"schedule": S, "job": J, "after_us": A, "error": "..."}
"""
import argparse
import binascii
import datetime
import json
import random
import re

import croniter
from dateutil import rrule

EPOCH = datetime.datetime(1970, 1, 1)
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6), (0, 59)]
ALIASES = {
    "@midnight": "H H(0-2) * * * H",
    "@hourly": "H * * * * H",
    "@daily": "H H * * * H",
    "@weekly": "H H * * H H",
    "@monthly": "H H H * * H",
    "@yearly": "H H H H * H",
    "@annually": "H H H H * H",
}


def crc_of(job):
    return binascii.crc32(job.encode("utf-8")) & 0xFFFFFFFF


def hash_do(crc, position, range_end=None, range_begin=None):
    # dsari's croniter_hash._hash_do: a bound of 0 counts as "not set".
    if not range_end:
        range_end = RANGES[position][1]
    if not range_begin:
        range_begin = RANGES[position][0]
    return ((crc >> position) % (range_end - range_begin + 1)) + range_begin


def hash_expand_item(item, crc, idx):
    if item == "H":
        return str(hash_do(crc, idx))
    m = re.match(r"^H\((\d+)-(\d+)\)/(\d+)$", item)
    if m:
        return "%d-%d/%d" % (hash_do(crc, idx, int(m.group(3))) + int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"^H\((\d+)-(\d+)\)$", item)
    if m:
        return str(hash_do(crc, idx, int(m.group(2)), int(m.group(1))))
    m = re.match(r"^H/(\d+)$", item)
    if m:
        return "%d-%d/%d" % (hash_do(crc, idx, int(m.group(1))), RANGES[idx][1], int(m.group(1)))
    return item


def to_us(dt):
    return (dt - EPOCH) // datetime.timedelta(microseconds=1)


def from_us(us):
    return EPOCH + datetime.timedelta(microseconds=us)


def next_times(schedule, job, after_us, count):
    crc = crc_of(job)
    offset = datetime.timedelta(seconds=float(crc) / float(0xFFFFFFFF))
    start = from_us(after_us)
    out = []
    if schedule.upper().startswith("RRULE:"):
        for _ in range(count):
            whole = to_us(start) // 1_000_000
            dtstart = from_us((whole - ((whole - crc) % 86400)) * 1_000_000)
            try:
                t = rrule.rrulestr(schedule, dtstart=dtstart).after(start)
            except ValueError as error:
                # dateutil's way of saying that, from this DTSTART, the
                # INTERVAL and BYHOUR/BYMINUTE/BYSECOND never meet: no run.
                if "empty set" not in str(error):
                    raise
                t = None
            if t is None:
                break
            start = t + offset
            out.append(to_us(start))
        return out
    expr = ALIASES.get(schedule, schedule)
    items = expr.split()
    if len(items) == 5:
        items.append("H")
    expanded = " ".join(hash_expand_item(item, crc, idx) for idx, item in enumerate(items))
    it = croniter.croniter(expanded, start)
    for _ in range(count):
        start = it.get_next(datetime.datetime) + offset
        it = croniter.croniter(expanded, start)
        out.append(to_us(start))
    return out


def random_cron_field(rng, idx):
    lo, hi = RANGES[idx]
    kind = rng.random()
    if kind < 0.25:
        return "*"
    if kind < 0.35:
        return "H"
    if kind < 0.42:
        return "H/%d" % rng.randint(2, (hi - lo) // 2 + 1)
    if kind < 0.50:
        a = rng.randint(lo, hi)
        b = rng.randint(a, hi)
        return "H(%d-%d)" % (a, b)
    if kind < 0.58:
        return "*/%d" % rng.randint(2, max(2, (hi - lo) // 2))
    if kind < 0.70:
        a = rng.randint(lo, hi)
        b = rng.randint(a, hi)
        return "%d-%d" % (a, b)
    if kind < 0.85:
        values = sorted(set(rng.randint(lo, hi) for _ in range(rng.randint(1, 4))))
        return ",".join(str(v) for v in values)
    a = rng.randint(lo, hi)
    b = rng.randint(a, hi)
    return "%d-%d/%d" % (a, b, rng.randint(1, 5))


def random_rrule(rng):
    freq = rng.choice(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "DAILY", "WEEKLY", "MONTHLY", "MONTHLY", "YEARLY"])
    parts = ["FREQ=" + freq]
    if rng.random() < 0.4:
        parts.append("INTERVAL=%d" % rng.randint(1, 5))
    days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    if freq in ("SECONDLY", "MINUTELY") or rng.random() < 0.5:
        parts.append("BYHOUR=" + ",".join(str(h) for h in sorted(set(rng.randint(0, 23) for _ in range(rng.randint(1, 3))))))
    if freq == "SECONDLY" or rng.random() < 0.4:
        parts.append("BYMINUTE=" + ",".join(str(m) for m in sorted(set(rng.randint(0, 59) for _ in range(rng.randint(1, 3))))))
    if rng.random() < 0.3:
        parts.append("BYSECOND=" + str(rng.randint(0, 59)))
    if rng.random() < 0.4:
        if freq in ("MONTHLY", "YEARLY") and rng.random() < 0.5:
            parts.append("BYDAY=%s%s" % (rng.choice(["1", "2", "-1", "-2", "3"]), rng.choice(days)))
        else:
            parts.append("BYDAY=" + ",".join(sorted(set(rng.choice(days) for _ in range(rng.randint(1, 3))))))
    if rng.random() < 0.3:
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in sorted(set(rng.choice([1, 2, 13, 15, 28, 29, 30, 31, -1, -2]) for _ in range(rng.randint(1, 2))))))
    if rng.random() < 0.25:
        parts.append("BYMONTH=" + ",".join(str(m) for m in sorted(set(rng.randint(1, 12) for _ in range(rng.randint(1, 3))))))
    if freq in ("MONTHLY", "YEARLY", "WEEKLY") and rng.random() < 0.15:
        parts.append("BYSETPOS=" + rng.choice(["1", "-1", "2"]))
    if rng.random() < 0.15:
        parts.append("UNTIL=%04d%02d%02dT000000" % (rng.randint(2000, 2040), rng.randint(1, 12), rng.randint(1, 28)))
    rng.shuffle(parts)
    return rng.choice(["RRULE:", "rrule:", "RRule:"]) + ";".join(parts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--kind", choices=["cron", "rrule", "both"], default="both")
    parser.add_argument("--count", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    jobs = ["hello", "build", "nrpe_check_load", "job with spaces", "ünïcode", "a", "backup-db:01@host"]
    for _ in range(args.cases):
        job = rng.choice(jobs) if rng.random() < 0.5 else "job%d" % rng.randint(0, 10**6)
        after_us = rng.randint(946684800, 2208988800) * 1_000_000 + rng.choice([0, rng.randint(0, 999999)])
        use_rrule = args.kind == "rrule" or (args.kind == "both" and rng.random() < 0.4)
        if use_rrule:
            schedule = random_rrule(rng)
        elif rng.random() < 0.1:
            schedule = rng.choice(list(ALIASES))
        else:
            fields = [random_cron_field(rng, idx) for idx in range(6)]
            if rng.random() < 0.5:
                fields = fields[:5]
            schedule = " ".join(fields)
        record = {"schedule": schedule, "job": job, "after_us": after_us}
        try:
            record["times_us"] = next_times(schedule, job, after_us, args.count)
        except Exception as error:  # croniter refused it: the test expects us to refuse too
            record["error"] = "%s: %s" % (type(error).__name__, error)
        print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
