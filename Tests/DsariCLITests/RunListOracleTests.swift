import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// `run list --format json` against dsari 2.0 itself (Python's
/// `datetime.fromtimestamp(t).astimezone().isoformat()`, `json.dumps(sort_keys=True)`)
/// on thousands of random stored times: every time printed identically, the
/// runs in run id order.
@Suite("dsari-info run list against Python (built binary)")
struct RunListOracleTests {
    let info = BinaryRunner("dsari-info")

    /// 5,000 runs (a few still running) with random start times, so that
    /// start order is not run id order. Times are full-precision doubles
    /// (any fraction), exact halves of a microsecond (`k + odd/128`, where
    /// rounding half-even and half-away differ), and instants around the
    /// daylight-saving transitions of America/Los_Angeles.
    static func randomRuns(count: Int, seed: UInt64) -> [RunRecord] {
        var random = SeededGenerator(state: seed)
        func time() -> Double {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return Double.random(in: 0..<2_147_483_647, using: &random)
            case 1:
                // An odd multiple of 1/128 s is an exact half microsecond (7812.5 µs, …).
                let half = Double(2 * Int.random(in: 0..<64, using: &random) + 1) / 128
                return Double(Int64.random(in: 1_000_000_000..<2_000_000_000, using: &random)) + half
            case 2:
                // 2023-03-12T10:00:00Z and 2023-11-05T09:00:00Z, give or take an hour.
                let transition = Bool.random(using: &random) ? 1_678_615_200.0 : 1_699_174_800.0
                return transition + Double.random(in: -3_600..<3_600, using: &random)
            default: return Double.random(in: 1_600_000_000..<1_800_000_000, using: &random)
            }
        }
        return (0..<count).map { index in
            let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
            let runID = UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                    bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                )
            ).uuidString.lowercased()
            let start = time()
            return RunRecord(
                jobName: "job\(index % 7)", runID: runID, scheduleTime: time(), startTime: start,
                stopTime: index % 100 == 0 ? nil : time(), exitCode: index % 100 == 0 ? nil : index % 3)
        }
    }

    @Test(arguments: ["UTC", "America/Los_Angeles"])
    func timesAndOrderAreDsaris(zone: String) throws {
        let home = try TemporaryDirectory(prefix: "dsari-run-list-oracle")
        defer { home.remove() }
        try home.write("etc/dsari.yaml", "jobs: {}\n")
        try FileManager.default.createDirectory(atPath: home.url("var"), withIntermediateDirectories: true)
        let databasePath = home.url("var/dsari.sqlite3")
        let store = try SQLiteRunStore(path: databasePath)
        let runs = Self.randomRuns(count: 5_000, seed: 0x5EED_1305)
        for run in runs where run.stopTime == nil { try store.recordStart(run) }
        try store.recordFinished(runs.filter { $0.stopTime != nil })

        let environment = ["DSARI_HOME": home.path, "TZ": zone]
        let result = try info.run(["run", "list", "--format", "json"], environment: environment, timeout: 120)
        #expect(result.status == 0, "\(result.standardError)")
        let listed = try ConfigFileReader.parse(result.standardOutput, format: .json, file: "run-list.json").value
        let ours: [[String?]] = try #require(listed.mappingEntries).map { entry in
            func time(_ key: String) -> String? {
                if case .string(let text)? = entry.value[key]?.value { return text }
                return nil
            }
            return [entry.key, time("schedule_time"), time("start_time"), time("stop_time")]
        }
        let oracle = try OracleScript.run("isoformat_oracle.py", [databasePath], environment: ["TZ": zone])
        let expected = try #require(try JSONSerialization.jsonObject(with: oracle) as? [[Any]]).map { row in
            row.map { $0 as? String }
        }
        #expect(ours.count == runs.count)
        let outOfOrder = zip(ours, expected).filter { $0[0] != $1[0] }.count
        #expect(outOfOrder == 0, "\(outOfOrder) of \(ours.count) run ids are not where dsari's (sorted) order puts them")
        let oursByID = Dictionary(ours.map { ($0[0] ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let differing = expected.filter { oursByID[$0[0] ?? ""] != $0 }
        #expect(
            differing.isEmpty,
            "\(differing.count) of \(expected.count) runs print other times than dsari, e.g. dsari \(differing.prefix(2)), ours \(differing.prefix(2).map { oursByID[$0[0] ?? ""] ?? [] })"
        )
    }
}
