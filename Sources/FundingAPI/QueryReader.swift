import Foundation
import Hummingbird

/// Reads and validates query parameters; every problem is an `APIError.invalidParameter` naming the parameter.
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

    /// Names present that are not in `known`.
    func unknown(_ known: Set<String>) -> [String] {
        switch source {
        case .query(let p): p.map { String($0.key) }.filter { !known.contains($0) }
        case .values(let v): v.keys.filter { !known.contains($0) }
        }
    }

    /// The raw value; `nil` when absent. An empty value is treated as absent.
    public func string(_ name: String) throws -> String? {
        let values = self.all(name)
        guard let value = values.last else { return nil }
        if values.count > 1 { throw APIError.invalidParameter(name, "given more than once") }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard trimmed.count <= 200 else { throw APIError.invalidParameter(name, "too long (at most 200 characters)") }
        return trimmed
    }

    public func double(_ name: String, min: Double? = nil, max: Double? = nil) throws -> Double? {
        guard let raw = try string(name) else { return nil }
        guard let v = Double(raw), v.isFinite else { throw APIError.invalidParameter(name, "'\(raw)' is not a number") }
        if let min, v < min { throw APIError.invalidParameter(name, "must be at least \(JSONWriter.number(min))") }
        if let max, v > max { throw APIError.invalidParameter(name, "must be at most \(JSONWriter.number(max))") }
        return v
    }

    public func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = try string(name) else { return value }
        guard let v = Int(raw) else { throw APIError.invalidParameter(name, "'\(raw)' is not an integer") }
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

    /// One of `allowed`.
    public func choice(_ name: String, _ allowed: [String], default value: String? = nil) throws -> String? {
        guard let raw = try string(name) else { return value }
        let lower = raw.lowercased()
        guard allowed.contains(lower) else {
            throw APIError.invalidParameter(name, "must be one of \(allowed.joined(separator: ", "))")
        }
        return lower
    }

    /// ISO 8601 (`2026-11-21T10:00:00Z`, fractional seconds and offsets allowed, or a date `2026-11-21`) or Unix
    /// seconds.
    public func date(_ name: String) throws -> Date? {
        guard let raw = try string(name) else { return nil }
        if let d = Self.parseDate(raw) { return d }
        throw APIError.invalidParameter(name, "'\(raw)' is not an ISO 8601 timestamp or Unix seconds")
    }

    static func parseDate(_ raw: String) -> Date? {
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds < 1e11 {
            return Date(timeIntervalSince1970: seconds)
        }
        if let d = try? Date(raw, strategy: .iso8601) { return d }
        if let d = try? Date(raw, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        if let d = try? Date(raw, strategy: Date.ISO8601FormatStyle().year().month().day()) { return d }
        return nil
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
