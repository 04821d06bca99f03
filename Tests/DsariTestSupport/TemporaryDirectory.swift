import Foundation

/// A fresh directory under the system temporary directory, removed by `remove()`.
/// Each test gets its own, so tests never see each other's files.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "dsari-test") throws {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix).XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        self.path = String(cString: created)
    }

    /// `path/relative`.
    public func url(_ relative: String) -> String {
        (path as NSString).appendingPathComponent(relative)
    }

    /// Writes `contents` to `relative`, creating parent directories.
    @discardableResult
    public func write(_ relative: String, _ contents: String) throws -> String {
        let file = url(relative)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
