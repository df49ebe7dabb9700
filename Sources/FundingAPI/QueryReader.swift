import Foundation
import Hummingbird

/// Reads and validates query parameters; every problem is an `APIError.invalidParameter` naming the parameter.
///
/// Strict on purpose: a number is decimal (`0x10`, `1_000`, `nan` and `inf` are 400s), a timestamp is a real
/// calendar instant (`2026-02-30`, `T25:00` and offset `+99:00` are 400s), and a value holding a control character
/// (a NUL byte, say) is a 400 before it can reach the database.
public struct QueryReader: Sendable {
    enum Source: Sendable {
        case query(Parameters)
        case values([String: [String]])
    }

    let source: Source

    public init(_ request: Request) {
        source = .query(request.uri.queryParameters)
    }

    /// Parameters from another source (a WebSocket subscription's filters).
    public init(values: [String: [String]]) {
        source = .values(values)
    }

    func all(_ name: String) -> [String] {
        switch source {
        case .query(let p): p.getAll(name)
        case .values(let v): v[name] ?? []
        }
    }

    /// Names present that are not in `known`, sorted and without repeats.
    func unknown(_ known: Set<String>) -> [String] {
        let names: [String]
        switch source {
        case .query(let p): names = p.map { String($0.key) }
        case .values(let v): names = Array(v.keys)
        }
        return Set(names.filter { !known.contains($0) }).sorted()
    }

    /// A 400 naming every parameter that is not in `known`: a misspelled filter must not be silently ignored.
    public func rejectUnknown(_ known: Set<String>) throws {
        let bad = unknown(known)
        guard !bad.isEmpty else { return }
        let list = bad.map { Self.printable($0) }.joined(separator: ", ")
        throw APIError(.badRequest, code: "unknown_parameter",
                       message: "\(list): unknown parameter\(bad.count > 1 ? "s" : ""); this route takes "
                           + (known.isEmpty ? "no parameters" : known.sorted().joined(separator: ", ")))
    }

