import Foundation
import Testing

/// Each shared format is spelled in one source file: the data layout
/// (`DataLayout`), the trigger file names (`TriggerFile`), the check fields
/// of `run_data.nagios` and `/status.json` (`NagiosField`). A second
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
        ("\"current_state\"", "DsariNagios/RecordedCheck.swift"),
        ("\"plugin_output\"", "DsariNagios/RecordedCheck.swift"),
        ("\"long_plugin_output\"", "DsariNagios/RecordedCheck.swift"),
        ("\"performance_data\"", "DsariNagios/RecordedCheck.swift"),
        ("\"state_type\"", "DsariNagios/RecordedCheck.swift"),
        ("\"current_attempt\"", "DsariNagios/RecordedCheck.swift"),
        ("\"is_flapping\"", "DsariNagios/RecordedCheck.swift"),
    ])
    func spelledInOneFile(literal: String, owner: String) throws {
        #expect(try Self.files(containing: literal) == [owner])
    }
}
