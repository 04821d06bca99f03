import DsariCore
import DsariTestSupport
import Foundation
import Testing

/// `dashboards/`: the Prometheus rules and their unit tests through the real
/// `promtool`, the Grafana dashboards' structure and queries, and that every
/// dsari metric a rule or panel uses is one the built exporter really emits.
@Suite("dashboards/ (Prometheus rules, Grafana dashboards)")
struct DashboardTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let prometheusDirectory = root + "/dashboards/prometheus"
    static let grafanaDirectory = root + "/dashboards/grafana"
    /// The shipped rules, and the example overrides the unit tests load beside them.
    static let ruleFiles = ["dsari-alerts.yml", "dsari-overrides.example.yml"]
    static let ruleTestFile = "dsari-alerts.test.yml"
    static let dashboardFiles = ["dsari-jobs.json", "dsari-checks.json"]

    // MARK: Rules

    @Test func promtoolChecksTheRules() throws {
        let result = try Self.promtool(["check", "rules", "--lint=duplicate-rules", "--lint-fatal"] + Self.ruleFiles)
        #expect(result.status == 0, "\(result.output)")
        for file in Self.ruleFiles {
            #expect(result.output.contains("Checking \(file)\n  SUCCESS:"), "\(result.output)")
        }
    }

    @Test func promtoolRuleUnitTestsPass() throws {
        let result = try Self.promtool(["test", "rules", Self.ruleTestFile])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }

    /// Every alert has `for:`, a severity, and a summary and description
    /// that name the job or instance and show the value.
    @Test func alertsAreComplete() throws {
        var alerts: [String] = []
        for rule in try Self.rules(in: Self.prometheusDirectory + "/dsari-alerts.yml") {
            guard let name = rule["alert"]?.value.stringValue else { continue }
            alerts.append(name)
            #expect(rule["for"]?.value.stringValue?.isEmpty == false, "\(name): for")
            let severity = rule["labels"]?["severity"]?.value.stringValue
            #expect(["critical", "warning", "info"].contains(severity ?? ""), "\(name): severity \(severity ?? "none")")
            for key in ["summary", "description"] {
                let text = rule["annotations"]?[key]?.value.stringValue ?? ""
                #expect(text.contains("{{ $labels.job_name }}") || text.contains("{{ $labels.instance }}"), "\(name): \(key)")
                #expect(key == "summary" || text.contains("$value"), "\(name): \(key) without $value")
            }
        }
        // Each alert is exercised by the unit tests, firing and not firing.
        var firing = Set<String>()
        var quiet = Set<String>()
        let tests = try ConfigFileReader.read(path: Self.prometheusDirectory + "/" + Self.ruleTestFile)
        for test in tests["tests"]?.value.arrayValue ?? [] {
            for check in test["alert_rule_test"]?.value.arrayValue ?? [] {
                guard let name = check["alertname"]?.value.stringValue else { continue }
                if check["exp_alerts"]?.value.arrayValue?.isEmpty ?? true {
                    quiet.insert(name)
                } else {
                    firing.insert(name)
                }
            }
        }
        #expect(Set(alerts).subtracting(firing).isEmpty, "never shown firing: \(Set(alerts).subtracting(firing).sorted())")
        #expect(Set(alerts).subtracting(quiet).isEmpty, "never shown not firing: \(Set(alerts).subtracting(quiet).sorted())")
        #expect(alerts.count >= 9)
    }

    // MARK: Dashboards

    @Test(arguments: dashboardFiles)
    func dashboardIsComplete(file: String) throws {
        let dashboard = try Self.dashboard(file)
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 39, "\(file): schemaVersion")
        #expect((dashboard["uid"] as? String)?.isEmpty == false, "\(file): uid")
        let variables = Self.variables(dashboard)
        let datasource = variables.first { $0["name"] as? String == "datasource" }
        #expect(datasource?["type"] as? String == "datasource" && datasource?["query"] as? String == "prometheus", "\(file)")
        for name in ["instance", "job_name"] {
            let variable = variables.first { $0["name"] as? String == name }
            #expect(variable?["type"] as? String == "query", "\(file): variable \(name)")
            #expect(Self.variableQuery(variable ?? [:])?.hasPrefix("label_values(") == true, "\(file): variable \(name)")
            #expect(Self.datasourceUID(variable?["datasource"]) == "${datasource}", "\(file): variable \(name)")
        }
        let panels = Self.panels(dashboard)
        #expect(!panels.isEmpty)
        var ids = Set<Int>()
        for panel in panels {
            let title = panel["title"] as? String ?? ""
            #expect(!title.isEmpty, "\(file): a panel without a title")
            #expect((panel["description"] as? String)?.isEmpty == false, "\(file): \(title): description")
            let defaults = (panel["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any]
            #expect((defaults?["unit"] as? String)?.isEmpty == false, "\(file): \(title): unit")
            #expect(Self.datasourceUID(panel["datasource"]) == "${datasource}", "\(file): \(title): datasource")
            #expect(ids.insert(panel["id"] as? Int ?? -1).inserted, "\(file): \(title): id")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(file): \(title): no query")
            for target in targets {
                #expect(Self.datasourceUID(target["datasource"]) == "${datasource}", "\(file): \(title): query datasource")
                #expect((target["expr"] as? String)?.isEmpty == false, "\(file): \(title): expr")
            }
        }
        let types = Set(panels.compactMap { $0["type"] as? String })
        #expect(types.isSubset(of: ["stat", "timeseries", "table", "heatmap", "state-timeline", "status-history"]), "\(types)")
    }

    /// Every panel query and variable query, with Grafana's variables
    /// filled in, passes `promtool check rules` as a recording rule.
    @Test func dashboardQueriesAreValidPromQL() throws {
        var queries: [(String, String)] = []
        for file in Self.dashboardFiles {
            let dashboard = try Self.dashboard(file)
            let names = Self.variables(dashboard).compactMap { $0["name"] as? String }
            for (place, query) in Self.queries(dashboard) {
                let promQL = try #require(Self.promQL(query, variables: names), "\(file): \(place): unknown variable in \(query)")
                queries.append(("\(file): \(place)", promQL))
            }
        }
        #expect(queries.count > 20)
        let problems = try Self.promtoolProblems(queries.map(\.1))
        #expect(problems.isEmpty, "\(problems.map { "\(queries[$0.index].0): \($0.message)" })")
        // The check can fail: a query with a typo is caught, and named.
        let broken = try Self.promtoolProblems(["sum(rate(dsari_run_count[5m])", "dsari_time"])
        #expect(broken.map(\.index) == [0])
        #expect(Self.promQL("rate(x[$__bogus])", variables: []) == nil)
    }

    /// The dsari metrics the rules, their unit tests and the dashboards
    /// query are all in what a real exporter prints for a store a real
    /// daemon filled (a success, a failure, a running run, a Nagios check
    /// with performance data in several units and with thresholds).
    @Test func everyMetricUsedIsEmitted() throws {
        var recorded = Set<String>()
        var used: [String: Set<String>] = [:]
        func use(_ expression: String, _ place: String) {
            for name in Self.metricNames(in: expression) { used[name, default: []].insert(place) }
        }
        for file in Self.ruleFiles {
            for rule in try Self.rules(in: Self.prometheusDirectory + "/" + file) {
                if let name = rule["record"]?.value.stringValue { recorded.insert(name) }
                if let expression = rule["expr"]?.value.stringValue { use(expression, file) }
            }
        }
        let tests = try ConfigFileReader.read(path: Self.prometheusDirectory + "/" + Self.ruleTestFile)
        for test in tests["tests"]?.value.arrayValue ?? [] {
            for series in test["input_series"]?.value.arrayValue ?? [] {
                use(series["series"]?.value.stringValue ?? "", Self.ruleTestFile)
            }
        }
        var dashboardNames = Set<String>()
        for file in Self.dashboardFiles {
            let dashboard = try Self.dashboard(file)
            let names = Self.variables(dashboard).compactMap { $0["name"] as? String }
            for (_, query) in Self.queries(dashboard) {
                let promQL = Self.promQL(query, variables: names) ?? query
                use(promQL, file)
                dashboardNames.formUnion(Self.metricNames(in: promQL, prefix: nil))
            }
        }
        // A recording rule a dashboard reads must be one the rules record.
        let missingRecorded = dashboardNames.filter { $0.contains(":") && !recorded.contains($0) }
        #expect(missingRecorded.isEmpty, "\(missingRecorded.sorted())")

        let emitted = try Self.emittedSampleNames()
        #expect(emitted.contains("dsari_run_count") && emitted.contains("dsari_check_perfdata_value"), "\(emitted.sorted())")
        let unknown = used.filter { !recorded.contains($0.key) && !emitted.contains($0.key) }
        #expect(unknown.isEmpty, "not emitted: \(unknown.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.sorted()))" })")
        #expect(used.count > 15)
    }

    // MARK: The exporter's output

    /// Names of the samples (`name{...} value` lines) a real exporter prints.
    static func emittedSampleNames() throws -> Set<String> {
        let daemon = try DaemonProcess(
            config: """
                shutdown_kill_runs: true
                jobs:
                  good: {command: [/bin/true], schedule: '* * * * * *'}
                  bad: {command: [/bin/false], schedule: '* * * * * *'}
                  slow: {command: [/bin/sleep, '60'], schedule: '* * * * * *'}
                  disk:
                    command:
                      - /bin/sh
                      - -c
                      - "echo 'DISK WARNING - / 50% | t=1500ms;1;2;0;10 used=5MB;;;0;100 use=50%;80;90 errors=3c users=4;@0:1;~:10'; exit 1"
                    schedule: '* * * * * *'
                    nagios_check: true
                """)
        try daemon.start()
        defer { daemon.stop() }
        var dump = ""
        let filled = eventually(timeout: 30) {
            let result = try? BinaryRunner("dsari-prometheus-exporter").run(
                ["-c", daemon.configDirectory, "--dump"], environment: ["DSARI_HOME": daemon.home.path], timeout: 20)
            dump = result?.standardOutput ?? ""
            return dump.contains("dsari_last_run_exit_code{job_name=\"bad\"} 1\n")
                && dump.contains("dsari_last_run_exit_code{job_name=\"good\"} 0\n")
                && dump.contains("dsari_running_run_start_time{job_name=\"slow\"")
                && dump.contains("dsari_check_perfdata_warning_low{job_name=\"disk\"")
        }
        #expect(filled, "\(dump)\n\(daemon.log)")
        var names = Set<String>()
        for line in dump.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            if !name.isEmpty { names.insert(String(name)) }
        }
        return names
    }

    // MARK: Reading the files

    static func dashboard(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: grafanaDirectory + "/" + file))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(file) is not a JSON object")
    }

    static func variables(_ dashboard: [String: Any]) -> [[String: Any]] {
        (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
    }

    /// A query variable's query, whether Grafana stored it as text or as an object.
    static func variableQuery(_ variable: [String: Any]) -> String? {
        (variable["query"] as? String) ?? ((variable["query"] as? [String: Any])?["query"] as? String)
    }

    static func datasourceUID(_ datasource: Any?) -> String? {
        (datasource as? [String: Any])?["uid"] as? String
    }

    /// Every panel, those inside collapsed rows too.
    static func panels(_ dashboard: [String: Any]) -> [[String: Any]] {
        (dashboard["panels"] as? [[String: Any]] ?? []).flatMap { panel -> [[String: Any]] in
            panel["type"] as? String == "row" ? (panel["panels"] as? [[String: Any]] ?? []) : [panel]
        }
    }

    /// (where, PromQL with Grafana variables) of every panel query, and the
    /// selector inside every `label_values(...)` variable query.
    static func queries(_ dashboard: [String: Any]) -> [(String, String)] {
        var queries: [(String, String)] = []
        for panel in panels(dashboard) {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                if let expr = target["expr"] as? String {
                    queries.append(("\(panel["title"] as? String ?? "?") \(target["refId"] as? String ?? "?")", expr))
                }
            }
        }
        for variable in variables(dashboard) {
            guard let query = variableQuery(variable), query.hasPrefix("label_values("), query.hasSuffix(")"),
                let comma = query.lastIndex(of: ",")
            else { continue }
            let selector = query[query.index(query.startIndex, offsetBy: "label_values(".count)..<comma]
            queries.append(("variable \(variable["name"] as? String ?? "?")", String(selector)))
        }
        return queries
    }

    /// The `rules` of every group of a Prometheus rules file.
    static func rules(in path: String) throws -> [ConfigNode] {
        let file = try ConfigFileReader.read(path: path)
        let groups = try #require(file["groups"]?.value.arrayValue, "\(path): no groups")
        return groups.flatMap { $0["rules"]?.value.arrayValue ?? [] }
    }

    // MARK: PromQL

    /// `query` with Grafana's variables replaced as a query would see them:
    /// intervals by durations, dashboard variables (used in `=~` matchers)
    /// by `.*`. Nil when it uses a variable that is neither.
    static func promQL(_ query: String, variables: [String]) -> String? {
        let builtIns = [
            "__rate_interval": "5m", "__interval": "1m", "__range": "1h", "__range_s": "3600", "__range_ms": "3600000",
            "__interval_ms": "60000",
        ]
        var result = ""
        var rest = Substring(query)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            let name: Substring
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                // ${name} or ${name:format}
                name = rest[rest.index(after: rest.startIndex)..<close].prefix { $0 != ":" }
                rest = rest[rest.index(after: close)...]
            } else {
                name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                rest = rest.dropFirst(name.count)
            }
            if let value = builtIns[String(name)] {
                result += value
            } else if variables.contains(String(name)) {
                result += ".*"
            } else {
                return nil
            }
        }
        return result + rest
    }

    /// Metric names in a PromQL expression or series selector, outside
    /// string literals, label matchers and grouping clauses: those that
    /// begin with `prefix` (all of them when nil).
    static func metricNames(in expression: String, prefix: String? = "dsari_") -> Set<String> {
        var names = Set<String>()
        var characters = Array(expression)[...]
        func isNameCharacter(_ character: Character) -> Bool {
            character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == ":")
        }
        var previousWord = ""
        while let character = characters.first {
            if character == "\"" || character == "'" || character == "`" {
                // A string literal: skip to its end (backslash escapes).
                characters = characters.dropFirst()
                while let next = characters.first, next != character {
                    characters = characters.dropFirst(next == "\\" ? 2 : 1)
                }
                characters = characters.dropFirst()
            } else if character == "{"
                || (character == "(" && ["by", "without", "on", "ignoring", "group_left", "group_right"].contains(previousWord))
            {
                // Label matchers, or a list of label names.
                let close: Character = character == "{" ? "}" : ")"
                while let next = characters.first, next != close {
                    if next == "\"" {
                        characters = characters.dropFirst()
                        while let inner = characters.first, inner != "\"" { characters = characters.dropFirst(inner == "\\" ? 2 : 1) }
                    }
                    characters = characters.dropFirst()
                }
                characters = characters.dropFirst()
                previousWord = ""
            } else if isNameCharacter(character) && !character.isNumber {
                let word = String(characters.prefix { isNameCharacter($0) })
                characters = characters.dropFirst(word.count)
                let isFunctionOrKeyword = characters.first == "(" || characters.first == " " && characters.dropFirst().first == "("
                if !isFunctionOrKeyword, prefix.map({ word.hasPrefix($0) }) ?? true {
                    names.insert(word)
                }
                previousWord = word
            } else {
                if !character.isWhitespace { previousWord = "" }
                if character.isNumber {
                    // A number or duration (1h, 1e9): not a name.
                    characters = characters.drop { isNameCharacter($0) || $0 == "." }
                } else {
                    characters = characters.dropFirst()
                }
            }
        }
        return names
    }

    // MARK: promtool

    static func promtoolPath() throws -> String {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(promtool, "promtool (Debian's prometheus package) is needed; script/test installs it")
    }

    /// Runs promtool in `dashboards/prometheus`; its stdout and stderr together.
    static func promtool(_ arguments: [String], in directory: String = prometheusDirectory) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try promtoolPath())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `promtool check rules` on each expression as a recording rule, one
    /// file each (checked in one run) so that a failure names its query.
    static func promtoolProblems(_ expressions: [String]) throws -> [(index: Int, message: String)] {
        let directory = try TemporaryDirectory(prefix: "dsari-dashboard-queries")
        defer { directory.remove() }
        var files: [String] = []
        for (index, expression) in expressions.enumerated() {
            let quoted = String(
                decoding: try JSONSerialization.data(withJSONObject: expression, options: [.fragmentsAllowed, .withoutEscapingSlashes]),
                as: UTF8.self)
            let rule = "groups:\n  - name: query\n    rules:\n      - record: dashboard:query\(index):check\n        expr: \(quoted)\n"
            files.append(try directory.write("query-\(index).yml", rule))
        }
        let result = try promtool(["check", "rules"] + files, in: directory.path)
        let lines = result.output.split(separator: "\n")
        return files.enumerated().compactMap { index, file -> (index: Int, message: String)? in
            result.output.contains("Checking \(file)\n  SUCCESS: 1 rules found")
                ? nil : (index, lines.filter { $0.contains(file) && !$0.hasPrefix("Checking") }.joined(separator: "\n"))
        }
    }
}
