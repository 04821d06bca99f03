/// Reads template text into `Template.Node`s, as Mustache does: a section,
/// inverted-section, closing or comment tag alone on its line (only spaces
/// or tabs beside it) takes the whole line with it, so templates can put
/// them on lines of their own without leaving blank lines in the page.
struct TemplateParser {
    typealias Node = Template.Node
    typealias Position = Template.Position

    private let bytes: [UInt8]
    private let file: String
    /// Byte offset of the start of each line.
    private let lineStarts: [Int]

    init(source: String, file: String) {
        self.bytes = Array(source.utf8)
        self.file = file
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        self.lineStarts = starts
    }

    private enum TagKind {
        case escaped, raw, section, inverted, close, comment
    }

    /// A section being read: its tag and what it holds so far.
    private struct OpenSection {
        var name: String
        var inverted: Bool
        var position: Position
        var children: [Node] = []
    }

    func parse() throws(TemplateError) -> [Node] {
        var root: [Node] = []
        var open: [OpenSection] = []
        func append(_ node: Node) {
            if open.isEmpty { root.append(node) } else { open[open.count - 1].children.append(node) }
        }
        var textStart = 0
        var searchFrom = 0
        while let tagStart = find("{{", from: searchFrom) {
            var contentStart = tagStart + 2
            let triple = contentStart < bytes.count && bytes[contentStart] == UInt8(ascii: "{")
            if triple { contentStart += 1 }
            let closer = triple ? "}}}" : "}}"
            let position = self.position(of: tagStart)
            guard let contentEnd = find(closer, from: contentStart) else {
                throw error(at: position, "\(triple ? "{{{" : "{{") is never closed with \(closer).")
            }
            var tagEnd = contentEnd + closer.utf8.count
            var content = Substring(String(decoding: bytes[contentStart..<contentEnd], as: UTF8.self))
            content = content.drop { $0 == " " || $0 == "\t" }
            var kind = TagKind.escaped
            if triple {
                kind = .raw
            } else if let sigil = content.first {
                switch sigil {
                case "#": kind = .section
                case "^": kind = .inverted
                case "/": kind = .close
                case "!": kind = .comment
                case "&": kind = .raw
                case ">": throw error(at: position, "partials ({{>name}}) are not supported; write the part into the template.")
                case "=": throw error(at: position, "changing the delimiters ({{=<% %>=}}) is not supported.")
                default: break
                }
                if kind != .escaped { content = content.dropFirst() }
            }
            let name = content.trimmingSpaces
            let written = String(decoding: bytes[tagStart..<tagEnd], as: UTF8.self)
            if kind != .comment { try checkName(name, tag: written, at: position) }

            var textEnd = tagStart
            if kind != .escaped && kind != .raw, let line = standaloneLine(tagStart: tagStart, tagEnd: tagEnd, textStart: textStart) {
                textEnd = line.start
                tagEnd = line.end
            }
            if textEnd > textStart { append(.text(String(decoding: bytes[textStart..<textEnd], as: UTF8.self))) }
            textStart = tagEnd
            searchFrom = tagEnd

            switch kind {
            case .escaped, .raw:
                append(.variable(name: name, escaped: kind == .escaped, at: position))
            case .section, .inverted:
                open.append(OpenSection(name: name, inverted: kind == .inverted, position: position))
            case .close:
                guard let section = open.popLast() else {
                    throw error(at: position, "{{/\(name)}} closes nothing: no {{#\(name)}} or {{^\(name)}} is open.")
                }
                guard section.name == name else {
                    throw error(
                        at: position,
                        "{{/\(name)}} does not match {{\(section.inverted ? "^" : "#")\(section.name)}} opened on line \(section.position.line); close that one first."
                    )
                }
                append(.section(name: name, inverted: section.inverted, children: section.children, at: section.position))
            case .comment:
                break
            }
        }
        if textStart < bytes.count { append(.text(String(decoding: bytes[textStart...], as: UTF8.self))) }
        if let section = open.last {
            throw error(
                at: section.position,
                "{{\(section.inverted ? "^" : "#")\(section.name)}} is never closed (no {{/\(section.name)}} follows).")
        }
        return root
    }

    /// When only spaces or tabs stand between the tag and its line's start
    /// and end, the bytes of the whole line (newline included).
    private func standaloneLine(tagStart: Int, tagEnd: Int, textStart: Int) -> (start: Int, end: Int)? {
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = tagStart
        while start > textStart, isBlank(bytes[start - 1]) { start -= 1 }
        guard start == 0 || bytes[start - 1] == UInt8(ascii: "\n") else { return nil }
        var end = tagEnd
        while end < bytes.count, isBlank(bytes[end]) { end += 1 }
        if end == bytes.count { return (start, end) }
        if bytes[end] == UInt8(ascii: "\n") { return (start, end + 1) }
        if bytes[end] == UInt8(ascii: "\r"), end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: "\n") { return (start, end + 2) }
        return nil
    }

    /// A name is `.` or parts of letters, digits, `_` and `-` joined by dots.
    private func checkName(_ name: String, tag: String, at position: Position) throws(TemplateError) {
        if name == "." { return }
        guard !name.isEmpty else { throw error(at: position, "\(tag) has no name.") }
        let valid = name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { Self.nameScalars.contains($0) }
        }
        guard valid else {
            throw error(
                at: position, "\(tag): a name holds letters, digits, \"_\" and \"-\", with dots between parts (e.g. last_run.exit_code).")
        }
    }

    private static let nameScalars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".unicodeScalars)

    private func find(_ needle: String, from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard start <= bytes.count - pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0] && bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private func position(of offset: Int) -> Position {
        // The last line start at or before `offset`.
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        // Columns count characters, not bytes: count the bytes that start one.
        let column = bytes[lineStarts[low]..<offset].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return Position(line: low + 1, column: column)
    }

    private func error(at position: Position, _ reason: String) -> TemplateError {
        TemplateError(file: file, line: position.line, column: position.column, reason: reason)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
