import Foundation

/// Output written piece by piece, as `OutputPager` writes it but without
/// holding the whole text: buffered to standard output, or — when standard
/// output is a terminal and the text turns out longer than the screen — to
/// the pager, started as soon as that is known.
///
/// Writers append bytes straight into the buffer (`write(_:)` with a
/// closure), so a listing of 100,000 runs costs no intermediate strings.
final class PagedOutput {
    private var buffer: [UInt8] = []
    /// Open while standard output is a terminal and fewer lines than a
    /// screen have been written: the output may still fit without a pager.
    private var undecided: (lines: Int, rows: Int)?
    private var pager: (process: Process, input: FileHandle)?
    /// The pager quit (the user pressed q): the rest is dropped.
    private var closed = false

    static let flushSize = 64 * 1024

    init(style: TerminalStyle = .standardOutput) {
        buffer.reserveCapacity(Self.flushSize + 4096)
        if style.isTerminal {
            undecided = (0, OutputPager.terminalRows())
        }
    }

    /// Lets `body` append bytes to the output.
    func write(_ body: (inout [UInt8]) -> Void) {
        let start = buffer.count
        body(&buffer)
        if var counting = undecided {
            counting.lines += buffer[start...].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            undecided = counting
            if counting.lines > counting.rows {
                undecided = nil
                pager = OutputPager.startPager()
            }
        }
        if undecided == nil, buffer.count >= Self.flushSize {
            flush()
        }
    }

    func write(_ text: String) {
        write { $0.append(contentsOf: text.utf8) }
    }

    /// Writes what is buffered and waits for the pager, if one was started.
    func finish() {
        undecided = nil
        flush()
        if let pager {
            try? pager.input.close()
            pager.process.waitUntilExit()
            self.pager = nil
        }
    }

    private func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard !closed, !buffer.isEmpty else { return }
        if let pager {
            do {
                try pager.input.write(contentsOf: buffer)
            } catch {
                closed = true
            }
            return
        }
        let written = buffer.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let count = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        if !written { closed = true }
    }
}

@available(*, unavailable)
extension PagedOutput: Sendable {}
