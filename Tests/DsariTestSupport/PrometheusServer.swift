import Foundation

/// A Prometheus server on 127.0.0.1 with its own storage in `directory`.
public final class PrometheusServer {
    public let process = Process()
    public let port: UInt16
    public let logPath: String

    /// Starts Debian's prometheus with `configFile`, `extraArguments` after
    /// the defaults; returns once `/-/ready` answers 200.
    public init(directory: TemporaryDirectory, configFile: String, extraArguments: [String] = []) throws {
        port = try freeLoopbackPort()
        logPath = directory.url("prometheus.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let binary = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { throw NotReady(log: "prometheus (Debian's prometheus package) is needed; script/test installs it") }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            [
                "--config.file=\(configFile)", "--storage.tsdb.path=\(directory.url("tsdb"))",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ] + extraArguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let ready = eventually(timeout: 30) { ((try? httpExchange(port: port, path: "/-/ready")) ?? "").contains(" 200 ") }
        guard ready else {
            stop()
            throw NotReady(log: log)
        }
    }

    public struct NotReady: Error, CustomStringConvertible {
        public let log: String
        public var description: String { "Prometheus did not become ready: \(log)" }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// `GET path` on the HTTP API, parsed; throws unless it says "success".
    public func api(_ path: String) throws -> [String: Any] {
        let body = try httpBody(port: port, path: path)
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        guard let object, object["status"] as? String == "success" else { throw APIError(path: path, body: body) }
        return object
    }

    public struct APIError: Error, CustomStringConvertible {
        public let path: String
        public let body: String
        public var description: String { "\(path): \(body)" }
    }

    /// (alert name, dsari job or "") of every alert in state `state`.
    public func alerts(state: String = "firing") throws -> Set<String> {
        let alerts = (try api("/api/v1/alerts")["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
        return Set(
            alerts.filter { $0["state"] as? String == state }.map { alert in
                let labels = alert["labels"] as? [String: String] ?? [:]
                return "\(labels["alertname"] ?? "?")/\(labels["job_name"] ?? "")"
            })
    }

    /// The result of an instant query (its series), or the error Prometheus gave.
    public func query(_ promQL: String) -> Result<[[String: Any]], Error> {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = promQL.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return Result {
            let data = try api("/api/v1/query?query=\(encoded)")["data"] as? [String: Any]
            if let result = data?["result"] as? [[String: Any]] { return result }
            // A scalar or string result: one value.
            return data?["result"] == nil ? [] : [["value": data?["result"] ?? ""]]
        }
    }
}
