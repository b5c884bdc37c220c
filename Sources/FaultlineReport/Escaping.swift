import Foundation

/// Escaping for text that comes from data: model output, expected answers, prompts, probe ids,
/// factor names and levels, model keys and manifest strings. Model output is untrusted.
enum HTMLText {
    /// Escapes `& < > " '` so the text is inert in element content, in double- or
    /// single-quoted attributes and inside inline SVG. C0 control characters other than tab
    /// and newline, and DEL, become U+FFFD: HTML forbids them and they hide text.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "\t", "\n": out.append(scalar)
            case "\r": out.append("\n")
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out.append("\u{FFFD}")
                } else {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }

    /// Shortens text to at most `limit` characters (ending in "…") before escaping, so that a
    /// label fits a chart without cutting an entity in half.
    static func escapeTruncated(_ text: String, limit: Int) -> String {
        escape(truncate(text, limit: limit))
    }

    static func truncate(_ text: String, limit: Int) -> String {
        guard text.count > limit, limit > 1 else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}

/// Escaping for text placed in Markdown paragraphs, list items and table cells.
enum MarkdownText {
    /// ASCII punctuation that starts emphasis, code, links, tables, headings, strike-through
    /// or (on GitHub) maths; CommonMark lets any of it be escaped with a backslash.
    /// Parentheses stay bare: with `[` escaped they cannot form a link.
    private static let significant: Set<Unicode.Scalar> = ["\\", "`", "*", "_", "[", "]", "|", "#", "~", "$"]

    /// Escapes the text for one line of Markdown: line breaks become " ↵ " (a table row or
    /// list item must stay on one line), `& < >` become entities (every Markdown dialect
    /// passes HTML through, and not all of them honour a backslash before `<`), and other
    /// significant punctuation gets a backslash.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        let normalisedBreaks = text.replacingOccurrences(of: "\r\n", with: "\n")
        for scalar in normalisedBreaks.unicodeScalars {
            switch scalar {
            case "\n", "\r": out.append(contentsOf: " ↵ ".unicodeScalars)
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\t": out.append(" ")
            default:
                if significant.contains(scalar) {
                    out.append("\\")
                    out.append(scalar)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out.append("\u{FFFD}")
                } else {
                    out.append(scalar)
                }
            }
        }
        var escaped = String(out)
        // At the start of a list item or cell these would open a nested list, a heading
        // underline or an ordered list.
        if let first = escaped.first, "-+=".contains(first) {
            escaped = "\\" + escaped
        } else if let markerEnd = orderedListMarkerEnd(escaped) {
            escaped.insert("\\", at: markerEnd)
        }
        return escaped
    }

    /// The index of the `.` or `)` in a leading `123.` / `123)`, if any.
    private static func orderedListMarkerEnd(_ text: String) -> String.Index? {
        var index = text.startIndex
        while index < text.endIndex, text[index].isASCII, text[index].isNumber {
            index = text.index(after: index)
        }
        guard index != text.startIndex, index < text.endIndex, text[index] == "." || text[index] == ")" else {
            return nil
        }
        return index
    }
}
