"""dsari 2.0's run times: for every run in the SQLite database named by the
argument (both tables), [run_id, schedule, start, stop] as dsari-info prints
them, datetime.fromtimestamp(t).astimezone().isoformat() in the zone of TZ,
stop null while running; one JSON list, ordered by run id as dsari's
json.dumps(sort_keys=True) orders them. Test oracle for `run list`."""
import datetime
import json
import sqlite3
import sys


def iso(t):
    return None if t is None else datetime.datetime.fromtimestamp(t).astimezone().isoformat()


db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT run_id, schedule_time, start_time, stop_time FROM runs").fetchall()
rows += db.execute("SELECT run_id, schedule_time, start_time, NULL FROM runs_running").fetchall()
print(json.dumps([[run_id, iso(s), iso(b), iso(e)] for run_id, s, b, e in sorted(rows)]))
