import DsariCore
import Foundation
import Testing

@testable import DsariCLI

/// The byte-level JSON of `run list`: stored columns are copied re-indented
/// when they are JSON and written as strings when they are not, and the
/// result is always valid JSON.
@Suite("JSONBytes")
struct JSONBytesTests {
    func stored(_ text: [UInt8], depth: Int = 0) -> String {
        var output: [UInt8] = []
        text.withUnsafeBufferPointer { JSONBytes.appendStoredJSON($0, depth: depth, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    func stored(_ text: String, depth: Int = 0) -> String { stored(Array(text.utf8), depth: depth) }

    @Test func storedJSONIsReindentedAsConfigValueWritesIt() throws {
        let text = #"{"b":[1,-2.5e3,{"x":"y\n\u00e9"},[],{}],"a":{"t":true,"f":false,"n":null}, "é": "\/"}"#
        let value = try ConfigFileReader.parse(text, format: .json, file: "t").value
        // Same layout as the tree writer when keys keep their order (numbers as written).
        let expected = value.jsonString(pretty: true).replacingOccurrences(of: "-2500.0", with: "-2.5e3")
            .replacingOccurrences(of: "é\"\n", with: "\\u00e9\"\n").replacingOccurrences(of: ": \"/\"", with: ": \"\\/\"")
        #expect(stored(text) == expected)
        // At depth 2 every line after the first is indented by eight more spaces.
        #expect(stored(#"{"pid":1}"#, depth: 2) == "{\n            \"pid\": 1\n        }")
    }

    @Test func emptyColumnsAreEmptyMappings() {
        #expect(stored("") == "{}")
        #expect(stored("{}") == "{}")
        #expect(stored(" { } ") == "{}")
    }

    @Test(arguments: [
        "not json", #"{"a":}"#, "[1,]", "01", #""\x""#, #"{"a":1"#, "NaN", "1.", "-", #"{"a" 1}"#, "[1] [2]",
        "\"tab\there\"", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func textThatIsNotJSONBecomesAString(text: String) throws {
        let written = stored(text)
        let parsed = try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed)
        #expect(parsed as? String == text)
    }

    @Test func invalidUTF8IsRepairedIntoAValidString() throws {
        let written = stored([0x22, 0x61, 0xFF, 0x22])  // "a\xFF"
        let parsed = try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed)
        #expect(parsed as? String == "\"a\u{FFFD}\"")
    }

    @Test func stringsEscapeQuotesBackslashesAndControls() {
        var output: [UInt8] = []
        JSONBytes.appendString("a\"b\\c\nd\u{1}e\u{7F}é", to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "\"a\\\"b\\\\c\\nd\\u0001e\u{7F}é\"")
    }
}
