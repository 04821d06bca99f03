import DsariTestSupport
import Foundation
import Testing
import Yams

@testable import DsariCore

private func yaml(_ text: String) throws -> ConfigNode {
    try ConfigFileReader.parse(text, format: .yaml, file: "test.yaml")
}

private func json(_ text: String) throws -> ConfigNode {
    try ConfigFileReader.parse(text, format: .json, file: "test.json")
}

/// The error `body` throws, which must be a `ConfigError`.
private func configError(_ body: () throws -> Void) -> ConfigError? {
    do {
        try body()
    } catch let error as ConfigError {
        return error
    } catch {
        Issue.record("expected a ConfigError, got \(error)")
        return nil
    }
    Issue.record("expected a ConfigError, nothing was thrown")
    return nil
}

@Suite("ConfigValue: merge, equality, reading YAML and JSON, emission")
struct ConfigValueTests {
    // MARK: Merge

    @Test func mergeRecursesIntoMappingsAndReplacesEverythingElse() {
        let base: ConfigValue = [
            "a": ["x": 1, "y": ["deep": 1, "keep": true]],
            "list": [1, 2, 3],
            "scalar": "old",
            "mappingToScalar": ["k": 1],
            "scalarToMapping": 5,
            "toNull": ["k": 1],
        ]
        let over: ConfigValue = [
            "a": ["y": ["deep": 2], "z": 3],
            "list": [9],
            "scalar": "new",
            "mappingToScalar": "flat",
            "scalarToMapping": ["k": 2],
            "toNull": nil,
            "added": true,
        ]
        let merged = base.merging(over)
        let expected: ConfigValue = [
            "a": ["x": 1, "y": ["deep": 2, "keep": true], "z": 3],
            "list": [9],
            "scalar": "new",
            "mappingToScalar": "flat",
            "scalarToMapping": ["k": 2],
            "toNull": nil,
            "added": true,
        ]
        #expect(merged == expected)
        // Keys keep their first position, new keys come last (Python dict order).
        #expect(
            merged.mappingEntries?.map(\.key)
                == ["a", "list", "scalar", "mappingToScalar", "scalarToMapping", "toNull", "added"])
        #expect(merged["a"]?.value.mappingEntries?.map(\.key) == ["x", "y", "z"])
    }

    @Test func mergeOfNonMappingsTakesTheOther() {
        #expect(ConfigValue.int(1).merging(["a": 1]) == ["a": 1])
        #expect(ConfigValue(dictionaryLiteral: ("a", 1)).merging([1, 2]) == [1, 2])
        #expect(ConfigValue.string("x").merging(nil) == .null)
    }

    @Test func mergeKeepsLocationsOfTheValuesThatWin() throws {
        let first = try ConfigFileReader.parse("a: 1\nb:\n  c: 2\n", format: .yaml, file: "first.yaml")
        let second = try ConfigFileReader.parse("{\n\"b\": {\"d\": 3}\n}", format: .json, file: "second.json")
        let merged = first.merging(second)
        #expect(merged["a"]?.location == SourceLocation(file: "first.yaml", line: 1))
        #expect(merged["b"]?["c"]?.location == SourceLocation(file: "first.yaml", line: 3))
        #expect(merged["b"]?["d"]?.location == SourceLocation(file: "second.json", line: 2))
    }

    @Test func equalityIgnoresLocationsAndKeyOrderButNotTypes() {
        let located = ConfigNode(["a": 1, "b": 2], location: SourceLocation(file: "x", line: 3))
        #expect(located == ConfigNode(["b": 2, "a": 1]))
        #expect(located.hashValue == ConfigNode(["b": 2, "a": 1]).hashValue)
        #expect(ConfigValue.int(1) != ConfigValue.double(1))
        #expect(ConfigValue.bool(true) != ConfigValue.int(1))
        #expect(ConfigValue.string("1") != ConfigValue.int(1))
        #expect(ConfigValue(arrayLiteral: 1, 2) != [2, 1])
    }

    // MARK: YAML

    @Test func yamlScalarsAreTypedAsPyYAMLTypesThem() throws {
        let node = try yaml(
            """
            bools: [yes, No, on, OFF, true, False]
            quoted: ["yes", 'true', "5", '~']
            ints: [5, -3, 0x1F, 0o17, 1_000, +7]
            floats: [1.5, 1.0, -0.0, 1e3, .inf, -.inf]
            nulls: [~, null, ]
            empty:
            text: [hello, 2024-01-01, "=", <<x]
            big: 123456789012345678901234567890
            tagged: [!!str 5, !!float 1]
            """)
        #expect(node["bools"]?.value == [true, false, true, false, true, false])
        #expect(node["quoted"]?.value == ["yes", "true", "5", "~"])
        #expect(node["ints"]?.value == [5, -3, 31, 15, 1000, 7])
        #expect(node["floats"]?.value == [1.5, 1.0, -0.0, 1000.0, .double(.infinity), .double(-.infinity)])
        #expect(node["nulls"]?.value == [nil, nil])
        #expect(node["empty"]?.value == .null)
        #expect(node["text"]?.value == ["hello", "2024-01-01", "=", "<<x"])
        #expect(node["big"]?.value == .double(123456789012345678901234567890.0))
        #expect(node["tagged"]?.value == ["5", 1.0])
        let nan = try yaml("x: .nan")["x"]?.value
        guard case .double(let number)? = nan else {
            Issue.record("expected a float, got \(String(describing: nan))")
            return
        }
        #expect(number.isNaN)
    }

    /// YAML 1.1 base-60 integers as PyYAML reads them; past Int64 a float
    /// (Yams' own reading trapped: found by fuzzing a trigger file).
    @Test func sexagesimalIntegersAndTheirOverflow() throws {
        let node = try yaml("a: 190:20:30\nb: -1:30\nc: 1_0:00\nd: 9223372036854775807:00\ne: 153722867280912930:8\n")
        #expect(node["a"]?.value == 685_230)
        #expect(node["b"]?.value == -90)
        #expect(node["c"]?.value == 600)
        #expect(node["d"]?.value == .double(9_223_372_036_854_775_807.0 * 60))
        #expect(node["e"]?.value == .double(153_722_867_280_912_930.0 * 60 + 8))
    }

    @Test func yamlValuesAndKeysCarryTheirLines() throws {
        let node = try yaml(
            """
            # comment
            jobs:
              build:
                command: [make]
                max_execution: 10
            """)
        #expect(node["jobs"]?["build"]?["command"]?.location == SourceLocation(file: "test.yaml", line: 4))
        #expect(node["jobs"]?["build"]?["max_execution"]?.location?.line == 5)
        let build = node["jobs"]?.value.mappingEntries?.first
        #expect(build?.keyLocation == SourceLocation(file: "test.yaml", line: 3))
    }

    @Test func yamlKeysThatAreNotStringsAreMarked() throws {
        let entries = try yaml("1: a\non: b\n'2': c\n").value.mappingEntries ?? []
        #expect(entries.map(\.key) == ["1", "on", "2"])
        #expect(entries.map(\.keyKind) == [.int, .bool, .string])
    }

    @Test func yamlAnchorsAliasesAndMergeKeysWorkAsInPyYAML() throws {
        let node = try yaml(
            """
            base: &base {command: [x], max_execution: 5, environment: {A: '1'}}
            other: &other {max_execution: 6, render_reports: false}
            a: *base
            b:
              <<: *base
              max_execution: 7
            c:
              <<: [*base, *other]
            """)
        #expect(node["a"] == node["base"])
        #expect(node["b"]?.value == ["command": ["x"], "max_execution": 7, "environment": ["A": "1"]])
        // The earlier mapping in a merge list wins.
        #expect(
            node["c"]?.value
                == ["command": ["x"], "max_execution": 5, "environment": ["A": "1"], "render_reports": false])
        #expect(
            node["b"]?.value.mappingEntries?.map(\.key) == ["command", "max_execution", "environment"])
    }

    @Test func yamlSyntaxErrorsGiveLineAndColumn() throws {
        let error = configError {
            _ = try yaml("jobs:\n  a:\n    command: [x\n  b: 1\n")
        }
        #expect(error?.file == "test.yaml")
        #expect(error?.line == 4)
        #expect(error?.column != nil)
        #expect(error?.description.hasPrefix("test.yaml:4:") == true)
        #expect(error?.description.contains("invalid YAML") == true)
    }

    @Test func yamlRefusesDuplicateKeysUnknownTagsAndComplexKeys() {
        let duplicate = configError { _ = try yaml("a: 1\nb: 2\na: 3\n") }
        #expect(duplicate?.description.contains("\"a\" appears twice") == true)
        #expect(duplicate?.line == 1)
        let tag = configError { _ = try yaml("a: !custom 5\n") }
        #expect(tag?.description.contains("tag \"!custom\" is not supported") == true)
        #expect(tag?.line == 1)
        let complex = configError { _ = try yaml("? [a, b]\n: 1\n") }
        #expect(complex?.description.contains("mapping key must be a plain value") == true)
        let multipleDocuments = configError { _ = try yaml("a: 1\n---\nb: 2\n") }
        #expect(multipleDocuments?.line == 2)
    }

    @Test func yamlAliasBombIsStopped() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let error = configError { _ = try yaml(text) }
        #expect(error?.description.contains("more than 1000000 values") == true)
    }

    @Test func emptyYAMLIsNull() throws {
        #expect(try yaml("").value == .null)
        #expect(try yaml("# only a comment\n").value == .null)
    }

    // MARK: JSON

    @Test func jsonKeepsIntegersAndFloatsApart() throws {
        let node = try json(
            #"{"i": 1, "f": 1.0, "e": 1e2, "n": -0.0, "neg": -5, "big": 12345678901234567890, "inf": 1e400}"#)
        #expect(node["i"]?.value == .int(1))
        #expect(node["f"]?.value == .double(1.0))
        #expect(node["e"]?.value == .double(100.0))
        #expect(node["n"]?.value == .double(-0.0))
        #expect(node["neg"]?.value == .int(-5))
        #expect(node["big"]?.value == .double(12345678901234567890.0))
        #expect(node["inf"]?.value == .double(.infinity))
    }

    @Test func jsonReadsAllValueKindsInOrder() throws {
        let node = try json(
            "\u{FEFF}{\"z\": [true, false, null], \"a\": \"x\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\", \"m\": {}}")
        #expect(node.value.mappingEntries?.map(\.key) == ["z", "a", "m"])
        #expect(node["z"]?.value == [true, false, nil])
        #expect(node["a"]?.value == "xé😀\n\t\"\\/")
        #expect(node["m"]?.value == [:])
    }

    @Test func jsonValuesAndKeysCarryTheirLines() throws {
        let node = try json("{\n  \"jobs\": {\n    \"a\": {\n      \"command\": [\"x\"]\n    }\n  }\n}\n")
        #expect(node["jobs"]?["a"]?["command"]?.location == SourceLocation(file: "test.json", line: 4))
        #expect(node["jobs"]?.value.mappingEntries?.first?.keyLocation?.line == 3)
    }

    @Test(
        "JSON syntax errors give line, column and the problem",
        arguments: [
            ("{\"a\": 1,\n \"b\": }", 2, 7, "unexpected '}' where a value was expected"),
            ("{\"a\": 1,\n \"b\": 2,}", 2, 9, "a comma must not follow the last entry of an object"),
            ("[1, 2,\n]", 2, 1, "a comma must not follow the last element of a list"),
            ("{\"a\": 1\n \"b\": 2}", 2, 2, "expected ',' or '}' after a value in an object, found '\"'"),
            ("{\"a\" 1}", 1, 6, "expected ':' after the key \"a\", found '1'"),
            ("{'a': 1}", 1, 2, "expected a key in double quotes, found '''"),
            ("[NaN]", 1, 2, "(NaN and Infinity are not JSON)"),
            ("[-Infinity]", 1, 3, "(NaN and Infinity are not JSON)"),
            ("// c\n{}", 1, 1, "(JSON has no comments)"),
            ("[01]", 1, 2, "a number must not start with 0"),
            ("[1.]", 1, 2, "\"1.\" is not a valid number"),
            ("[\"a\nb\"]", 1, 4, "must not contain a line break"),
            ("[\"a\tb\"]", 1, 4, "control character U+0009"),
            ("[\"\\x\"]", 1, 3, "'\\x' is not a valid escape"),
            ("[\"\\ud800\"]", 1, 9, "half a surrogate pair"),
            ("\n\n  [\"abc", 3, 4, "a string is not closed"),
            ("{} x", 1, 4, "unexpected 'x' after the end of the JSON value"),
            ("", 1, 1, "the text ends where a value was expected"),
            ("[tru]", 1, 2, "unexpected 't' where a value was expected"),
            ("{\"a\": 1, \"a\": 2}", 1, 10, "the key \"a\" appears twice in one object (first on line 1)"),
            ("  é}", 1, 3, "unexpected 'é' where a value was expected"),
        ] as [(String, Int, Int, String)])
    func jsonSyntaxErrors(text: String, line: Int, column: Int, problem: String) {
        let error = configError { _ = try json(text) }
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.description.hasPrefix("test.json:\(line):\(column): invalid JSON: ") == true)
        #expect(error?.description.contains(problem) == true, "\(String(describing: error))")
    }

    @Test func jsonNestingIsBounded() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let error = configError { _ = try json(deep) }
        #expect(error?.description.contains("nested more than 512 levels") == true)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { _ = try json(fine) }
    }

    // MARK: Files

    @Test func readingFilesChecksTheTopLevelAndNamesTheFile() throws {
        let directory = try TemporaryDirectory(prefix: "dsari-config-test")
        defer { directory.remove() }
        let list = try directory.write("list.yaml", "- a\n- b\n")
        let error = configError { _ = try ConfigFileReader.readMapping(path: list) }
        #expect(error?.description == "\(list):1: the file must hold a mapping of options (key: value) at the top level, not a list.")
        let scalar = try directory.write("scalar.json", "\n\"text\"")
        #expect(configError { _ = try ConfigFileReader.readMapping(path: scalar) }?.line == 2)
        let empty = try directory.write("empty.yaml", "# nothing\n")
        #expect(try ConfigFileReader.readMapping(path: empty) == nil)
        let mapping = try directory.write("ok.json", "{\"a\": 1}")
        #expect(try ConfigFileReader.readMapping(path: mapping)?.value == ["a": 1])
        // Any top level is fine for plain reading (return data may be a list).
        #expect(try ConfigFileReader.read(path: list).value == ["a", "b"])
    }

    @Test func unreadableFilesGiveASentenceNamingTheFile() throws {
        let directory = try TemporaryDirectory(prefix: "dsari-config-test")
        defer { directory.remove() }
        let missing = directory.url("missing.yaml")
        #expect(
            configError { _ = try ConfigFileReader.read(path: missing) }?.description
                == "\(missing): cannot be read: No such file or directory.")
        let folder = directory.url("folder.json")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(
            configError { _ = try ConfigFileReader.read(path: folder) }?.description
                == "\(folder): cannot be read: it is not a regular file.")
        let binary = directory.url("binary.yaml")
        try Data([0x61, 0x3A, 0x0A, 0x62, 0x3A, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: binary))
        let error = configError { _ = try ConfigFileReader.read(path: binary) }
        #expect(error?.description == "\(binary):2: is not valid UTF-8 text (byte 7 of the file).")
        let other = try directory.write("config.txt", "a: 1")
        #expect(configError { _ = try ConfigFileReader.read(path: other) }?.description.contains("neither in .yaml nor in .json") == true)
        #expect(try ConfigFileReader.read(path: other, format: .yaml).value == ["a": 1])
    }

    // MARK: Emission

    @Test func jsonEmissionPrettyCompactAndSorted() {
        let value: ConfigValue = ["b": [1, 2.5, "x"], "a": ["empty": [:], "list": []], "n": nil, "t": true]
        #expect(
            value.jsonString()
                == """
                {
                    "b": [
                        1,
                        2.5,
                        "x"
                    ],
                    "a": {
                        "empty": {},
                        "list": []
                    },
                    "n": null,
                    "t": true
                }
                """)
        #expect(value.jsonString(pretty: false) == #"{"b":[1,2.5,"x"],"a":{"empty":{},"list":[]},"n":null,"t":true}"#)
        #expect(
            value.jsonString(pretty: false, sortedKeys: true)
                == #"{"a":{"empty":{},"list":[]},"b":[1,2.5,"x"],"n":null,"t":true}"#)
    }

    @Test func jsonEmissionWritesNumbersAsPythonAndEscapesStrings() {
        let value: ConfigValue = [
            "floats": [1.0, 1e16, 1e-5, -0.0, .double(.infinity), .double(.nan)],
            "text": "q\"b\\n\n\t\u{01}é",
        ]
        #expect(
            value.jsonString(pretty: false)
                == #"{"floats":[1.0,1e+16,1e-05,-0.0,null,null],"text":"q\"b\\n\n\t\u0001é"}"#)
    }

    static let awkwardStrings: [String] = [
        "", "true", "yes", "No", "on", "null", "~", "123", "-5", "1.5", "1e3", "0x1F", "0o17", ".inf", ".nan",
        "2024-01-01", "2001-12-14t21:59:43.10-05:00", "<<", "=", ": x", "- a", "#c", "a: b", "a #b", " leading",
        "trailing ", "multi\nline", "ends with newline\n", "tab\there", "quote'\"", "é😀", "@at", "`b", "%p",
        "!tag", "*star", "&amp", "{", "[", "?", ",", "|", ">", "\u{7}bell", "\u{0}nul", "1:30", "+1", "0",
    ]

    @Test func emissionRoundTripsThroughOurReadersAndFoundation() throws {
        let strings = ConfigValue.array(Self.awkwardStrings.map { ConfigNode(.string($0)) })
        let keyed = ConfigValue.mapping(
            Self.awkwardStrings.map { ConfigValue.Entry(key: $0, value: ConfigNode(.string($0))) })
        let value: ConfigValue = [
            "strings": strings,
            "keyed": keyed,
            "ints": [0, -1, .int(Int64.max), .int(Int64.min)],
            "floats": [1.0, 2.5, 1e16, 1e-5, -0.0, 1.7976931348623157e308, .double(.leastNonzeroMagnitude), .double(.infinity)],
            "bools": [true, false],
            "null": nil,
            "nested": ["list": [[], [:], [["a": [1]]]]],
        ]
        let yamlText = value.yamlString()
        #expect(try yaml(yamlText).value == value, "\(yamlText)")
        // Yams' own loader agrees too (it is what other parts may use).
        #expect(try Yams.load(yaml: yamlText) != nil)

        let jsonText = value.jsonString()
        var finite = value
        if case .mapping(var entries) = finite, let index = entries.firstIndex(where: { $0.key == "floats" }) {
            // JSON has no infinity: it is written as null.
            entries[index].value = ConfigNode([1.0, 2.5, 1e16, 1e-5, -0.0, 1.7976931348623157e308, .double(.leastNonzeroMagnitude), nil])
            finite = .mapping(entries)
        }
        #expect(try json(jsonText).value == finite)
        #expect(try json(value.jsonString(pretty: false)).value == finite)
        let foundation = try JSONSerialization.jsonObject(with: Data(jsonText.utf8)) as? [String: Any]
        #expect(foundation?["strings"] as? [String] == Self.awkwardStrings)
    }

    @Test func yamlEmissionQuotesStringsThatWouldChangeType() {
        let text = ConfigValue(dictionaryLiteral: ("a", "true"), ("b", "5"), ("c", "plain"), ("d", 5), ("e", 1e16))
            .yamlString()
        #expect(text == "a: 'true'\nb: '5'\nc: plain\nd: 5\ne: 1.0e+16\n")
    }

    // MARK: Helpers

    @Test(
        "floats print as Python's str()",
        arguments: [
            (1.0, "1.0"), (2.5, "2.5"), (100.0, "100.0"), (-0.0, "-0.0"), (0.1, "0.1"), (1e16, "1e+16"),
            (1e15, "1000000000000000.0"), (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e300, "1.5e+300"),
            (.leastNonzeroMagnitude, "5e-324"), (123456789012345678.0, "1.2345678901234568e+17"), (12345.678, "12345.678"),
            (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "nan"),
        ] as [(Double, String)])
    func pythonRepr(value: Double, expected: String) {
        #expect(value.pythonRepr == expected)
    }

    /// Against Python's own repr(): random magnitudes across both layouts and
    /// their borders (1e-4, 1e15, 1e16), and random bit patterns.
    @Test func floatsPrintAsPythonsReprOnRandomValues() throws {
        var generator = SeededGenerator(state: 7)
        var values: [Double] = [1e-4, 9.999999999999999e-5, 1e15, 999999999999999.9, 1e16, 9999999999999998.0, 0, -0.0]
        for _ in 0..<20_000 {
            let exponent = Double.random(in: -7...18, using: &generator)
            let scaled = (Double.random(in: 1..<10, using: &generator) * pow(10, exponent.rounded(.down)))
            values.append(Bool.random(using: &generator) ? scaled : -scaled)
            values.append(Double(Int.random(in: 0..<10_000_000, using: &generator)) / 1000)
            let bits = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator))
            if bits.isFinite { values.append(bits) }
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write(
            "floats.txt", values.map { String($0.bitPattern, radix: 16).leftPadded(to: 16) }.joined(separator: "\n"))
        let expected = String(decoding: try OracleScript.run("float_repr_oracle.py", [input]), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        try #require(expected.count == values.count)
        let wrong = zip(values, expected).filter { $0.pythonRepr != $1 }
        #expect(wrong.isEmpty, "\(wrong.prefix(5).map { "\($0.pythonRepr) vs \($1)" })")
    }

    @Test func briefDescriptionsShowValuesButKindsDoNot() {
        #expect(ConfigValue.string("ten").briefDescription == "the string \"ten\"")
        #expect(ConfigValue.int(5).briefDescription == "the number 5")
        #expect(ConfigValue.double(1.0).briefDescription == "the number 1.0")
        #expect(ConfigValue.bool(true).briefDescription == "the boolean true")
        #expect(ConfigValue.null.briefDescription == "null")
        #expect(ConfigValue(arrayLiteral: "secret").briefDescription == "a list")
        #expect(ConfigValue.string("secret").kind.description == "a string")
        #expect(ConfigValue.string(String(repeating: "x", count: 100)).briefDescription.count < 80)
    }

    @Test func errorAndWarningDescriptionsReadAsSentences() {
        let error = ConfigError(
            "\"max_execution\" must be a number of seconds, not the string \"ten\"",
            location: SourceLocation(file: "/etc/dsari/dsari.yaml", line: 12), subject: .job("build", group: nil),
            key: "max_execution", expected: "a number of seconds")
        #expect(
            error.description
                == "/etc/dsari/dsari.yaml:12: job \"build\": \"max_execution\" must be a number of seconds, not the string \"ten\".")
        #expect(error.job == "build")
        let syntax = ConfigError(
            "invalid JSON: unexpected '}' where a value was expected",
            location: SourceLocation(file: "/etc/dsari/config.d/a.json", line: 3, column: 14))
        #expect(
            syntax.description
                == "/etc/dsari/config.d/a.json:3:14: invalid JSON: unexpected '}' where a value was expected.")
        let group = ConfigError("\"job_names\" is required (a list of job names)", subject: .jobGroup("web"))
        #expect(group.description == "job group \"web\": \"job_names\" is required (a list of job names).")
        let fromGroup = ConfigError("x", subject: .job("w1", group: "web"))
        #expect(fromGroup.description == "job \"w1\" (from job group \"web\"): x.")
        let warning = ConfigWarning(
            "unknown option \"comand\" is ignored (did you mean \"command\"?)",
            location: SourceLocation(file: "a.yaml", line: 4), subject: .job("j", group: nil), key: "comand")
        #expect(
            warning.description
                == "a.yaml:4: job \"j\": unknown option \"comand\" is ignored (did you mean \"command\"?).")
        #expect(ConfigWarning("skipped: not a regular file", file: "/x/y.yaml").description == "/x/y.yaml: skipped: not a regular file.")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
