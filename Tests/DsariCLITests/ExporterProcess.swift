import DsariTestSupport
import Foundation

/// The built dsari-prometheus-exporter serving a DSARI_HOME on 127.0.0.1,
/// on a port it picks itself (port 0; read back from its log line).
final class ExporterProcess {
    let process = Process()
    let port: UInt16
    /// Its standard error.
    let logPath: String
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    struct NoPort: Error, CustomStringConvertible {
        let log: String
        var description: String { "the exporter did not say its port: \(log)" }
    }

    init(home: TemporaryDirectory, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: BinaryRunner("dsari-prometheus-exporter").executable)
        process.arguments = ["-c", home.url("etc"), "--listen-address", "127.0.0.1", "--listen-port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["DSARI_HOME": home.path]) { $1 }
        let log = home.url("exporter-\(UUID().uuidString.prefix(8)).log")
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        var found: UInt16?
        _ = eventually(timeout: 30) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            // `… INFO dsari-prometheus-exporter listening address=127.0.0.1:PORT path=/metrics …`
            guard let line = text.split(separator: "\n").first(where: { $0.contains("dsari-prometheus-exporter listening") }),
                let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=127.0.0.1:") })
            else { return false }
            found = address.split(separator: ":").last.flatMap { UInt16($0) }
            return found != nil
        }
        guard let found else {
            process.terminate()
            process.waitUntilExit()
            throw NoPort(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        port = found
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
