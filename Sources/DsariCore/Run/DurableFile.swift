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

        public init(path: String, step: String, reason: String) {
            self.path = path
            self.step = step
            self.reason = reason
        }

        init(path: String, step: String, errno number: Int32) {
            self.init(path: path, step: step, reason: String(cString: strerror(number)))
        }
    }

    /// Writes `bytes` to `path` (replacing it), with `mode` (or mkstemp's
    /// 0600). With `sync` false the data is not forced to disk (a file that
    /// may lag behind after a crash, such as counters or report pages), but
    /// a reader still never sees a part.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t? = nil, sync: Bool = true) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try stage(bytes, for: path, mode: mode, sync: sync) { temporary in
            guard rename(temporary, path) == 0 else { throw WriteError(path: path, step: "moving into place", errno: errno) }
            return .renamed
        }
        if sync { syncDirectory(directory) }
    }

    /// The first half of a durable write, for callers that place the file
    /// their own way (`TriggerFile` links it, so as never to overwrite):
    /// writes `bytes` to a new temporary file beside `path` (mode `mode`, or
    /// mkstemp's 0600), syncs it when `sync`, and hands its name to `place`,
    /// which renames or links it to `path`. A temporary name still there
    /// afterwards (linked, or `place` failed) is removed; a renamed one is not
    /// touched again (another writer may have taken the name since).
    /// Syncing the directory is the caller's.
    public static func stage(
        _ bytes: [UInt8], for path: String, mode: mode_t? = nil, sync: Bool = true, place: (String) throws -> Placement
    ) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array(((directory as NSString).appendingPathComponent(".\(name).XXXXXX")).utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw WriteError(path: path, step: "creating a temporary file", errno: errno) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var placement = Placement.linked
        defer { if placement == .linked { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            if let mode, fchmod(descriptor, mode) != 0 { throw WriteError(path: path, step: "setting permissions", errno: errno) }
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, step: "writing", errno: errno)
                }
                offset += count
            }
            if sync, fsync(descriptor) != 0 { throw WriteError(path: path, step: "syncing", errno: errno) }
        }
        placement = try place(temporary)
    }

    /// How `stage`'s `place` put the file in place.
    public enum Placement: Sendable {
        /// Renamed: the temporary name is gone.
        case renamed
        /// Linked (or not placed): the temporary name is still there.
        case linked
    }

    /// `mode` less the process's umask: what `open` would give a new file.
    /// The umask is read from /proc/self/status (Linux 4.7 and later), since
    /// reading it with umask(2) sets it for a moment for every thread.
    public static func creationMode(_ mode: mode_t) -> mode_t {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
            let mask = mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8)
        {
            return mode & ~mask
        }
        let mask = umask(0)
        umask(mask)
        return mode & ~mask
    }

    /// Makes a rename or unlink in `directory` survive a crash.
    public static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
