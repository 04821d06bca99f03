/// Prints rows in aligned columns under a header and a rule, as dsari-info's
/// pretty format does. Widths count characters, not escape codes, so
/// coloured cells stay aligned.
struct TablePrinter {
    let headers: [String]
    var style = TerminalStyle.standardOutput
    /// The whole line's width at most (a terminal's): the last column (free
    /// text such as plugin output) is shortened with "…" to fit, and only
    /// its first line is shown. nil: no line width.
    var lineWidth: Int?
    /// The last column's width at most when there is no line width (output
    /// to a file or a pipe), so that one huge cell cannot make huge lines.
    var lastColumnMaximum: Int?

    /// A cell: what is shown and how wide it looks.
    struct Cell {
        var text: String
        var width: Int
        init(_ text: String) {
            self.text = text
            self.width = text.count
        }
        init(styled: String, plain: String) {
            self.text = styled
            self.width = plain.count
        }
    }

    func print(_ rows: [[String]]) {
        print(cells: rows.map { $0.map(Cell.init) })
    }

    func print(cells rows: [[Cell]]) {
        var rows = rows
        if lineWidth != nil || lastColumnMaximum != nil, let last = headers.indices.last {
            var fixed = headers.dropLast().map(\.count)
            for row in rows {
                for (index, cell) in row.enumerated() where index < last { fixed[index] = max(fixed[index], cell.width) }
            }
            let room = max(headers[last].count, lineWidth.map { $0 - fixed.reduce(0, +) - 3 * last } ?? lastColumnMaximum ?? Int.max)
            for (number, row) in rows.enumerated() where row.count == headers.count {
                let plain = row[last].text.prefix { $0 != "\n" }
                guard plain.count > room || plain.count != row[last].text.count else { continue }
                let shown = plain.count > room ? String(plain.prefix(room - 1)) + "…" : String(plain)
                rows[number][last] = Cell(shown)
            }
        }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.width)
            }
        }
        let rule = style.isUTF8 ? "─" : "-"
        var lines: [String] = []
        lines.append(
            headers.enumerated().map { index, header in
                let padding = widths[index] - header.count
                return String(repeating: " ", count: padding / 2) + header
                    + String(repeating: " ", count: padding - padding / 2)
            }.joined(separator: "   ").trailingSpacesTrimmed)
        lines.append(widths.map { String(repeating: rule, count: $0) }.joined(separator: "   "))
        for row in rows {
            lines.append(
                row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell.text : cell.text + String(repeating: " ", count: widths[index] - cell.width)
                }.joined(separator: "   "))
        }
        OutputPager.write(lines)
    }
}

extension String {
    var trailingSpacesTrimmed: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
