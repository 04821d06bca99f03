import ArgumentParser
import DsariCore
import Foundation

/// `dsari-info run trigger JOB [--env K=V]... [--at TIME] [--type T]
/// [--description D] [--replace]`: asks the daemon for a run of JOB by
/// writing the trigger file it reads (`DATA_DIR/trigger/JOB/trigger.json`).
struct RunTriggerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger", abstract: "Ask the daemon for a run of a job (writes its trigger file).",
        discussion: """
            The daemon picks the trigger up at its next trigger scan (within seconds), or at once \
            on SIGUSR1, and consumes the file. A trigger replaces the job's pending scheduled run \
            unless the job has concurrent_runs.
            """)

    @OptionGroup var options: ConfigDirectoryOptions
    @Argument(help: "The job to run.") var job: String
    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("Variable for the run's environment, over the job's (repeatable).", valueName: "name=value"))
    var environment: [String] = []
    @Option(
        help: ArgumentHelp(
            "Schedule time: epoch seconds or ISO 8601, read in the job's schedule_timezone (default: when the file is written).",
            valueName: "time"))
    var at: String?
    @Option(help: "Trigger type, stored with the run's trigger data.") var type: String?
    @Option(help: "Description, stored with the run's trigger data.") var description: String?
    @Flag(help: "Overwrite a trigger the daemon has not picked up yet.") var replace = false

    func validate() throws {
        for (index, item) in environment.enumerated() {
            // The item itself is never shown: a value typed without its name may be a secret.
            guard let separator = item.firstIndex(of: "=") else {
                throw ValidationError("--env number \(index + 1) has no \"=\": expected NAME=VALUE.")
            }
            guard separator != item.startIndex else {
                throw ValidationError("--env number \(index + 1) has no name before \"=\": expected NAME=VALUE.")
            }
        }
        if let at {
            // The syntax does not depend on the zone; the job's zone is applied once the configuration is read.
            do {
                _ = try ISO8601Timestamp.parse(at, timeZone: TimeZone(identifier: "UTC")!)
            } catch {
                throw ValidationError("--at: \(error)")
            }
        }
    }

    func run() throws {
        let config = try options.loadConfig()
        guard let jobConfig = config.jobs[job] else {
            StandardError.print(
                "error: no job named \(job.quotedForMessage) is configured in \(options.resolvedConfigDirectory) (see `dsari-info job list`)."
            )
            throw ExitCode(1)
        }
        var entries: [ConfigValue.Entry] = []
        func add(_ key: String, _ value: ConfigValue) {
            entries.append(ConfigValue.Entry(key: key, value: ConfigNode(value)))
        }
        if !environment.isEmpty {
            var variables: [String: String] = [:]
            for item in environment {
                let separator = item.firstIndex(of: "=")!
                variables[String(item[..<separator])] = String(item[item.index(after: separator)...])
            }
            add("environment", ConfigValue.sortedMapping(variables))
        }
        if let at {
            let zone = jobConfig.scheduleTimezone.flatMap(TimeZone.init(identifier:)) ?? .current
            let instant: Instant
            do {
                instant = try ISO8601Timestamp.parse(at, timeZone: zone)
            } catch {
                throw ValidationError("--at: \(error)")
            }
            add(
                "schedule_time",
                instant.microsecondsPart == 0 ? .int(instant.wholeSeconds) : .double(instant.epochSeconds))
        }
        if let type { add("type", .string(type)) }
        if let description { add("description", .string(description)) }

        let written: String
        do {
            written = try TriggerFile.write(
                ConfigValue.mapping(entries).jsonString(pretty: true, sortedKeys: true) + "\n",
                toDirectory: DataLayout(dataDirectory: config.dataDir).triggerDirectory(jobConfig.name), replace: replace)
        } catch let pending as TriggerFile.PendingTrigger {
            StandardError.print(
                "error: \(pending) for job \(job.quotedForMessage); the daemon has not picked it up yet. Use --replace to overwrite it.")
            throw ExitCode(1)
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode(1)
        }
        print("Trigger for job \(job) written to \(written).")
        print("dsari-daemon picks it up within seconds (at once on SIGUSR1) and consumes the file.")
    }
}
