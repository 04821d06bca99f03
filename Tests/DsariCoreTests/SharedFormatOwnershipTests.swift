import Foundation
import Testing

/// Each shared format is spelled in one source file: the data layout
/// (`DataLayout`), the trigger file names (`TriggerFile`), the check fields
/// of `run_data.nagios` and `/status.json`, and that key itself, also in
/// the stores' SQL (`NagiosField`); `/status.json`'s own fields
/// (`StatusField`). A second
/// spelling elsewhere is how two parts of the program drift apart.
@Suite("shared formats have one owner")
struct SharedFormatOwnershipTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources").path

    /// The source files (relative paths) that contain `literal`.
    static func files(containing literal: String) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources))
        var found: [String] = []
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            let text = try String(contentsOfFile: (sources as NSString).appendingPathComponent(path), encoding: .utf8)
            if text.contains(literal) { found.append(path) }
        }
        return found.sorted()
    }

    @Test(arguments: [
        ("\"output.txt\"", "DsariCore/Run/DataLayout.swift"),
        ("\"trigger.json\"", "DsariCore/Run/TriggerFile.swift"),
        ("\"trigger.yaml\"", "DsariCore/Run/TriggerFile.swift"),
        ("\"current_state\"", "DsariCore/Run/NagiosField.swift"),
        ("\"plugin_output\"", "DsariCore/Run/NagiosField.swift"),
        ("\"long_plugin_output\"", "DsariCore/Run/NagiosField.swift"),
        ("\"performance_data\"", "DsariCore/Run/NagiosField.swift"),
        ("\"state_type\"", "DsariCore/Run/NagiosField.swift"),
        ("\"current_attempt\"", "DsariCore/Run/NagiosField.swift"),
        ("\"is_flapping\"", "DsariCore/Run/NagiosField.swift"),
        ("\"nagios\"", "DsariCore/Run/NagiosField.swift"),
        // /status.json's own fields.
        ("\"state_type_name\"", "DsariMetrics/StatusField.swift"),
        ("\"next_check\"", "DsariMetrics/StatusField.swift"),
        ("\"last_run_stop_time\"", "DsariMetrics/StatusField.swift"),
        ("\"oldest_pending_age\"", "DsariMetrics/StatusField.swift"),
    ])
    func spelledInOneFile(literal: String, owner: String) throws {
        #expect(try Self.files(containing: literal) == [owner])
    }

    /// The stores' SQL names the run-data key and its fields through
    /// `NagiosField` too, not in the query text.
    @Test(arguments: ["'nagios'", "'current_state'", "$.nagios", "nagios.current_state"])
    func notSpelledInQueries(literal: String) throws {
        #expect(try Self.files(containing: literal) == [])
    }
}
