/// The page templates and stylesheet compiled into `dsari-render`; a file of
/// the same name in `template_dir` replaces one (README, "dsari-render").
/// They are the reference for writing your own: every variable they use is
/// documented there, and `dsari-render --print-template NAME` prints one.
public enum BuiltInTemplates {
    /// The files `template_dir` may hold to replace these.
    public static let fileNames = ["index.html", "job.html", "run.html", "dsari.css"]

    /// The built-in template or stylesheet called `fileName`, or nil.
    public static func source(of fileName: String) -> String? {
        switch fileName {
        case "index.html": index
        case "job.html": job
        case "run.html": run
        case "dsari.css": stylesheet
        default: nil
        }
    }

    /// The three pages' beginning, up to `<body>`.
    private static let head = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="{{generator}}">
        <title>{{title}}</title>
        <link rel="stylesheet" href="{{stylesheet}}">
        </head>
        <body>

        """

    /// The three pages' end, from `</main>`.
    private static let foot = """
        </main>
        <footer>Made by {{generator}}.</footer>
        </body>
        </html>

        """

    static let index =
        head + """
            <header><h1>dsari</h1></header>
            <main>
            <h2>Jobs</h2>
            {{#has_jobs}}
            <table class="list">
            <thead><tr><th>Job</th><th>Status</th><th>Exit code</th><th>Last run</th><th>Duration</th><th>Runs</th><th>Failed</th><th>Last success</th></tr></thead>
            <tbody>
            {{#jobs}}
            <tr class="{{status_class}}">
              <td><a href="{{job_url}}">{{job_name}}</a></td>
              <td class="status">{{status}}</td>
            {{#last_run}}
              <td class="number">{{exit_code}}</td>
              <td><a href="{{url}}"><time datetime="{{start_time_iso}}">{{start_time}}</time></a></td>
              <td class="number">{{duration}}</td>
            {{/last_run}}
            {{^last_run}}
              <td></td><td>never</td><td></td>
            {{/last_run}}
              <td class="number">{{run_count}}</td>
              <td class="number">{{failure_count}}</td>
              <td>{{#last_success}}<time datetime="{{start_time_iso}}">{{start_time}}</time>{{/last_success}}</td>
            </tr>
            {{/jobs}}
            </tbody>
            </table>
            {{/has_jobs}}
            {{^has_jobs}}
            <p class="empty">No job to report on.</p>
            {{/has_jobs}}
            <h2>Latest failures</h2>
            {{^latest_failures}}
            <p class="empty">No failed run.</p>
            {{/latest_failures}}
            {{#latest_failures}}
            <div class="failure {{status_class}}"><a href="{{url}}"><time datetime="{{start_time_iso}}">{{start_time}}</time></a> <a href="{{job_url}}">{{job_name}}</a>: <span class="status">{{status}}</span>, exit code {{exit_code}}{{#plugin_output}} — {{plugin_output}}{{/plugin_output}}</div>
            {{/latest_failures}}
            <h2>Latest runs</h2>
            {{^latest_runs}}
            <p class="empty">No finished run yet.</p>
            {{/latest_runs}}
            {{#latest_runs}}
            <div class="latest {{status_class}}"><a href="{{url}}"><time datetime="{{start_time_iso}}">{{start_time}}</time></a> <a href="{{job_url}}">{{job_name}}</a>: <span class="status">{{status}}</span> in {{duration}}, exit code {{exit_code}}</div>
            {{/latest_runs}}

            """ + foot

    static let job =
        head + """
            <header><nav><a href="{{index_url}}">dsari</a> › {{job_name}}</nav><h1>{{job_name}}</h1></header>
            <main>
            <table class="facts">
            <tr><th>Status</th><td class="{{status_class}}"><span class="status">{{status}}</span></td></tr>
            <tr><th>Command</th><td><code>{{command}}</code></td></tr>
            <tr><th>Schedule</th><td>{{#schedule}}<code>{{schedule}}</code>{{#schedule_timezone}} ({{schedule_timezone}}){{/schedule_timezone}}{{/schedule}}{{^schedule}}triggers only{{/schedule}}</td></tr>
            {{#job_group}}
            <tr><th>Job group</th><td>{{job_group}}</td></tr>
            {{/job_group}}
            {{#nagios_check}}
            <tr><th>Nagios check</th><td>yes</td></tr>
            {{/nagios_check}}
            <tr><th>Runs</th><td>{{run_count}} ({{success_count}} succeeded, {{failure_count}} failed)</td></tr>
            </table>
            <h2>Runs</h2>
            {{#has_runs}}
            <table class="list">
            <thead><tr><th>Start</th><th>Status</th><th>Exit code</th><th>Duration</th><th>Trigger</th><th>Run ID</th></tr></thead>
            <tbody>
            {{#runs}}
            <tr class="{{status_class}}">
              <td><a href="{{url}}"><time datetime="{{start_time_iso}}">{{start_time}}</time></a></td>
              <td class="status">{{status}}{{#plugin_output}} <span class="output">{{plugin_output}}</span>{{/plugin_output}}</td>
              <td class="number">{{exit_code}}</td>
              <td class="number">{{duration}}</td>
              <td>{{trigger_type}}</td>
              <td><a href="{{url}}"><code>{{run_id}}</code></a></td>
            </tr>
            {{/runs}}
            </tbody>
            </table>
            {{/has_runs}}
            {{^has_runs}}
            <p class="empty">No finished run yet.</p>
            {{/has_runs}}

            """ + foot

    static let run =
        head + """
            <header><nav><a href="{{index_url}}">dsari</a> › <a href="{{job_url}}">{{job_name}}</a> › {{run_id}}</nav><h1>{{job_name}} <span class="badge {{status_class}}">{{status}}</span></h1></header>
            <main>
            <table class="facts">
            <tr><th>Run ID</th><td><code>{{run_id}}</code></td></tr>
            <tr><th>Exit code</th><td class="{{status_class}}">{{exit_code}}</td></tr>
            <tr><th>Trigger</th><td>{{trigger_type}}{{#trigger_kind}} ({{trigger_kind}}){{/trigger_kind}}</td></tr>
            {{#trigger_description}}
            <tr><th>Description</th><td>{{trigger_description}}</td></tr>
            {{/trigger_description}}
            <tr><th>Scheduled</th><td><time datetime="{{schedule_time_iso}}">{{schedule_time}}</time></td></tr>
            <tr><th>Started</th><td><time datetime="{{start_time_iso}}">{{start_time}}</time> (latency {{latency}})</td></tr>
            <tr><th>Stopped</th><td><time datetime="{{stop_time_iso}}">{{stop_time}}</time></td></tr>
            <tr><th>Duration</th><td>{{duration}} ({{duration_seconds}} s)</td></tr>
            {{#interrupted}}
            <tr><th>Interrupted</th><td class="failed">{{reason}}</td></tr>
            {{/interrupted}}
            {{#timed_out}}
            <tr><th>Timed out</th><td class="failed">stopped after the job's max_execution</td></tr>
            {{/timed_out}}
            {{#start_error}}
            <tr><th>Could not start</th><td class="failed">{{start_error}}</td></tr>
            {{/start_error}}
            </table>
            {{#nagios}}
            <h2>Nagios check</h2>
            <table class="facts">
            <tr><th>State</th><td class="{{state_class}}"><span class="status">{{state_name}}</span> ({{current_state}})</td></tr>
            <tr><th>Plugin output</th><td>{{plugin_output}}</td></tr>
            {{#long_plugin_output}}
            <tr><th>Long output</th><td><pre>{{long_plugin_output}}</pre></td></tr>
            {{/long_plugin_output}}
            {{#performance_data}}
            <tr><th>Performance data</th><td><code>{{performance_data}}</code></td></tr>
            {{/performance_data}}
            {{#note}}
            <tr><th>Note</th><td>{{note}}</td></tr>
            {{/note}}
            </table>
            {{#has_perfdata}}
            <table class="list">
            <thead><tr><th>Label</th><th>Value</th><th>Unit</th><th>Warning</th><th>Critical</th><th>Min</th><th>Max</th></tr></thead>
            <tbody>
            {{#perfdata}}
            <tr><td>{{label}}</td><td class="number">{{value}}</td><td>{{uom}}</td><td>{{warn}}</td><td>{{crit}}</td><td>{{min}}</td><td>{{max}}</td></tr>
            {{/perfdata}}
            </tbody>
            </table>
            {{/has_perfdata}}
            {{/nagios}}
            <h2>Output</h2>
            {{#output}}
            <p class="note">{{file}}: {{total_bytes}} bytes{{#elided}}, of which {{elided_bytes}} are not shown (report_run_output_start, report_run_output_end){{/elided}}.</p>
            <pre class="output">{{head}}{{#elided}}
            <span class="elided">[… {{elided_bytes}} bytes not shown …]</span>
            {{/elided}}{{tail}}</pre>
            {{/output}}
            {{^output}}
            <p class="empty">The run left no output file.</p>
            {{/output}}
            {{#output_truncated}}
            <p class="note">The output reached the job's max_output_bytes; the daemon kept no more.</p>
            {{/output_truncated}}
            {{#trigger_data}}
            <h2>Trigger data</h2>
            <pre>{{trigger_data}}</pre>
            {{/trigger_data}}
            {{#run_data}}
            <h2>Run data</h2>
            <pre>{{run_data}}</pre>
            {{/run_data}}

            """ + foot

    static let stylesheet = """
        /* dsari-render's stylesheet; a dsari.css in template_dir replaces it. */
        :root { --fg: #1d1f21; --bg: #ffffff; --muted: #6b7075; --line: #d8dbde; --head: #f3f4f5;
          --ok: #1b7f2a; --ok-bg: #e7f5ea; --failed: #b3001b; --failed-bg: #fbe9eb;
          --warning: #8a5a00; --warning-bg: #fdf3dc; --unknown: #6a3d9a; --unknown-bg: #f1eaf7; --link: #0b5cad; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e3e5e8; --bg: #16181b; --muted: #9aa0a6; --line: #34383d; --head: #202328;
            --ok: #6fd38a; --ok-bg: #173322; --failed: #ff7b8b; --failed-bg: #3d1a20;
            --warning: #f2c14e; --warning-bg: #3a2f14; --unknown: #c9a5ef; --unknown-bg: #2c2238; --link: #7db7ff; }
        }
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
          margin: 0 auto; max-width: 80rem; padding: 1rem 1.5rem; line-height: 1.45; }
        a { color: var(--link); }
        h1 { margin: .3rem 0 1rem; font-size: 1.6rem; }
        h2 { margin-top: 2rem; font-size: 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
        nav { color: var(--muted); }
        footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: .3rem .6rem; border-bottom: 1px solid var(--line); }
        thead th { background: var(--head); }
        table.facts { width: auto; }
        table.facts th { white-space: nowrap; color: var(--muted); font-weight: normal; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .status { font-weight: bold; }
        .output { color: var(--muted); }
        .empty, .note { color: var(--muted); }
        .ok .status, td.ok { color: var(--ok); }
        tr.failed, tr.critical, div.failed, div.critical { background: var(--failed-bg); }
        .failed .status, .critical .status, td.failed, td.critical { color: var(--failed); }
        tr.warning, div.warning { background: var(--warning-bg); }
        .warning .status, td.warning { color: var(--warning); }
        tr.unknown, div.unknown { background: var(--unknown-bg); }
        .unknown .status, td.unknown { color: var(--unknown); }
        div.failure, div.latest { padding: .15rem .4rem; }
        .badge { font-size: .9rem; padding: .1rem .5rem; border-radius: .3rem; vertical-align: middle; }
        .badge.ok { background: var(--ok-bg); color: var(--ok); }
        .badge.failed, .badge.critical { background: var(--failed-bg); color: var(--failed); }
        .badge.warning { background: var(--warning-bg); color: var(--warning); }
        .badge.unknown { background: var(--unknown-bg); color: var(--unknown); }
        pre { background: var(--head); padding: .6rem .8rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
        pre.output { border-left: 3px solid var(--line); }
        .elided { display: block; color: var(--muted); font-style: italic; margin: .4rem 0; }
        code { font-size: .92em; }

        """
}
