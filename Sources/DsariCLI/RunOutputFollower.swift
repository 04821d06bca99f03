import DsariCore
import Foundation

/// Prints the output files of runs and follows them until the runs end,
/// like `tail -f` that knows when to stop.
///
/// The daemon writes `output.txt` as the bytes arrive and records the end
/// of a run after its output is complete, so a run's file is read to its
/// end once more after the database says the run has ended: nothing is
/// lost. The files are polled (a user tool following a few files; the
/// daemon is not involved), the database asked every `endCheckInterval`.
struct RunOutputFollower {
    /// How often the database is asked which runs have ended, in seconds.
    var endCheckInterval = 0.5
    /// The pause between looks at the files, in seconds.
    var pollInterval = 0.1
    /// Runs that ended without an output file ever appearing.
    private(set) var missingOutputs: [RunRecord] = []

    private let history: RunHistory
    private var followed: [FollowedOutput]

    /// One run's output file and how far it has been printed.
    private struct FollowedOutput {
        let run: RunRecord
        let path: String
        /// Written before each line when several runs are followed.
        let prefix: [UInt8]?
        var descriptor: Int32 = -1
        /// The end of the output that has no newline yet (prefixed output only).
        var partialLine: [UInt8] = []
    }

    init(runs: [RunRecord], history: RunHistory, style: TerminalStyle = .standardOutput) {
        self.history = history
        let names = runs.map(\.jobName)
        followed = runs.map { run in
            var prefix: [UInt8]?
            if runs.count > 1 {
                // Two runs of one job need more than the job name to tell them apart.
                let shared = names.filter { $0 == run.jobName }.count > 1
                let label = shared ? "\(run.jobName) \(run.runID.prefix(8))" : run.jobName
                prefix = Array("[\(style.hashColored(label))] ".utf8)
            }
            return FollowedOutput(run: run, path: history.outputPath(of: run), prefix: prefix)
        }
    }

    /// Prints and follows until every run has ended.
    mutating func follow() throws {
        var nextEndCheck = Date.distantPast
        while !followed.isEmpty {
            var ended: Set<String> = []
            if Date() >= nextEndCheck {
                let ids = followed.map(\.run.runID)
                let running = try history.read { store in
                    try store?.runs(jobNames: [], runIDs: ids, finished: false, running: true).map(\.runID) ?? []
                }
                ended = Set(ids).subtracting(running)
                nextEndCheck = Date().addingTimeInterval(endCheckInterval)
            }
            // Read after asking the database, so that an ended run's file is read to its very end.
            for index in followed.indices {
                readNewOutput(&followed[index])
            }
            for index in followed.indices.reversed() where ended.contains(followed[index].run.runID) {
                var output = followed.remove(at: index)
                if output.descriptor < 0 {
                    missingOutputs.append(output.run)
                    continue
                }
                if let prefix = output.prefix, !output.partialLine.isEmpty {
                    Self.writeToStandardOutput(prefix + output.partialLine + [0x0A])
                    output.partialLine.removeAll()
                }
                close(output.descriptor)
            }
            if !followed.isEmpty {
                Thread.sleep(forTimeInterval: pollInterval)
            }
        }
    }

    private func readNewOutput(_ output: inout FollowedOutput) {
        if output.descriptor < 0 {
            output.descriptor = open(output.path, O_RDONLY | O_CLOEXEC)
            // Not there yet: a run that just started creates it in a moment.
            if output.descriptor < 0 { return }
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(output.descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            let data = chunk[..<count]
            guard let prefix = output.prefix else {
                Self.writeToStandardOutput(data)
                continue
            }
            var lines: [UInt8] = []
            var lineStart = data.startIndex
            while let newline = data[lineStart...].firstIndex(of: 0x0A) {
                lines += prefix
                lines += output.partialLine
                lines += data[lineStart...newline]
                output.partialLine.removeAll()
                lineStart = newline + 1
            }
            output.partialLine += data[lineStart...]
            Self.writeToStandardOutput(lines)
        }
    }

    private static func writeToStandardOutput(_ bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
