import DsariCore
import Foundation

/// Writes `DATA_DIR/trigger/JOB/trigger.json` so that the daemon never reads
/// half a file: the text goes to a temporary file in the same directory
/// (a name the daemon ignores), is synced to disk, and is then moved into
/// place in one step.
struct TriggerFileWriter {
    /// The job's trigger directory.
    let directory: String

    /// A trigger file the daemon has not consumed yet.
    struct PendingTrigger: Error, CustomStringConvertible {
        let path: String
        var description: String { "a trigger is already waiting in \(path)" }
    }

    /// A trigger file that could not be written, with the system's reason.
    struct WriteError: Error, CustomStringConvertible {
        let path: String
        let step: String
        let reason: String
        var description: String { "the trigger file \(path) cannot be written (\(step)): \(reason)" }
    }

    /// The names the daemon reads, in its order of preference.
    static let names = ["trigger.json", "trigger.yaml"]

    var path: String { (directory as NSString).appendingPathComponent(Self.names[0]) }

    /// The trigger files waiting in the directory.
    var pendingFiles: [String] {
        Self.names.map { (directory as NSString).appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Writes `text` as the job's trigger. Without `replace`, refuses when a
    /// trigger is waiting (the final step cannot overwrite one that appears
    /// meanwhile); with it, also removes a waiting `trigger.yaml`, which
    /// would otherwise start a second run.
    func write(_ text: String, replace: Bool) throws {
        if !replace, let pending = pendingFiles.first {
            throw PendingTrigger(path: pending)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, step: "creating \(directory)", reason: "\(error.localizedDescription)")
        }
        var template = Array(((directory as NSString).appendingPathComponent(".trigger.json.XXXXXX")).utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw systemError("creating a temporary file") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var keepTemporary = false
        defer { if !keepTemporary { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            // mkstemp creates 0600; a trigger gets the permissions any new file would (0666 less the umask).
            let mask = umask(0)
            umask(mask)
            guard fchmod(descriptor, 0o666 & ~mask) == 0 else { throw systemError("setting permissions") }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw systemError("writing")
                }
                offset += count
            }
            guard fsync(descriptor) == 0 else { throw systemError("syncing") }
        }
        if replace {
            guard rename(temporary, path) == 0 else { throw systemError("moving into place") }
            keepTemporary = true
            for stale in pendingFiles where stale != path {
                unlink(stale)
            }
        } else {
            // link() fails when the name exists, so a trigger that appeared since the check is never overwritten.
            if link(temporary, path) != 0 {
                if errno == EEXIST { throw PendingTrigger(path: path) }
                // File systems without hard links: check and rename (a narrow race, as with any writer).
                guard errno == EPERM || errno == EOPNOTSUPP, !FileManager.default.fileExists(atPath: path),
                    rename(temporary, path) == 0
                else { throw systemError("moving into place") }
                keepTemporary = true
            }
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            // The rename itself survives a crash only once the directory is synced.
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private func systemError(_ step: String) -> WriteError {
        WriteError(path: path, step: step, reason: String(cString: strerror(errno)))
    }
}
