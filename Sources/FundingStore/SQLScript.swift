import Foundation

/// Splits a SQL script into statements, as psql would: at top-level semicolons, not inside quotes
/// (`'…'`, `E'…'`, `"…"`), dollar quotes (`$$…$$`, `$tag$…$tag$`) or comments (`--`, nested `/* */`).
///
/// PostgresNIO speaks only the extended query protocol, which takes one statement at a time, so migrations are
/// sent statement by statement inside one transaction.
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        let s = Array(script.utf8)
        var statements: [String] = []
        var start = 0
        var i = 0
        var parenDepth = 0
        func peek(_ k: Int) -> UInt8? { i + k < s.count ? s[i + k] : nil }

        while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                while i < s.count, s[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                var depth = 1
                i += 2
                while i < s.count, depth > 0 {
                    if s[i] == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") { depth += 1; i += 2 }
                    else if s[i] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") { depth -= 1; i += 2 }
                    else { i += 1 }
                }
                continue
            case UInt8(ascii: "'"):
                let backslashEscapes = i > 0 && (s[i - 1] == UInt8(ascii: "E") || s[i - 1] == UInt8(ascii: "e"))
                i += 1
                while i < s.count {
                    if backslashEscapes, s[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if s[i] == UInt8(ascii: "'") {
                        if peek(1) == UInt8(ascii: "'") { i += 2; continue }
                        break
                    }
                    i += 1
                }
            case UInt8(ascii: "\""):
                i += 1
                while i < s.count, s[i] != UInt8(ascii: "\"") { i += 1 }
            case UInt8(ascii: "$"):
                // A dollar quote is $tag$ where tag is empty or an identifier not starting with a digit ($1 is a
                // parameter).
                var j = i + 1
                while j < s.count, s[j] == UInt8(ascii: "_") || (s[j] >= 0x80) || isAlnum(s[j]) { j += 1 }
                let isTag = j < s.count && s[j] == UInt8(ascii: "$") && !(j > i + 1 && isDigit(s[i + 1]))
                if isTag {
                    let tag = Array(s[i...j])
                    i = j + 1
                    while i < s.count {
                        if s[i] == UInt8(ascii: "$"), i + tag.count <= s.count, Array(s[i..<(i + tag.count)]) == tag {
                            i += tag.count - 1
                            break
                        }
                        i += 1
                    }
                }
            case UInt8(ascii: "("): parenDepth += 1
            case UInt8(ascii: ")"): parenDepth -= 1
            case UInt8(ascii: ";") where parenDepth <= 0:
                append(s[start..<i], to: &statements)
                start = i + 1
            default:
                break
            }
            i += 1
        }
        if start < s.count { append(s[start..<s.count], to: &statements) }
        return statements
    }

    private static func append(_ bytes: ArraySlice<UInt8>, to statements: inout [String]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if !strippingComments(text).allSatisfy({ $0.isWhitespace }) {
            statements.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// The text with `--` line comments removed, to tell a comment-only fragment from a statement.
    private static func strippingComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .joined(separator: "\n")
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isAlnum(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}
