import DsariCore
import DsariStore
import DsariTestSupport
import Foundation

/// What the reliability tests read off the machine: processes through /proc,
/// the run history through a read-only store, run directories on disk.
enum SystemProbe {
    /// Live (non-zombie) processes whose environment holds `RUN_ID=` one of `runIDs`.
    static func processes(ofRuns runIDs: Set<String>) -> [(pid: Int32, runID: String)] {
        guard !runIDs.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).compactMap { pid in
            guard !isZombie(pid), let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
            for variable in data.split(separator: 0) where variable.starts(with: Array("RUN_ID=".utf8)) {
                let runID = String(decoding: variable.dropFirst(7), as: UTF8.self)
                if runIDs.contains(runID) { return (pid, runID) }
            }
            return nil
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return true  // gone
        }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    /// Resident memory of `pid` in KiB (VmRSS), nil when it is gone.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }

    /// Open file descriptors of `pid`.
    static func openDescriptors(_ pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// Run ids of the run directories under `DATA_DIR/runs/*/`.
    static func runDirectories(dataDirectory: String) -> Set<String> {
        let root = dataDirectory + "/runs"
        var found: Set<String> = []
        for job in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            for run in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + job)) ?? [] {
                found.insert(run)
            }
        }
        return found
    }

    /// The run ids a ledger file lists (jobs append their `RUN_ID` as their last act).
    static func ledger(_ path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { $0.count == 36 }
    }
}

/// The run history as the tests check it: every row of both tables.
struct HistorySnapshot {
    var finished: [RunRecord] = []
    var running: [RunRecord] = []

    init(databasePath: String) throws {
        guard FileManager.default.fileExists(atPath: databasePath) else { return }
        let store = try SQLiteRunStore(path: databasePath, readOnly: true)
        finished = try store.runs(jobNames: [], runIDs: [], finished: true, running: false)
        running = try store.runs(jobNames: [], runIDs: [], finished: false, running: true)
    }

    /// How many rows of `runs` each run id has.
    var finishedCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for run in finished { counts[run.runID, default: 0] += 1 }
        return counts
    }

    var finishedByID: [String: RunRecord] {
        Dictionary(finished.map { ($0.runID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var runningIDs: Set<String> { Set(running.map(\.runID)) }
}

/// SQLite from outside the daemon, as another program would use it: Python's
/// sqlite3 module (python3 is on every machine `script/test` prepares).
enum ExternalSQLite {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `PRAGMA integrity_check`'s answer ("ok" when the file is sound).
    static func integrityCheck(_ databasePath: String) throws -> String {
        let result = try python(
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('PRAGMA integrity_check').fetchone()[0])",
            [databasePath])
        return result.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Rows in `runs` (finished runs), read while the daemon writes.
    static func finishedRunCount(_ databasePath: String) throws -> Int {
        let result = try python(
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=30); print(c.execute('SELECT count(*) FROM runs').fetchone()[0])",
            [databasePath])
        return Int(result.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Starts a process that holds the database's write lock (BEGIN EXCLUSIVE)
    /// for `seconds`; returns once the lock is held.
    static func holdWriteLock(_ databasePath: String, seconds: Double) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30); "
                + "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(float(sys.argv[2])); c.execute('COMMIT')",
            databasePath, String(seconds),
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.availableLine()
        guard line == "locked" else { throw Failure(description: "the lock holder did not get the lock (printed \(line ?? "nothing"))") }
        return process
    }

    private static func python(_ code: String, _ arguments: [String]) throws -> String {
        let result = try SystemCommand.run(["python3", "-c", code] + arguments, timeout: 60)
        guard result.status == 0 else { throw Failure(description: "python3 failed (\(result.status)): \(result.standardError)") }
        return result.standardOutput
    }
}

extension FileHandle {
    /// Reads up to the first newline (blocking); nil at end of file.
    fileprivate func availableLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}

/// Mounts a small tmpfs (we run as root) for disk-full faults; nil with the
/// reason when this machine does not allow it.
struct TemporaryMount {
    let path: String

    static func tmpfs(at path: String, size: String) -> Result<TemporaryMount, TemporaryMount.Unavailable> {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try? SystemCommand.run(["mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path], timeout: 30)
        guard let result, result.status == 0 else {
            return .failure(Unavailable(reason: "mount -t tmpfs is not permitted here: \(result?.standardError ?? "mount did not run")"))
        }
        return .success(TemporaryMount(path: path))
    }

    struct Unavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// Whether this process may mount a tmpfs (tried once, on a scratch directory).
    static let isPermitted: Bool = {
        let path = NSTemporaryDirectory() + "dsari-tmpfs-probe-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .success(let mount) = tmpfs(at: path, size: "1m") else { return false }
        mount.unmount()
        return true
    }()

    func unmount() {
        _ = try? SystemCommand.run(["umount", "-l", path], timeout: 30)
    }

    /// Fills the file system up with a file `name` (until ENOSPC).
    func fill(_ name: String) -> String {
        let file = path + "/" + name
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let block = [UInt8](repeating: 0x2E, count: 4096)
        while descriptor >= 0, write(descriptor, block, block.count) > 0 {}
        if descriptor >= 0 { close(descriptor) }
        return file
    }
}

/// Runs a system command (looked up on PATH) and captures what it prints.
enum SystemCommand {
    static func run(_ arguments: [String], timeout: Double) throws -> BinaryRunner.Result {
        try BinaryRunner(path: "/usr/bin/env").run(arguments, timeout: timeout)
    }
}
