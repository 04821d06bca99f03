import Foundation

/// Where dsari keeps its files under the data directory, as dsari 2.0 laid
/// them out — the one place that spells the layout:
///
///     DATA_DIR/runs/JOB/RUN_ID/output.txt   a run's output (output.txt.gz once compressed)
///     DATA_DIR/trigger/JOB/trigger.json     a trigger waiting for the daemon (see `TriggerFile`)
///     DATA_DIR/passive/QUEUE/               check results waiting for a passive_results destination
public struct DataLayout: Sendable, Hashable {
    public let dataDirectory: String

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    /// The name of a run's output file in its run directory.
    public static let outputFileName = "output.txt"
    /// The output file once compressed (by a maintenance job, as dsari's users do).
    public static let compressedOutputFileName = outputFileName + ".gz"

    /// `DATA_DIR/runs/JOB`: the job's runs, and `JOB_DIR` in a run's environment.
    func jobDirectory(_ jobName: String) -> String {
        DsariPaths.join(DsariPaths.join(dataDirectory, "runs"), jobName)
    }

    /// `DATA_DIR/runs/JOB/RUN_ID`: the run's working directory (`RUN_DIR`).
    public func runDirectory(job jobName: String, runID: String) -> String {
        DsariPaths.join(jobDirectory(jobName), runID)
    }

    /// `DATA_DIR/runs/JOB/RUN_ID/output.txt`.
    public func outputFile(job jobName: String, runID: String) -> String {
        DsariPaths.join(runDirectory(job: jobName, runID: runID), Self.outputFileName)
    }

    /// `DATA_DIR/trigger`: where trigger files wait (`TRIGGER_DIR`).
    public var triggerRoot: String { DsariPaths.join(dataDirectory, "trigger") }

    /// `DATA_DIR/trigger/JOB`.
    public func triggerDirectory(_ jobName: String) -> String {
        DsariPaths.join(triggerRoot, jobName)
    }

    /// `DATA_DIR/passive`: one queue directory per `passive_results` destination.
    public var passiveRoot: String { DsariPaths.join(dataDirectory, "passive") }

    /// `DATA_DIR/passive/QUEUE`: a destination's queue; QUEUE is its name
    /// made safe for a file name, with a checksum of the name (two names that
    /// read alike never share a queue).
    public func passiveQueueDirectory(destination name: String) -> String {
        let safe = String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || ".-_".unicodeScalars.contains(scalar)) ? scalar : "_"
                }
            ).prefix(80))
        return DsariPaths.join(passiveRoot, safe + "-" + String(CRC32.checksum(name), radix: 16))
    }
}
