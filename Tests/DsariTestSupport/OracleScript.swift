import Foundation

/// Runs a reference script from `Tests/Oracle/` (dsari 2.0's computations,
/// for differential tests) in the Python environment `script/test` prepares:
/// `.build/oracle-venv`, or `$DSARI_ORACLE_PYTHON`.
public enum OracleScript {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The script's standard output; throws if Python is missing or the script fails.
    public static func run(_ script: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Data {
        let python =
            ProcessInfo.processInfo.environment["DSARI_ORACLE_PYTHON"]
            ?? packageRoot.appendingPathComponent(".build/oracle-venv/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "the test oracle needs \(python) with croniter 7.0.0 and python-dateutil (script/test sets it up)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [packageRoot.appendingPathComponent("Tests/Oracle/\(script)").path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        nonisolated(unsafe) var errorText = Data()
        let reader = Thread { errorText = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script) exited \(process.terminationStatus): \(String(decoding: errorText, as: UTF8.self))")
        }
        return data
    }
}
