import DsariCore
import DsariTestSupport
import Foundation
import Synchronization
import Testing

@testable import DsariStore

/// The MySQL store against a real MariaDB server the tests start themselves
/// (`MariaDBServer`, whose default character set is latin1 as a server
/// without Debian's configuration has), a database of its own per test.
@Suite("MySQLRunStore (real MariaDB)")
struct MySQLRunStoreTests {
    static func uuid() -> String { UUID().uuidString.lowercased() }

    func run(_ job: String, _ id: String = uuid(), start: Double, stop: Double? = nil, exit: Int? = nil) -> RunRecord {
        RunRecord(
            jobName: job, runID: id, scheduleTime: start - 0.5, startTime: start, stopTime: stop, exitCode: exit,
            triggerData: ["k": "v"], runData: ["pid": 42, "emoji": "💥 ok"])
    }

    /// A fresh database: its name and connection.
    func database() throws -> (MariaDBServer, String, MySQLConnectionOptions) {
        let server = try MariaDBServer.shared
        let name = try server.createDatabase()
        return (server, name, server.options(database: name))
    }

    /// dsari 2.0's own tables (latin1, as the server's default made them),
    /// with a row written as dsari 2.0 writes it: mysqlclient sends the
    /// daemon's local wall-clock time, here a host in UTC. Ours reads the
    /// instant, widens and adds its columns; our rows read back in dsari's
    /// columns as UTC wall-clock times, with exit codes dsari's column could
    /// not hold and 4-byte characters.
    @Test func aDatabaseWrittenByDsariIsUsedAsItIs() throws {
        let (server, name, options) = try database()
        let old = Self.uuid()
        try server.sql(
            """
            CREATE TABLE runs (job_name varchar(255) NOT NULL, run_id char(36) PRIMARY KEY,
              schedule_time datetime(6) NOT NULL, start_time datetime(6) NOT NULL,
              stop_time datetime(6) NOT NULL, exit_code tinyint unsigned NOT NULL,
              trigger_type varchar(127) NOT NULL, trigger_data text NOT NULL, run_data text NOT NULL);
            CREATE TABLE runs_running (job_name varchar(255) NOT NULL, run_id char(36) PRIMARY KEY,
              schedule_time datetime(6) NOT NULL, start_time datetime(6) NOT NULL,
              trigger_type varchar(127) NOT NULL, trigger_data text NOT NULL, run_data text NOT NULL);
            INSERT INTO runs VALUES ('old', '\(old)', '2023-11-14 22:13:20.250000', '2023-11-14 22:13:20.500000',
              '2023-11-14 22:13:21.750000', 0, 'schedule', '{}', '{"pid": 7}');
            """, database: name)
        #expect(
            try server.sql(
                "SELECT CHARACTER_SET_NAME FROM information_schema.columns WHERE table_schema = '\(name)' AND table_name = 'runs' AND column_name = 'job_name'",
                database: name) == "latin1\n")
        let store = try MySQLRunStore(options: options, hostName: "alpha")
        let runs = try store.runs(RunQuery(runIDs: [old], hosts: .all))
        #expect(runs.first?.startTime == 1_700_000_000.5)
        #expect(runs.first?.scheduleTime == 1_700_000_000.25)
        #expect(runs.first?.stopTime == 1_700_000_001.75)
        #expect(runs.first?.runData["pid"]?.value == .int(7))
        // Rows without a host (dsari 2.0's) belong to no host.
        #expect(try store.runs(RunQuery(runIDs: [old])).isEmpty)
        let emoji = "disk 💾 full — ünïcode"
        var ours = run("new 🚀", start: 1_700_000_100.125, stop: 1_700_000_102.5, exit: -1)
        ours.runData = ["nagios": ["current_state": 2, "output": .string(emoji)], "long": .string(String(repeating: "x", count: 100_000))]
        let signalled = run("new 🚀", start: 1_700_000_200, stop: 1_700_000_201, exit: 137)
        try store.recordFinished([ours, signalled])
        let asDsariReadsIt = try server.sql(
            "SELECT DATE_FORMAT(start_time, '%Y-%m-%dT%H:%i:%s.%f'), exit_code, dsari_seq IS NOT NULL FROM runs WHERE run_id = '\(ours.runID)'",
            database: name)
        #expect(asDsariReadsIt == "2023-11-14T22:15:00.125000\t-1\t1\n")
        let back = try store.runs(RunQuery(jobNames: ["new 🚀"]))
        #expect(back == [ours, signalled])
        #expect(try store.latestCheckResult(jobName: "new 🚀")?["output"]?.value == .string(emoji))
        // dsari 2.0's own INSERT (no host_name, no dsari_seq) still works and gets a number.
        try server.sql(
            """
            INSERT INTO runs (job_name, run_id, schedule_time, start_time, stop_time, exit_code, trigger_type, trigger_data, run_data)
            VALUES ('old', '\(Self.uuid())', NOW(6), NOW(6), NOW(6), 1, 'schedule', '{}', '{}');
            """, database: name)
        #expect(try server.sql("SELECT COUNT(*) FROM runs WHERE dsari_seq IS NULL", database: name) == "0\n")
        // A second daemon starting on the migrated database changes nothing.
        _ = try MySQLRunStore(options: options, hostName: "beta")
        #expect(try server.sql("SELECT COUNT(*), MAX(version) FROM dsari_swift_migrations", database: name) == "4\t4\n")
    }

    /// The session's time zone makes the columns UTC: the same instant
    /// reads the same whatever zone the server or this process is in.
    @Test func timesAreUTCWallClockWhateverTheServersZone() throws {
        let (server, name, options) = try database()
        let store = try MySQLRunStore(options: options, hostName: "alpha")
        try store.recordFinished([run("tz", start: 1_719_835_200.5, stop: 1_719_835_201, exit: 0)])  // 2024-07-01 12:00:00.5 UTC
        // A session in another zone (as a dsari 2.0 client would be) sees the UTC wall clock.
        let seen = try server.sql(
            "SET time_zone = '+09:00'; SELECT DATE_FORMAT(start_time, '%Y-%m-%d %H:%i:%s.%f'), UNIX_TIMESTAMP(start_time) FROM runs",
            database: name)
        #expect(seen == "2024-07-01 12:00:00.500000\t1719802800.500000\n", "read in +09:00, the wall clock is taken as +09:00")
        #expect(try store.runs(jobNames: ["tz"], runIDs: []).first?.startTime == 1_719_835_200.5)
    }

    /// Two hosts finishing runs at once while a reader follows the ordered
    /// key: the reader sees every run exactly once (numbers in commit order).
    @Test func aReaderFollowingTheOrderedKeyMissesNothingUnderConcurrentWriters() throws {
        let (_, _, options) = try database()
        let writers = try ["alpha", "beta", "gamma"].map { try MySQLRunStore(options: options, hostName: $0) }
        let reader = try MySQLRunStore(options: options, hostName: "alpha", readOnly: true)
        let perWriter = 150
        let writing = DispatchGroup()
        for (index, writer) in writers.enumerated() {
            DispatchQueue.global().async(group: writing) {
                for batch in 0..<(perWriter / 3) {
                    let runs = (0..<3).map { offset in
                        self.run(
                            "w\(index)", start: 1_700_000_000 + Double(batch * 3 + offset), stop: 1_700_000_001 + Double(batch), exit: 0)
                    }
                    try? writer.recordFinished(runs)
                }
            }
        }
        var seen: [String: Int] = [:]
        var position: Int64 = 0
        var finished = false
        while !finished {
            finished = writing.wait(timeout: .now()) == .success
            try reader.forEachFinishedRun(after: position, hosts: .all) { times in
                seen["\(times.hostName)/\(times.jobName)/\(times.startTime)", default: 0] += 1
                position = times.position
            }
        }
        #expect(seen.count == writers.count * perWriter)
        #expect(seen.values.allSatisfy { $0 == 1 })
    }

    /// A batch is one transaction: a change the server refuses (a value too
    /// long for its column: strict mode, never cut) undoes the batch, and
    /// the connection goes on working.
    @Test func aRefusedChangeUndoesItsWholeBatch() throws {
        let (_, _, options) = try database()
        let store = try MySQLRunStore(options: options, hostName: "alpha")
        let first = run("fine", start: 1_700_000_000)
        let refused = run("fine", start: 1_700_000_001)
        var tooLong = refused
        tooLong.triggerType = String(repeating: "t", count: 200)  // varchar(127)
        #expect(throws: RunStoreError.self) { try store.apply([.started(first), .started(tooLong)]) }
        #expect(try store.runningRuns().isEmpty)
        try store.apply([.started(first), .started(refused)])
        #expect(try store.runningRuns().map(\.runID) == [first.runID, refused.runID])
    }

    /// A wrong password is refused with the server's reason, and the
    /// password appears nowhere in the error.
    @Test func aRefusedLoginSaysWhyWithoutThePassword() throws {
        let (server, _, options) = try database()
        var wrong = options
        wrong.password = "not-the-My-42"
        #expect {
            _ = try MySQLRunStore(options: wrong, hostName: "alpha", connectTimeout: 5)
        } throws: { error in
            let text = "\(error)"
            return (error as? RunStoreError)?.kind == .failed && text.contains("Access denied") && !text.contains("not-the-My-42")
                && text.contains("127.0.0.1:\(server.port)")
        }
    }

    /// No server on the port: retried for `connectTimeout`, then unreachable.
    @Test func anUnreachableServerIsRetriedThenRefused() throws {
        let port = try freeLoopbackPort()
        var waits = 0
        let began = Date()
        #expect {
            _ = try MySQLRunStore(
                options: MySQLConnectionOptions(host: "127.0.0.1", port: Int(port), user: "x", password: "y-secret", database: "z"),
                hostName: "alpha", connectTimeout: 2
            ) { _ in waits += 1 }
        } throws: { error in
            (error as? RunStoreError)?.kind == .unreachable && !"\(error)".contains("y-secret")
        }
        #expect(waits >= 1)
        #expect(Date().timeIntervalSince(began) >= 1.5)
    }

    /// `read_default_file`: the user, password, host and port from an option file.
    @Test func anOptionFileSuppliesTheCredentials() throws {
        let (server, name, _) = try database()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            "my.cnf", "[client]\nuser=\(server.user)\npassword=\(server.password)\nhost=127.0.0.1\nport=\(server.port)\n")
        let store = try MySQLRunStore(options: MySQLConnectionOptions(database: name, readDefaultFile: file), hostName: "alpha")
        try store.recordFinished([run("from-file", start: 1_700_000_000, stop: 1_700_000_001, exit: 0)])
        #expect(try store.runs(jobNames: ["from-file"], runIDs: []).count == 1)
        // A missing option file is said, not skipped (Connector/C would log in without it).
        #expect {
            _ = try MySQLRunStore(
                options: MySQLConnectionOptions(database: name, readDefaultFile: directory.url("missing.cnf")), hostName: "alpha")
        } throws: { error in
            (error as? RunStoreError)?.kind == .failed && "\(error)".contains("missing.cnf (read_default_file) cannot be read")
        }
    }

    /// `ssl: {ca, cert, key}`: the connection is TLS, the server's
    /// certificate verified (a user the server admits over TLS only gets
    /// in); a wrong CA is refused, never a silent fall-back to plain TCP.
    @Test func tlsWhenTheConnectionAsksForIt() throws {
        let (server, _, options) = try database()
        var tls = options
        tls.user = server.tlsUser
        tls.tls = MySQLConnectionOptions.TLS(ca: server.caFile, cert: server.clientCertFile, key: server.clientKeyFile)
        let store = try MySQLRunStore(options: tls, hostName: "alpha")
        try store.recordFinished([run("tls", start: 1_700_000_000, stop: 1_700_000_001, exit: 0)])
        let cipher = try store.withConnection { db in try db.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").text(0, 1) }
        #expect(cipher?.isEmpty == false)
        var plain = options
        plain.user = server.tlsUser
        #expect(throws: RunStoreError.self) { _ = try MySQLRunStore(options: plain, hostName: "alpha") }
        var wrongCA = tls
        wrongCA.tls?.ca = server.clientCertFile  // not the CA that signed the server's certificate
        #expect(throws: RunStoreError.self) { _ = try MySQLRunStore(options: wrongCA, hostName: "alpha") }
    }
}
