import Foundation

/// Copies a run's stdout and stderr pipes into its `output.txt`, in the order
/// the bytes arrive, up to `limit` bytes: past it a marker line is written,
/// further output is read and dropped, and the run goes on. A disk that
/// fills up stops the copy the same way; the run goes on.
///
/// Keeps the first bytes of stdout apart (plugin output for Nagios checks);
/// for those, each stderr line is marked `[stderr] ` in `output.txt`, since
/// only stdout is the plugin's output.
/// Confined to the `OutputPump` thread (hence `@unchecked Sendable`).
final class OutputCollector: @unchecked Sendable {
    struct Summary: Sendable {
        var bytesWritten: Int
        var bytesDropped: Int
        var truncated: Bool
        var writeError: String?
        var standardOutputPrefix: [UInt8]
    }

    static let stdoutPrefixLimit = 65_536

    private let pump = OutputPump.shared
    private let file: Int32
    private let limit: Int
    /// Pipe ends still open.
    private var open: Set<Int32> = []
    private var summary = Summary(bytesWritten: 0, bytesDropped: 0, truncated: false, writeError: nil, standardOutputPrefix: [])
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private var stdoutDescriptor: Int32 = -1
    private var finished = false
    private let markStandardError: Bool
    /// True when the next stderr byte starts a line.
    private var standardErrorAtLineStart = true

    static let standardErrorMark = Array("[stderr] ".utf8)

    /// Takes ownership of all three descriptors (closed once the pipes end and `finish` was called).
    init(file: Int32, stdout: Int32, stderr: Int32, limit: Int, markStandardError: Bool = false) {
        self.file = file
        self.limit = limit
        self.markStandardError = markStandardError
        self.stdoutDescriptor = stdout
        for descriptor in [stdout, stderr] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        pump.perform { [self] in
            for descriptor in [stdout, stderr] {
                open.insert(descriptor)
                // The handler keeps the collector alive until end of file.
                pump.watch(descriptor) { [self] in drain(descriptor) }
            }
        }
    }

    /// Reads what is available now from `descriptor`; closes it at end of file.
    private func drain(_ descriptor: Int32) {
        guard open.contains(descriptor) else { return }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                store(count, from: descriptor)
                continue
            }
            if count == 0 || (errno != EAGAIN && errno != EINTR) {
                close(descriptor: descriptor)
            }
            if count < 0 && errno == EINTR { continue }
            return
        }
    }

    private func close(descriptor: Int32) {
        guard open.remove(descriptor) != nil else { return }
        pump.close(descriptor)
        if finished && open.isEmpty { Glibc.close(file) }
    }

    private func store(_ count: Int, from descriptor: Int32) {
        if descriptor == stdoutDescriptor, summary.standardOutputPrefix.count < Self.stdoutPrefixLimit {
            summary.standardOutputPrefix += buffer[0..<min(count, Self.stdoutPrefixLimit - summary.standardOutputPrefix.count)]
        }
        if markStandardError, descriptor != stdoutDescriptor {
            var marked: [UInt8] = []
            marked.reserveCapacity(count + Self.standardErrorMark.count)
            for byte in buffer[0..<count] {
                if standardErrorAtLineStart { marked += Self.standardErrorMark }
                marked.append(byte)
                standardErrorAtLineStart = byte == UInt8(ascii: "\n")
            }
            keep(marked[...])
        } else {
            keep(buffer[0..<count])
        }
    }

    /// Writes `bytes` within the limit; past it, the marker once and nothing more.
    private func keep(_ bytes: ArraySlice<UInt8>) {
        let count = bytes.count
        guard !summary.truncated, summary.writeError == nil else {
            summary.bytesDropped += count
            return
        }
        let room = limit - summary.bytesWritten
        let kept = min(room, count)
        if kept > 0, !write(bytes.prefix(kept)) { return }
        summary.bytesWritten += kept
        if kept < count {
            summary.bytesDropped += count - kept
            summary.truncated = true
            _ = write(Array("\n[dsari: output truncated at \(limit) bytes (max_output_bytes); the run goes on]\n".utf8)[...])
        }
    }

    private func write(_ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                summary.writeError = String(cString: strerror(errno))
                return false
            }
            offset += written
        }
        return true
    }

    /// After the run's process has exited: reads what the pipes hold now and
    /// reports. A background grandchild that keeps a pipe open does not hold
    /// the run open: its later output still goes to `output.txt` (within the
    /// limit) until it closes the pipe, as with dsari's plain file.
    func finish(_ completion: @escaping @Sendable (Summary) -> Void) {
        pump.perform { [self] in
            for descriptor in open {
                drain(descriptor)
            }
            finished = true
            if open.isEmpty { Glibc.close(file) }
            completion(summary)
        }
    }
}
