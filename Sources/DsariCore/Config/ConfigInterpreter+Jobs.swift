import Foundation

/// The sections: concurrency groups, jobs and job groups, and each job's options.
extension ConfigInterpreter {
    // MARK: Sections

    /// `jobs`, `job_groups`, `concurrency_groups`: a mapping or null.
    func requireSection(_ node: ConfigNode, key: String) throws {
        switch node.value {
        case .mapping, .null:
            return
        default:
            let what =
                switch key {
                case "jobs": "a mapping of job names to their options"
                case "job_groups": "a mapping of job group names to their options"
                default: "a mapping of concurrency group names to their options"
                }
            throw typeError(node, key: key, expected: what, subject: nil)
        }
    }

    mutating func concurrencyGroups(_ section: ConfigNode?) throws -> [String: ConcurrencyGroup] {
        var groups: [String: ConcurrencyGroup] = [:]
        for entry in section?.value.mappingEntries ?? [] {
            let name = try checkedName(entry, what: "concurrency group")
            let subject = ConfigError.Subject.concurrencyGroup(name)
            var group = ConcurrencyGroup(name: name)
            switch entry.value.value {
            case .null:
                break
            case .mapping(let options):
                for option in options {
                    if let read = Self.concurrencyGroupReaders[option.key] {
                        try read(&self, &group, option.value, option.key)
                    } else {
                        warnUnknown(option, known: Self.concurrencyGroupKeys, subject: subject)
                    }
                }
            default:
                throw ConfigError(
                    "must be a mapping of options (such as \"max\"), not \(entry.value.value.briefDescription)",
                    location: entry.value.location ?? entry.keyLocation, subject: subject,
                    expected: "a mapping of options")
            }
            groups[name] = group
        }
        return groups
    }

    // MARK: Jobs

    /// The options of one job to build, from `jobs` or expanded from a job
    /// group.
    struct JobSource {
        var name: String
        /// Where the job (or its group) is named: errors about a missing
        /// option point here.
        var nameLocation: SourceLocation?
        var options: [ConfigValue.Entry]
        var group: String?
    }

    /// The options of a job or job group (null: none).
    func jobOptions(_ entry: ConfigValue.Entry, subject: ConfigError.Subject, what: String) throws -> [ConfigValue.Entry] {
        switch entry.value.value {
        case .mapping(let entries): return entries
        case .null: return []
        default:
            throw ConfigError(
                "must be a mapping of \(what), not \(entry.value.value.briefDescription)",
                location: entry.value.location ?? entry.keyLocation, subject: subject, expected: "a mapping of job options")
        }
    }

    /// The jobs to build in order: those of `jobs`, then those of each job
    /// group. As in dsari, a job expanded from a group replaces a job of the
    /// same name (in place); that is warned about, as it is rarely meant.
    mutating func jobSources(jobs: ConfigNode?, groups: ConfigNode?) throws -> [JobSource] {
        var sources: [JobSource] = []
        var indexByName: [String: Int] = [:]
        for entry in jobs?.value.mappingEntries ?? [] {
            let name = try checkedName(entry, what: "job")
            let options = try jobOptions(entry, subject: .job(name, group: nil), what: "job options (such as \"command\")")
            indexByName[name] = sources.count
            sources.append(JobSource(name: name, nameLocation: entry.keyLocation, options: options, group: nil))
        }

        for entry in groups?.value.mappingEntries ?? [] {
            let groupName = try checkedName(entry, what: "job group")
            let subject = ConfigError.Subject.jobGroup(groupName)
            let groupLocation = entry.keyLocation ?? entry.value.location
            let options = try jobOptions(entry, subject: subject, what: "job options and \"job_names\"")
            for option in options where !Self.jobGroupKeys.contains(option.key) {
                warnUnknown(option, known: Self.jobGroupKeys, subject: subject)
            }
            guard let namesEntry = options.first(where: { $0.key == "job_names" }) else {
                throw ConfigError(
                    "\"job_names\" is required (a list of job names)", location: groupLocation, subject: subject,
                    key: "job_names", expected: "a list of job names")
            }
            let names = try nameList(namesEntry.value, key: "job_names", what: "job", subject: subject)
            // The group sets `job_group` itself, as dsari does.
            let jobOptions = options.filter { $0.key != "job_names" && $0.key != "job_group" }
            for name in names {
                let source = JobSource(name: name, nameLocation: groupLocation, options: jobOptions, group: groupName)
                if let index = indexByName[name] {
                    let previous = sources[index]
                    let replaced =
                        previous.group.map { "the job of the same name from job group \($0.quotedForMessage)" }
                        ?? "the job of the same name defined in \"jobs\""
                    warnings.append(
                        ConfigWarning(
                            "job \(name.quotedForMessage) replaces \(replaced)",
                            location: namesEntry.value.location, subject: subject, key: "job_names"))
                    sources[index] = source
                } else {
                    indexByName[name] = sources.count
                    sources.append(source)
                }
            }
        }
        return sources
    }

