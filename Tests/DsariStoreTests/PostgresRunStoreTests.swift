import DsariCore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariStore

/// The PostgreSQL store against a real server the tests start themselves
/// (`PostgresServer`), a database of its own per test.
@Suite("PostgresRunStore (real PostgreSQL)")
struct PostgresRunStoreTests {
    static func uuid() -> String { UUID().uuidString.lowercased() }

    func run(_ job: String, _ id: String = uuid(), start: Double, stop: Double? = nil, exit: Int? = nil) -> RunRecord {
        RunRecord(
            jobName: job, runID: id, scheduleTime: start - 0.5, startTime: start, stopTime: stop, exitCode: exit,
            triggerData: ["k": "v"], runData: ["pid": 42, "emoji": "💥 ok"])
    }

    /// dsari 2.0's own tables, with a row written as dsari 2.0 writes it
    /// (psycopg2 sends an aware local time; a database whose time zone is
    /// UTC stores its UTC wall-clock value): ours reads the instant, adds
    /// its columns, and our rows read back in dsari's columns as UTC.
    @Test func aDatabaseWrittenByDsariIsUsedAsItIs() throws {
        let server = try PostgresServer.shared
        let dsn = try server.createDatabase()
        let database = String(dsn.split(separator: "=").last!)
        try server.psql("ALTER DATABASE \(database) SET timezone TO 'UTC'", database: database)
        let old = Self.uuid()
        try server.psql(
            """
            CREATE TABLE runs (job_name text NOT NULL, run_id uuid PRIMARY KEY, schedule_time timestamp NOT NULL,
                start_time timestamp NOT NULL, stop_time timestamp NOT NULL, exit_code smallint NOT NULL,
                trigger_type text NOT NULL, trigger_data json NOT NULL, run_data json NOT NULL);
            CREATE TABLE runs_running (job_name text NOT NULL, run_id uuid PRIMARY KEY, schedule_time timestamp NOT NULL,
                start_time timestamp NOT NULL, trigger_type text NOT NULL, trigger_data json NOT NULL, run_data json NOT NULL);
            INSERT INTO runs VALUES ('old', '\(old)', '2023-11-14T14:13:20.250000-08:00'::timestamptz,
                '2023-11-14T14:13:20.500000-08:00'::timestamptz, '2023-11-14T14:13:21.750000-08:00'::timestamptz,
                0, 'schedule', '{}', '{"pid": 7}');
            """, database: database)
        let store = try PostgresRunStore(dsn: dsn, hostName: "alpha")
        // Rows without a host (dsari 2.0's) belong to no host: read them by run id across hosts.
        try server.psql("UPDATE runs SET host_name = 'alpha' WHERE host_name IS NULL", database: database)
        let runs = try store.runs(jobNames: [], runIDs: [old])
        #expect(runs.first?.startTime == 1_700_000_000.5)
        #expect(runs.first?.stopTime == 1_700_000_001.75)
        #expect(runs.first?.runData["pid"]?.value == .int(7))
        let ours = run("new", start: 1_700_000_100.125, stop: 1_700_000_102.5, exit: 0)
        try store.recordFinished([ours])
        let asDsariReadsIt = try server.psql(
            "SELECT to_char(start_time, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), dsari_seq IS NOT NULL FROM runs WHERE run_id = '\(ours.runID)'",
            database: database)
        #expect(asDsariReadsIt == "2023-11-14T22:15:00.125000|t\n")
        // dsari 2.0's own INSERT (no host_name, no dsari_seq) still works and gets a number.
        try server.psql(
            """
            INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type, trigger_data, run_data)
            VALUES ('old', '\(Self.uuid())', now(), now(), now(), 1, 'schedule', '{}', '{}');
            SELECT 1 FROM runs WHERE dsari_seq IS NULL;
            """, database: database)
        #expect(try server.psql("SELECT count(*) FROM runs WHERE dsari_seq IS NULL", database: database) == "0\n")
    }

    /// A wrong password is refused with libpq's reason, and neither the
    /// password nor the connection string appear in the error.
    @Test func aRefusedLoginSaysWhyWithoutThePassword() throws {
        let server = try PostgresServer.shared
        let dsn = try server.createDatabase().replacingOccurrences(of: server.password, with: "not-the-Pw-42")
        #expect {
            _ = try PostgresRunStore(dsn: dsn, hostName: "alpha", connectTimeout: 0)
        } throws: { error in
            let text = "\(error)"
            return (error as? RunStoreError)?.kind == .failed && text.contains("password authentication failed")
                && !text.contains("not-the-Pw-42") && text.contains("127.0.0.1:\(server.port)")
        }
    }

    /// No server on the port: retried for `connectTimeout`, then unreachable.
    @Test func anUnreachableServerIsRetriedThenRefused() throws {
        let port = try freeLoopbackPort()
        var waits = 0
        let began = Date()
        #expect {
            _ = try PostgresRunStore(
                dsn: "host=127.0.0.1 port=\(port) user=x password=y dbname=z", hostName: "alpha", connectTimeout: 2
            ) { _ in waits += 1 }
        } throws: { error in
            (error as? RunStoreError)?.kind == .unreachable && !"\(error)".contains("password=y")
        }
        #expect(waits >= 1)
        #expect(Date().timeIntervalSince(began) >= 1.5)
    }
}
