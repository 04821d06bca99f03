import ArgumentParser
import DsariCore
import Foundation

/// `dsari-info schedule SCHEDULE --job NAME`: previews the next run times a
/// schedule gives a job, each computed from the previous one, exactly as the
/// daemon will compute them.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Preview the next run times of a schedule for a job.",
        discussion: """
            SCHEDULE is a cron expression (5 or 6 fields, Jenkins H/R items), an alias \
            such as @daily, or an RRULE. Hashed parts depend on the job name.
            """)

    /// Accepted like every dsari-info command's; the preview does not read the configuration.
    @OptionGroup(visibility: .hidden) var options: ConfigDirectoryOptions
    @Argument(help: "The schedule, quoted as one argument.") var schedule: String
    @Option(help: "Job name the schedule is hashed for.") var job: String
    @Option(help: ArgumentHelp("Start time: epoch seconds or ISO 8601 (default: now).", valueName: "time"))
    var after: String?
    @Option(help: "Number of run times.") var count = 10
    @Option(help: ArgumentHelp("IANA time zone the schedule runs in (default: local).", valueName: "zone"))
    var timezone: String?
    @Option(help: "Output format: pretty or json.") var format: PreviewFormat = .pretty

    enum PreviewFormat: String, ExpressibleByArgument, CaseIterable {
        case pretty, json
    }

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 or more.") }
        if let timezone, TimeZone(identifier: timezone) == nil {
            throw ValidationError("--timezone \"\(timezone)\" is not an IANA time zone name (e.g. Europe/Berlin).")
        }
    }

    func run() throws {
        let zone = timezone.flatMap(TimeZone.init(identifier:)) ?? TimeZone.current
        let start: Instant
        if let after {
            do {
                start = try ISO8601Timestamp.parse(after, timeZone: zone)
            } catch {
                throw ValidationError("--after: \(error)")
            }
        } else {
            start = Instant(epochSeconds: Date().timeIntervalSince1970)
        }
        let parsed: Schedule
        do {
            parsed = try Schedule(schedule, jobName: job, timeZone: zone)
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode(1)
        }
        let times = parsed.nextTimes(after: start, count: count)
        switch format {
        case .json:
            let items = times.map {
                "  {\"epoch\": \($0.description), \"iso\": \"\(ISO8601Timestamp.format($0, timeZone: zone))\"}"
            }
            print(items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n]")
        case .pretty:
            if times.isEmpty {
                print("\(schedule) has no run after \(ISO8601Timestamp.format(start, timeZone: zone)) for job \(job).")
                return
            }
            let rows = times.map { time in
                [ISO8601Timestamp.format(time, timeZone: zone), RelativeTime.describe(from: start, to: time)]
            }
            TablePrinter(headers: ["Run Time (\(zone.identifier))", "From Start"]).print(rows)
        }
    }
}

/// "in 3h 12m": how far one instant is from another, for people.
enum RelativeTime {
    static func describe(from start: Instant, to time: Instant) -> String {
        var seconds = (time.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1_000_000
        let past = seconds < 0
        seconds = abs(seconds)
        let units: [(Int64, String)] = [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        var parts: [String] = []
        for (size, name) in units where seconds >= size && parts.count < 2 {
            parts.append("\(seconds / size)\(name)")
            seconds %= size
        }
        let text = parts.isEmpty ? "0s" : parts.joined(separator: " ")
        return past ? "\(text) ago" : "in \(text)"
    }
}