    /// `nrpeOutOfRangeExit`: the top-level `nrpe_out_of_range_exit`, read before the jobs.
    mutating func job(from source: JobSource, nrpeOutOfRangeExit: OutOfRangeExitPolicy) throws -> Job {
        let subject = ConfigError.Subject.job(source.name, group: source.group)
        guard source.options.contains(where: { $0.key == "command" }) else {
            throw ConfigError(
                "\"command\" is required (a list of strings, or a command line as one string)",
                location: source.nameLocation, subject: subject, key: "command",
                expected: "a list of strings or a string")
        }
        var reading = JobReading(job: Job(name: source.name, command: [], jobGroup: source.group), subject: subject)
        for option in source.options {
            if let read = Self.jobReaders[option.key] {
                try read(&self, &reading, option.value, option.key)
            } else if source.group == nil {
                // A group's unknown keys were warned about once, for the group.
                warnUnknown(option, known: Self.jobKeys, subject: subject)
            }
        }
        var job = reading.job
        // A command from an nrpe.cfg keeps NRPE's meaning: an exit code
        // outside 0–3 is UNKNOWN (hand-written checks keep Nagios Core's CRITICAL).
        if job.nrpeCommand != nil, !reading.outOfRangeGiven {
            job.check.outOfRangeExit = nrpeOutOfRangeExit
        }
        for (key, node) in reading.nrpeNodes where !job.nagiosCheck {
            warnings.append(
                ConfigWarning(
                    "\"\(key)\" needs \"nagios_check: true\": without it the job records no check result and the NRPE listener does not answer for it",
                    location: node.location, subject: subject, key: key))
        }
        if let node = reading.lowFlapNode, job.check.lowFlapThreshold > job.check.highFlapThreshold {
            throw ConfigError(
                "\"low_flap_threshold\" (\(job.check.lowFlapThreshold.pythonRepr)) must not be above "
                    + "\"high_flap_threshold\" (\(job.check.highFlapThreshold.pythonRepr))",
                location: node.location, subject: subject, key: "low_flap_threshold",
                expected: "a low threshold at or below the high one")
        }
        if let schedule = job.schedule {
            // Parsed once per load: `R` items are drawn here, and the engine
            // and dsari-info use this very value.
            let zone = job.scheduleTimezone.flatMap(TimeZone.init(identifier:)) ?? TimeZone.current
            do {
                job.parsedSchedule = try Schedule(schedule, jobName: job.name, timeZone: zone)
            } catch {
                throw ConfigError(
                    "\"schedule\" \(schedule.quotedForMessage) is not valid: \(error.reason)",
                    location: reading.scheduleNode?.location, subject: subject, key: "schedule",
                    expected: "a valid schedule")
            }
        }
        return job
    }

    func command(_ node: ConfigNode, subject: ConfigError.Subject) throws -> [String] {
        let expected = "a list of strings or a command line (a string)"
        let words: [String]
        switch node.value {
        case .string(let line):
            do {
                words = try ShellWords.split(line)
            } catch {
                throw ConfigError(
                    "\"command\" cannot be split into words like a shell command line: \(error)",
                    location: node.location, subject: subject, key: "command", expected: expected)
            }
        case .array(let elements):
            words = try elements.enumerated().map { index, element in
                guard case .string(let word) = element.value else {
                    // YAML reads `[true]` or `[sleep, 5]` as a boolean or a number;
                    // dsari would fail at run time, so say how to fix it now.
                    let hint =
                        [.bool, .int, .double, .null].contains(element.value.kind)
                        ? " (write it in quotes)" : ""
                    throw ConfigError(
                        "\"command\" must be a list of strings, but element \(index + 1) is "
                            + element.value.briefDescription + hint,
                        location: element.location ?? node.location, subject: subject, key: "command",
                        expected: expected)
                }
                return word
            }
        default:
            throw typeError(node, key: "command", expected: expected, subject: subject)
        }
        guard let program = words.first else {
            throw ConfigError(
                "\"command\" must not be empty", location: node.location, subject: subject, key: "command",
                expected: expected)
        }
        if program.isEmpty {
            throw ConfigError(
                "\"command\" must start with a program name, not an empty string", location: node.location,
                subject: subject, key: "command", expected: expected)
        }
        return words
    }

    /// `passive_service`, `passive_host`: a name Nagios' command syntax can carry, or null.
    func passiveName(_ node: ConfigNode, key: String, subject: ConfigError.Subject, expected: String) throws -> String? {
        let name = try optionalString(node, key: key, subject: subject, expected: expected)
        if let name,
            name.isEmpty || name.contains(";") || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        {
            throw ConfigError(
                "\"\(key)\" must be a non-empty name without \";\" or control characters (Nagios' command syntax)",
                location: node.location, subject: subject, key: key, expected: expected)
        }
        return name
    }

    func timeZone(_ node: ConfigNode, subject: ConfigError.Subject) throws -> String? {
        let key = "schedule_timezone"
        let expected = "an IANA time zone name (a string) or null"
        switch node.value {
        case .null:
            return nil
        case .string(let name):
            guard TimeZone(identifier: name) != nil else {
                throw ConfigError(
                    "\"schedule_timezone\" \(name.quotedForMessage) is not a known time zone "
                        + "(expected an IANA name such as \"Europe/Berlin\")",
                    location: node.location, subject: subject, key: key, expected: expected)
            }
            return name
        default:
            throw typeError(node, key: key, expected: expected, subject: subject)
        }
    }

    func nrpeArguments(_ node: ConfigNode, subject: ConfigError.Subject?) throws -> NRPEArguments? {
        let expected = "\"query\" (the arguments of each check_nrpe query) or a list of at most 16 strings, or null"
        switch node.value {
        case .null:
            return nil
        case .string("query"):
            return .fromQuery
        case .array(let items) where items.count <= 16:
            return .fixed(
                try items.map { item in
                    guard case .string(let text) = item.value else {
                        throw typeError(item, key: "nrpe_arguments", expected: expected, subject: subject)
                    }
                    return text
                })
        default:
            throw typeError(node, key: "nrpe_arguments", expected: expected, subject: subject)
        }
    }
}
