import Foundation

/// A small streaming JSON writer for response bodies: no intermediate dictionaries, timestamps as ISO 8601 UTC
/// with `Z`, non-finite numbers as `null`. Hot routes (funding rates, opportunities) write thousands of rows per
/// request, where `JSONEncoder` would dominate the request time.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// One flag per open container: true while nothing has been written into it.
    private var first: [Bool] = []
    private var afterKey = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private mutating func separator() {
        if afterKey { afterKey = false; return }
        if let last = first.last {
            if last { first[first.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
        }
    }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); first.append(true) }
    public mutating func endObject() { first.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); first.append(true) }
    public mutating func endArray() { first.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        beginObject(); try body(&self); endObject()
    }

    public mutating func array(_ body: (inout JSONWriter) throws -> Void) rethrows {
        beginArray(); try body(&self); endArray()
    }

    public mutating func key(_ key: String) {
        separator()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func null() { separator(); bytes.append(contentsOf: "null".utf8) }

    public mutating func value(_ v: String?) {
        separator()
        if let v { writeString(v) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func value(_ v: Double?) {
        separator()
        guard let v, v.isFinite else { bytes.append(contentsOf: "null".utf8); return }
        if v == v.rounded(), abs(v) < 1e15 {
            bytes.append(contentsOf: String(Int64(v)).utf8)
        } else {
            bytes.append(contentsOf: v.description.utf8)
        }
    }

    public mutating func value(_ v: Int?) {
        separator()
        if let v { bytes.append(contentsOf: String(v).utf8) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func value(_ v: Bool?) {
        separator()
        if let v { bytes.append(contentsOf: (v ? "true" : "false").utf8) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func value(_ v: Date?) {
        separator()
        if let v { writeString(Self.timestamp(v)) } else { bytes.append(contentsOf: "null".utf8) }
    }

    /// Already-encoded JSON (e.g. a jsonb column's text).
    public mutating func raw(_ json: String) {
        separator()
        bytes.append(contentsOf: json.utf8)
    }

    public mutating func field(_ k: String, _ v: String?) { key(k); value(v) }
    public mutating func field(_ k: String, _ v: Double?) { key(k); value(v) }
    public mutating func field(_ k: String, _ v: Int?) { key(k); value(v) }
    public mutating func field(_ k: String, _ v: Bool?) { key(k); value(v) }
    public mutating func field(_ k: String, _ v: Date?) { key(k); value(v) }
    public mutating func field(_ k: String, strings: [String]) {
        key(k)
        array { a in for s in strings { a.value(s) } }
    }

    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xf)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `2026-11-21T10:00:00.123456Z` (microseconds, as timestamptz stores them); whole seconds print without a
    /// fraction.
    public static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var secs = micros / 1_000_000
        var frac = micros % 1_000_000
        if frac < 0 { secs -= 1; frac += 1_000_000 }
        var t = time_t(secs)
        var tm = tm()
        gmtime_r(&t, &tm)
        if frac == 0 {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec)
        }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, frac)
    }
}
