import Testing

@testable import DsariRender

/// The Mustache subset of `dsari-render`'s templates.
@Suite("Template")
struct TemplateTests {
    func render(_ source: String, _ context: TemplateValue) throws -> String {
        try Template(source: source, file: "t.html").render(context)
    }

    @Test func variablesAreEscapedUnlessTripleOrAmpersand() throws {
        let context: TemplateValue = ["x": "<b a=\"1\">&'"]
        #expect(try render("{{x}}", context) == "&lt;b a=&quot;1&quot;&gt;&amp;&#39;")
        #expect(try render("{{{x}}}|{{& x }}", context) == "<b a=\"1\">&'|<b a=\"1\">&'")
        #expect(try render("[{{ x }}]", ["x": "plain"]) == "[plain]")
    }

    @Test func listsRepeatAndPushTheirItems() throws {
        let context: TemplateValue = ["title": "T", "items": [["n": "a"], ["n": "b"]], "names": ["x", "y"]]
        #expect(try render("{{#items}}{{n}}{{title}};{{/items}}", context) == "aT;bT;")
        #expect(try render("{{#names}}<{{.}}>{{/names}}", context) == "<x><y>")
    }

    @Test(arguments: [
        (TemplateValue.bool(true), "yes"), (.bool(false), "no"), (.null, "no"), (.text(""), "no"), (.text("t"), "yes"),
        (.list([]), "no"), (.object([:]), "yes"),
    ])
    func sectionsFollowTruthiness(value: TemplateValue, expected: String) throws {
        #expect(try render("{{#v}}yes{{/v}}{{^v}}no{{/v}}", ["v": value]) == expected)
    }

    @Test func dottedNamesReachIntoObjectsAndStopAtNull() throws {
        let context: TemplateValue = ["last": ["code": "0", "inner": ["deep": "d"]], "none": .null]
        #expect(try render("{{last.code}} {{last.inner.deep}} [{{none.code}}]", context) == "0 d []")
        #expect(try render("{{#last}}{{code}}{{/last}}", context) == "0")
    }

    @Test func standaloneTagLinesLeaveNoBlankLines() throws {
        let source = """
            <ul>
              {{#items}}
              <li>{{.}}</li>
              {{/items}}
              {{! a comment }}
            </ul>
            """
        #expect(try render(source, ["items": ["a", "b"]]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>")
        // Inline tags keep their line.
        #expect(try render("a {{#t}}b{{/t}} c\n", ["t": true]) == "a b c\n")
    }

    @Test func commentsCanSpanLines() throws {
        #expect(try render("a{{! one\ntwo }}b", [:]) == "ab")
    }

    /// Syntax errors name the file, the line and the column of the tag, and the reason.
    @Test(arguments: [
        ("<p>\n  {{#jobs}}\n", "t.html:2:3: {{#jobs}} is never closed (no {{/jobs}} follows)."),
        ("{{#a}}\n{{#b}}\n{{/a}}", "t.html:3:1: {{/a}} does not match {{#b}} opened on line 2; close that one first."),
        ("x\ny {{/a}}", "t.html:2:3: {{/a}} closes nothing: no {{#a}} or {{^a}} is open."),
        ("a\nb\n  c {{name", "t.html:3:5: {{ is never closed with }}."),
        ("{{{raw}}", "t.html:1:1: {{{ is never closed with }}}."),
        ("{{> header}}", "t.html:1:1: partials ({{>name}}) are not supported; write the part into the template."),
        ("{{=<% %>=}}", "t.html:1:1: changing the delimiters ({{=<% %>=}}) is not supported."),
        ("é {{}}", "t.html:1:3: {{}} has no name."),
        (
            "{{a b}}",
            "t.html:1:1: {{a b}}: a name holds letters, digits, \"_\" and \"-\", with dots between parts (e.g. last_run.exit_code)."
        ),
    ])
    func syntaxErrorsSayWhereAndWhy(source: String, message: String) {
        #expect {
            try Template(source: source, file: "t.html")
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func anUnknownVariableIsAnErrorNamingTheLineAndWhatIsKnown() throws {
        let template = try Template(source: "<p>\n  {{job_nme}}</p>", file: "/tpl/job.html")
        #expect {
            try template.render(["job_name": "x", "runs": []])
        } throws: { error in
            "\(error)" == "/tpl/job.html:2:3: there is no variable \"job_nme\" here; known here: job_name, runs."
        }
        #expect(throws: TemplateError.self) { try template.render(["job_nme": ["a": "b"]]) }
    }

    @Test func printingAListIsAnError() throws {
        #expect {
            try render("{{runs}}", ["runs": []])
        } throws: { error in
            "\(error)".contains("{{runs}} is a list, which cannot be printed; use {{#runs}}…{{/runs}}")
        }
    }

    /// Every built-in template parses and renders its own preflight pages.
    @Test func builtInTemplatesPassThePreflight() throws {
        let templates = try ReportTemplates.load(templateDirectory: nil)
        try TemplatePreflight(builder: ReportContextBuilder(formatter: ReportTimeFormatter())).check(templates)
        #expect(templates.origins == ["index.html ← built-in", "job.html ← built-in", "run.html ← built-in", "dsari.css ← built-in"])
    }

    @Test func urlPathsPercentEncodeNames() {
        #expect(ReportContextBuilder.urlPath(["db:backup nightly", "r1"]) == "db%3Abackup%20nightly/r1/index.html")
        #expect(ReportContextBuilder.urlPath(["a+b@c.d_e-f~"]) == "a%2Bb%40c.d_e-f~/index.html")
    }
}
