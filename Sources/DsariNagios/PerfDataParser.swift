import DsariCore

/// Splits performance data into items and parses each one.
///
/// Items are separated by blanks; a label in single quotes may contain
/// blanks and `''` for a quote. Empty fields and trailing semicolons are
/// allowed. More than five fields, a missing `=`, a value that is neither a
/// number nor `U`, a unit that is not letters, `%` or `/`, or a bad range
/// make the item malformed: it is kept raw with the reason, and parsing
/// goes on with the next item.
public enum PerfDataParser {
    /// The well-formed items and the malformed ones, each in order.
    public static func parse(_ text: String) -> (data: [PerfDatum], malformed: [MalformedPerfDatum]) {
        var data: [PerfDatum] = []
        var malformed: [MalformedPerfDatum] = []
        let characters = Array(text)
        var index = 0
        func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" || character.isNewline }
        while index < characters.count {
            while index < characters.count, isBlank(characters[index]) { index += 1 }
            guard index < characters.count else { break }
            let start = index
            var label = ""
            var problem: String?
            if characters[index] == "'" {
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == "'" {
                        if index + 1 < characters.count, characters[index + 1] == "'" {
                            label.append("'")
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    label.append(characters[index])
                    index += 1
                }
                if !closed {
                    // Without its closing quote the label's end is unknown: the
                    // bad item is taken to end at the next blank, so the rest survives.
                    problem = "the quoted label has no closing quote"
                    index = start
                } else if index >= characters.count || characters[index] != "=" {
                    problem = "no \"=\" follows the quoted label"
                }
            } else {
                while index < characters.count, characters[index] != "=", !isBlank(characters[index]) {
                    label.append(characters[index])
                    index += 1
                }
                if index >= characters.count || characters[index] != "=" {
                    problem = "no \"=\" between label and value"
                } else if label.isEmpty {
                    problem = "the label is empty"
                }
            }
            let valueStart = index + 1
            // The rest of the item runs to the next blank.
            while index < characters.count, !isBlank(characters[index]) { index += 1 }
            let raw = String(characters[start..<index])
            if let problem {
                malformed.append(MalformedPerfDatum(raw: raw, reason: problem))
                continue
            }
            let fields = valueStart < index ? String(characters[valueStart..<index]) : ""
            do {
                data.append(try datum(label: label, fields: fields, raw: raw))
            } catch {
                malformed.append(MalformedPerfDatum(raw: raw, reason: error.description))
            }
        }
        return (data, malformed)
    }

    private static func datum(label: String, fields text: String, raw: String) throws(NagiosRange.ParseError)
        -> PerfDatum
    {
        var fields = text.split(separator: ";", omittingEmptySubsequences: false)
        while fields.count > 5, fields.last?.isEmpty == true { fields.removeLast() }
        guard fields.count <= 5 else {
            throw NagiosRange.ParseError(description: "it has \(fields.count) fields; at most 5 (value;warn;crit;min;max)")
        }
        let valueText = fields[0]
        var datum = PerfDatum(label: label, value: nil, raw: raw)
        if valueText == "U" {
            datum.value = nil
        } else if let (number, length) = PerfNumber.prefix(of: valueText) {
            datum.value = number
            let unit = String(valueText.utf8.dropFirst(length))!
            guard unit.allSatisfy({ $0.isLetter || $0 == "%" || $0 == "/" }) else {
                throw NagiosRange.ParseError(description: "the unit \(unit.quotedForMessage) is not letters, \"%\" or \"/\"")
            }
            datum.unit = UnitOfMeasure(unit)
        } else {
            throw NagiosRange.ParseError(
                description: valueText.isEmpty ? "the value is empty" : "the value \(String(valueText).quotedForMessage) is not a number")
        }
        func field(_ number: Int) -> Substring? {
            number < fields.count && !fields[number].isEmpty ? fields[number] : nil
        }
        datum.warning = try field(1).map { text throws(NagiosRange.ParseError) in try NagiosRange(String(text)) }
        datum.critical = try field(2).map { text throws(NagiosRange.ParseError) in try NagiosRange(String(text)) }
        for (number, name) in [(3, "minimum"), (4, "maximum")] {
            guard let text = field(number) else { continue }
            guard let value = PerfNumber.parse(text) else {
                throw NagiosRange.ParseError(description: "the \(name) \(String(text).quotedForMessage) is not a number")
            }
            if number == 3 { datum.minimum = value } else { datum.maximum = value }
        }
        return datum
    }
}