    /// The raw value, trimmed; `nil` when absent. An empty value is a 400, not the default: `basis=` is not a value
    /// the OpenAPI document allows, and a client that meant "the default" leaves the parameter out.
    public func string(_ name: String) throws -> String? {
        let values = self.all(name)
        guard let value = values.last else { return nil }
        if values.count > 1 { throw APIError.invalidParameter(name, "given more than once") }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw APIError.invalidParameter(name, "empty; leave the parameter out for its default") }
        guard trimmed.count <= 200 else { throw APIError.invalidParameter(name, "too long (at most 200 characters)") }
        guard !Self.hasControlCharacter(trimmed) else {
            throw APIError.invalidParameter(name, "contains a control character")
        }
        return trimmed
    }

    /// The `quote` filter (an asset such as USDT), upper-cased; at most 16 characters, as `docs/openapi.json` says.
    public func quote() throws -> String? {
        guard let raw = try string("quote") else { return nil }
        guard raw.count <= 16 else { throw APIError.invalidParameter("quote", "too long (at most 16 characters)") }
        return raw.uppercased()
    }

    /// The value of the first of `names` that is present (a parameter with an alias: the design document's name and
    /// the service's); giving two of them is a 400.
    public func string(anyOf names: [String]) throws -> (name: String, value: String)? {
        var found: (String, String)?
        for name in names {
            guard let v = try string(name) else { continue }
            if let (other, _) = found {
                throw APIError.invalidParameter(name, "is another name for \(other): give one of them")
            }
            found = (name, v)
        }
        return found
    }

    public func double(_ name: String, min: Double? = nil, max: Double? = nil) throws -> Double? {
        try double(anyOf: [name], min: min, max: max)
    }

    /// A decimal number under any of `names` (see `string(anyOf:)`).
    public func double(anyOf names: [String], min: Double? = nil, max: Double? = nil) throws -> Double? {
        guard let (name, raw) = try string(anyOf: names) else { return nil }
        guard let v = Self.decimal(raw) else {
            throw APIError.invalidParameter(name, "'\(raw)' is not a decimal number")
        }
        if let min, v < min { throw APIError.invalidParameter(name, "must be at least \(JSONWriter.number(min))") }
        if let max, v > max { throw APIError.invalidParameter(name, "must be at most \(JSONWriter.number(max))") }
        return v
    }

    public func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = try string(name) else { return value }
        guard Self.isDecimalInteger(raw), let v = Int(raw) else {
            throw APIError.invalidParameter(name, "'\(raw)' is not an integer")
        }
        guard range.contains(v) else {
            throw APIError.invalidParameter(name, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return v
    }

    public func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let raw = try string(name) else { return value }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw APIError.invalidParameter(name, "'\(raw)' is not a boolean (true or false)")
        }
    }

    /// Comma-separated values, trimmed, empty items dropped; `nil` when absent.
    public func list(_ name: String, maxCount: Int = 100) throws -> [String]? {
        guard let raw = try string(name) else { return nil }
        let items = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items.isEmpty { return nil }
        guard items.count <= maxCount else { throw APIError.invalidParameter(name, "at most \(maxCount) values") }
        return items
    }

    /// One of `allowed`, spelled exactly so (the OpenAPI document's `enum`: `Native` is a 400 like any other value
    /// the document does not list).
    public func choice(_ name: String, _ allowed: [String], default value: String? = nil) throws -> String? {
        guard let raw = try string(name) else { return value }
        guard allowed.contains(raw) else {
            throw APIError.invalidParameter(name, "must be one of \(allowed.joined(separator: ", "))")
        }
        return raw
    }

    /// ISO 8601 (`2026-11-21T10:00:00Z`, fractional seconds and offsets allowed, or a date `2026-11-21`) or Unix
    /// seconds.
    public func date(_ name: String) throws -> Date? {
        guard let raw = try string(name) else { return nil }
        if let d = Self.parseDate(raw) { return d }
        throw APIError.invalidParameter(name, """
            '\(raw)' is not a valid ISO 8601 timestamp (2026-11-21T10:00:00Z, a real date and time, offset at most \
            ±18:00) or Unix seconds
            """)
    }

    // MARK: strict syntax

    static func hasControlCharacter(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
    }

    /// A name as it may appear in a message: control characters escaped.
    static func printable(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f
            ? String(format: "\\u%04x", $0.value) : String($0) }.joined().prefix(64))
    }

    static func isDecimalInteger(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        if let f = u.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { u = u.dropFirst() }
        return !u.isEmpty && u.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A finite decimal number: `[+-]digits[.digits][e[+-]digits]` (also `.5` and `5.`). Swift's `Double(_:)` alone
    /// also reads `0x10`, `nan` and `inf`.
    static func decimal(_ s: String) -> Double? {
        let b = Array(s.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        var mantissa = digits()
        if i < b.count, b[i] == UInt8(ascii: ".") { i += 1; mantissa += digits() }
        guard mantissa > 0 else { return nil }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == b.count, let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// Unix seconds, or ISO 8601 read strictly: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` and `Z` or
    /// `±HH:MM` (no offset = UTC). Every field must exist on the calendar (`2026-02-30`, `25:00`, `+99:00` are not).
    static func parseDate(_ raw: String) -> Date? {
        if let seconds = decimal(raw), seconds >= 0, seconds < 1e11 {
            return Date(timeIntervalSince1970: seconds)
        }
        let b = Array(raw.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var v = 0
            for k in i..<(i + width) {
                guard b[k] >= UInt8(ascii: "0"), b[k] <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int(b[k] - UInt8(ascii: "0"))
            }
            i += width
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var hour = 0, minute = 0, second = 0, fraction = 0.0, offset = 0
        if i < b.count {
            guard expect("T") || expect("t") || expect(" "), let h = number(2), expect(":"), let m = number(2),
                  h <= 23, m <= 59
            else { return nil }
            hour = h; minute = m
            if expect(":") {
                guard let s = number(2), s <= 59 else { return nil }
                second = s
                if expect(".") || expect(",") {
                    let start = i
                    while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
                    guard i > start, i - start <= 9 else { return nil }
                    fraction = Double("0." + String(decoding: b[start..<i], as: UTF8.self)) ?? 0
                }
            }
            if expect("Z") || expect("z") {
            } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2) else { return nil }
                _ = expect(":")
                guard let om = number(2), oh <= 18, om <= 59, oh * 60 + om <= 18 * 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
            guard i == b.count else { return nil }
        }
        var components = DateComponents()
        components.year = year; components.month = month; components.day = day
        components.hour = hour; components.minute = minute; components.second = second
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        guard let base = utc.date(from: components) else { return nil }
        return base.addingTimeInterval(fraction - Double(offset))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension JSONWriter {
    /// A number as the JSON writer prints it (for messages).
    static func number(_ v: Double) -> String {
        var w = JSONWriter()
        w.value(v)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
