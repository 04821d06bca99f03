import DsariCore
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
        if case .array(let jobs)? = status["jobs"]?.value {
            rows = jobs.map { StatusRow($0.value, now: now) }
        }
        rows.sort { $0.severity != $1.severity ? $0.severity > $1.severity : $0.name < $1.name }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.state, default: 0] += 1 }
        let summary = ["CRITICAL", "UNKNOWN", "WARNING", "PENDING", "OK"].compactMap { name in
            counts[name].map { "\($0) \(name)" }
        }
        let generated = Self.timestamp(status["generated"]?.value)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>dsari status</title>
            <style>
            body { font-family: sans-serif; margin: 1.5em; color: #222; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
            th { cursor: pointer; user-select: none; background: #f4f4f4; }
            th[aria-sort=ascending]::after { content: " \\25B2"; } th[aria-sort=descending]::after { content: " \\25BC"; }
            td.state { font-weight: bold; } td.num { text-align: right; white-space: nowrap; }
            tr.ok td.state { color: #1b7f2a; } tr.warning td.state { color: #a66b00; }
            tr.critical td.state { color: #b3001b; } tr.unknown td.state { color: #6a3d9a; } tr.pending td.state { color: #777; }
            tr.critical { background: #fdecee; } tr.warning { background: #fff6e0; } tr.unknown { background: #f3ecfa; }
            </style></head><body>
            <h1>dsari status</h1>
            <p>\(summary.joined(separator: ", ").htmlEscaped) &mdash; generated \(generated) by dsari-swift \(DsariVersion.string).</p>
            <table id="status"><thead><tr><th>Job</th><th>State</th><th>Type</th><th>Attempt</th><th>Output</th>\
            <th>Last run</th><th>Age</th><th>Duration</th><th>Next run</th></tr></thead>
            <tbody>
            \(rows.map(\.html).joined())</tbody></table>
            <script>
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

    static func timestamp(_ value: ConfigValue?) -> String {
        guard case .double(let seconds)? = value else { return "" }
        return ISO8601Timestamp.format(Instant(epochSeconds: seconds), timeZone: .current)
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
    let name: String
    let state: String
    let severity: Int
    let html: String

    init(_ job: ConfigValue, now: Double) {
        func number(_ key: String) -> Double? {
            switch job[key]?.value {
            case .double(let value)?: value
            case .int(let value)?: Double(value)
            default: nil
            }
        }
        func text(_ key: String) -> String { job[key]?.value.stringValue ?? "" }
        name = text("job_name")
        state = job["state_name"]?.value.stringValue ?? "PENDING"
        let css = state.lowercased()
        severity = ["OK": 0, "PENDING": 1, "WARNING": 2, "UNKNOWN": 3, "CRITICAL": 4][state] ?? 1
        var attempt = ""
        var attemptKey = ""
        if let current = number("current_attempt"), let most = number("max_attempts") {
            attempt = "\(Int(current))/\(Int(most))"
            attemptKey = String(current / max(most, 1))
        }
        let stop = number("last_run_stop_time")
        let duration = number("last_run_duration")
        let next = number("next_check")
        func sortable(_ value: Double?) -> String { value.map { " data-sort=\"\($0)\"" } ?? " data-sort=\"-1\"" }
        func escape(_ text: String) -> String { text.htmlEscaped }
        var flapping = ""
        if job["is_flapping"]?.value == .bool(true) { flapping = " (flapping)" }
        html = """
            <tr class="\(css)"><td>\(escape(name))</td><td class="state" data-sort="\(severity)">\(escape(state))</td>\
            <td>\(escape(text("state_type_name")))</td><td class="num"\(attemptKey.isEmpty ? "" : " data-sort=\"\(attemptKey)\"")>\
            \(attempt)\(flapping)</td><td>\(escape(text("plugin_output")))</td>\
            <td\(sortable(stop))>\(MetricsCollector.timestamp(job["last_run_stop_time"]?.value))</td>\
            <td class="num"\(sortable(stop.map { now - $0 }))>\(stop.map { MetricsCollector.age(now - $0) } ?? "")</td>\
            <td class="num"\(sortable(duration))>\(duration.map { String(format: "%.3f s", $0) } ?? "")</td>\
            <td\(sortable(next))>\(MetricsCollector.timestamp(job["next_check"]?.value))</td></tr>

            """
    }
}
