import Foundation

/// A file written so that a crash leaves either the old content or the new,
/// never a part: the bytes go to a temporary file in the same directory,
/// are synced, and are moved over the name in one step; the directory is
/// synced too, so that the move itself survives.
public enum DurableFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let step: String
        public let reason: String
        public var description: String { "cannot write \(path) (\(step)): \(reason)" }
    }

    /// Writes `bytes` to `path` (replacing it). With `sync` false the data
    /// is not forced to disk (a file that may lag behind after a crash, such
    /// as counters), but a reader still never sees a part.
    public static func write(_ bytes: [UInt8], to path: String, sync: Bool = true) throws {
        let directory = (path as NSString).deletingLastPathComponent
        func failure(_ step: String) -> WriteError { WriteError(path: path, step: step, reason: String(cString: strerror(errno))) }
        var template = Array(((directory as NSString).appendingPathComponent(".tmp.XXXXXX")).utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw failure("creating a temporary file") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var moved = false
        defer { if !moved { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure("writing")
                }
                offset += count
            }
            if sync, fsync(descriptor) != 0 { throw failure("syncing") }
        }
        guard rename(temporary, path) == 0 else { throw failure("moving into place") }
        moved = true
        if sync { syncDirectory(directory) }
    }

    /// Makes a rename or unlink in `directory` survive a crash.
    public static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
