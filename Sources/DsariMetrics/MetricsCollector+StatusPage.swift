import DsariCore
import DsariNagios
import Foundation

extension MetricsCollector {
    /// `/status`: the data of `/status.json` as a page a person reads. Problems
    /// first (CRITICAL, UNKNOWN, WARNING, then jobs without a run, then OK; by
    /// name within each), so a text browser shows what matters at the top;
    /// in a graphical browser a click on a column header sorts by it (a few
    /// lines of inline script, no external assets). Refreshes every 30 s.
    public func statusPage(now: Double = Date().timeIntervalSince1970) throws -> String {
        let status = try status(now: now)
        var rows: [StatusRow] = []
        if case .array(let jobs)? = status[.jobs]?.value {
            rows = jobs.map { StatusRow($0.value, now: now) }
        }
        // Grouped by host (hosts with the worst problems first), problems first within each.
        var worst: [String: Int] = [:]
        for row in rows { worst[row.host] = max(worst[row.host] ?? 0, row.severity) }
        rows.sort { a, b in
            if a.host != b.host {
                let (x, y) = (worst[a.host] ?? 0, worst[b.host] ?? 0)
                return x != y ? x > y : a.host < b.host
            }
            return a.severity != b.severity ? a.severity > b.severity : a.name < b.name
        }
        let fleet = rows.contains { !$0.host.isEmpty }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.state, default: 0] += 1 }
        let summary = ["CRITICAL", "UNKNOWN", "WARNING", "PENDING", "OK"].compactMap { name in
            counts[name].map { "\($0) \(name)" }
        }
        let hosts = Set(rows.map(\.host)).sorted()
        let generated = Self.secondText(status[.generated]?.value)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>dsari status</title>
            <style>
            body { font-family: sans-serif; margin: 1.5em; color: #222; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
            th { cursor: pointer; user-select: none; background: #f4f4f4; white-space: nowrap; }
            th[aria-sort=ascending]::after { content: " \\25B2"; } th[aria-sort=descending]::after { content: " \\25BC"; }
            td.state { font-weight: bold; } td.num { text-align: right; white-space: nowrap; }
            td.name, td.when { white-space: nowrap; } td.when small { color: #666; }
            tr.ok td.state { color: #1b7f2a; } tr.warning td.state { color: #a66b00; }
            tr.critical td.state { color: #b3001b; } tr.unknown td.state { color: #6a3d9a; } tr.pending td.state { color: #777; }
            tr.critical { background: #fdecee; } tr.warning { background: #fff6e0; } tr.unknown { background: #f3ecfa; }
            tr.host th { background: #e8eef7; cursor: default; }
            form { margin: 0 0 1em; } form label { margin-right: 1em; }
            </style></head><body>
            <h1>dsari status</h1>
            <p>\(summary.joined(separator: ", ").htmlEscaped)\(fleet ? " on \(hosts.count) host\(hosts.count == 1 ? "" : "s")" : "") &mdash; \
            generated <time data-epoch="\(Self.epochText(status[.generated]?.value))">\(generated)</time> by dsari-swift \(DsariVersion.string).</p>
            \(Self.passiveLines(PassiveDestinationStatus.all(in: status)))
            <form id="filter" onsubmit="return false">\
            \(fleet ? "<label>Host <input name=\"host\" list=\"hosts\" size=\"14\"></label><datalist id=\"hosts\">\(hosts.map { "<option value=\"\($0.htmlEscaped)\">" }.joined())</datalist>" : "")\
            <label>State <select name="state"><option value="">any</option><option value="problem">not OK</option>\
            <option>CRITICAL</option><option>UNKNOWN</option><option>WARNING</option><option>PENDING</option><option>OK</option></select></label>\
            <label>Job <input name="job" size="16"></label></form>
            <table id="status"><thead><tr>\(fleet ? "<th>Host</th>" : "")<th>Job</th><th>State</th><th>Type</th><th>Attempt</th><th>Output</th>\
            <th>Last run</th><th>Duration</th><th>Next run</th></tr></thead>
            <tbody>
            \(rows.map { $0.html(fleet: fleet) }.joined())</tbody></table>
            <script>
            // Times in the viewer's zone, to the second; ages as "3 min ago".
            document.querySelectorAll("time[data-epoch]").forEach(function (element) {
              var epoch = parseFloat(element.getAttribute("data-epoch"));
              if (!isNaN(epoch)) { element.textContent = new Date(epoch * 1000).toLocaleString(); }
            });
            var form = document.getElementById("filter");
            function applyFilter() {
              var host = form.host ? form.host.value.toLowerCase() : "";
              var state = form.state.value, job = form.job.value.toLowerCase();
              document.querySelectorAll("#status tbody tr").forEach(function (row) {
                var shown = (!host || row.getAttribute("data-host").toLowerCase().indexOf(host) >= 0)
                  && (!job || row.getAttribute("data-job").toLowerCase().indexOf(job) >= 0)
                  && (!state || (state === "problem" ? row.getAttribute("data-state") !== "OK" : row.getAttribute("data-state") === state));
                row.style.display = shown ? "" : "none";
              });
            }
            form.addEventListener("input", applyFilter);
            form.addEventListener("change", applyFilter);
            document.querySelectorAll("#status th").forEach(function (header, column) {
              header.addEventListener("click", function () {
                var body = document.querySelector("#status tbody");
                var ascending = header.getAttribute("aria-sort") !== "ascending";
                document.querySelectorAll("#status th").forEach(function (other) { other.removeAttribute("aria-sort"); });
                header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
                var key = function (row) {
                  var cell = row.cells[column];
                  return cell.hasAttribute("data-sort") ? parseFloat(cell.getAttribute("data-sort")) : cell.textContent.toLowerCase();
                };
                Array.from(body.rows).sort(function (a, b) {
                  var x = key(a), y = key(b);
                  return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
                }).forEach(function (row) { body.appendChild(row); });
              });
            });
            </script>
            </body></html>

            """
    }

    /// One line per passive_results destination: what waits, what went, the last error.
    static func passiveLines(_ destinations: [PassiveDestinationStatus]) -> String {
        destinations.map { status in
            let text = status.summary(
                age: { Self.age($0) }, when: { "<time data-epoch=\"\(epochText(.double($0)))\">\(secondText(.double($0)))</time>" },
                escape: { $0.htmlEscaped })
            return "<p class=\"passive\">Passive results to \(text).</p>"
        }.joined(separator: "\n")
    }

    /// A time to the second, in the server's zone (the page's script shows it in the viewer's).
    static func secondText(_ value: ConfigValue?) -> String {
        guard case .double(let seconds)? = value else { return "" }
        let text = ISO8601Timestamp.format(Instant(epochSeconds: seconds.rounded(.down)), timeZone: .current)
        // 2026-11-29T20:11:23.000000+00:00 → 2026-11-29 20:11:23 +00:00
        guard let dot = text.firstIndex(of: ".") else { return text.replacingOccurrences(of: "T", with: " ") }
        let zone = text[dot...].drop { $0 != "+" && $0 != "-" }
        return text[..<dot].replacingOccurrences(of: "T", with: " ") + " " + zone
    }

    static func epochText(_ value: ConfigValue?) -> String {
        guard case .double(let seconds)? = value else { return "" }
        return String(Int64(seconds.rounded(.down)))
    }

    /// A time cell: the time (the viewer's zone by script) and how long ago or ahead.
    static func whenCell(_ value: ConfigValue?, now: Double) -> String {
        guard case .double(let seconds)? = value else { return "<td class=\"when\" data-sort=\"-1\"></td>" }
        let relative = seconds <= now ? "\(age(now - seconds)) ago" : "in \(age(seconds - now))"
        return "<td class=\"when\" data-sort=\"\(seconds)\"><time data-epoch=\"\(epochText(value))\">\(secondText(value))</time>"
            + "<br><small>\(relative)</small></td>"
    }

    /// "42 s", "5 min", "3 h", "2 d": how long ago, as a person reads it.
    static func age(_ seconds: Double) -> String {
        let value = max(0, seconds)
        switch value {
        case ..<120: return "\(Int(value)) s"
        case ..<7200: return "\(Int(value / 60)) min"
        case ..<172_800: return "\(Int(value / 3600)) h"
        default: return "\(Int(value / 86400)) d"
        }
    }
}

/// One row of `/status`, from one job of `/status.json`.
private struct StatusRow {
    let host: String
    let name: String
    let state: String
    let severity: Int
    private let cells: String

    init(_ job: ConfigValue, now: Double) {
        func number(_ key: String) -> Double? {
            switch job[key]?.value {
            case .double(let value)?: value
            case .int(let value)?: Double(value)
            default: nil
            }
        }
        func text(_ key: String) -> String { job[key]?.value.stringValue ?? "" }
        func text(_ field: NagiosField) -> String { text(field.rawValue) }
        func text(_ field: StatusField) -> String { text(field.rawValue) }
        host = text(.hostName)
        name = text(.jobName)
        state = job[.stateName]?.value.stringValue ?? "PENDING"
        severity = ["OK": 0, "PENDING": 1, "WARNING": 2, "UNKNOWN": 3, "CRITICAL": 4][state] ?? 1
        var attempt = ""
        var attemptKey = ""
        if let current = number(NagiosField.currentAttempt.rawValue), let most = number(NagiosField.maxAttempts.rawValue) {
            attempt = "\(Int(current))/\(Int(most))"
            attemptKey = String(current / max(most, 1))
        }
        let duration = number(StatusField.lastRunDuration.rawValue)
        func escape(_ text: String) -> String { text.htmlEscaped }
        var flapping = ""
        if job[.isFlapping]?.value == .bool(true) { flapping = " (flapping)" }
        cells = """
            <td class="name">\(escape(name))</td><td class="state" data-sort="\(severity)">\(escape(state))</td>\
            <td>\(escape(text(.stateTypeName)))</td><td class="num"\(attemptKey.isEmpty ? "" : " data-sort=\"\(attemptKey)\"")>\
            \(attempt)\(flapping)</td><td>\(escape(text(.pluginOutput)))</td>\
            \(MetricsCollector.whenCell(job[.lastRunStopTime]?.value, now: now))\
            <td class="num" data-sort="\(duration ?? -1)">\(duration.map { String(format: "%.3f s", $0) } ?? "")</td>\
            \(MetricsCollector.whenCell(job[.nextCheck]?.value, now: now))</tr>

            """
    }

    func html(fleet: Bool) -> String {
        let attributes =
            "class=\"\(state.lowercased())\" data-host=\"\(host.htmlEscaped)\" data-job=\"\(name.htmlEscaped)\" data-state=\"\(state)\""
        return "<tr \(attributes)>" + (fleet ? "<td class=\"name\">\(host.isEmpty ? "-" : host.htmlEscaped)</td>" : "") + cells
    }
}
