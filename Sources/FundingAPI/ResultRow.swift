import Foundation
import PostgresNIO

/// A value of a result column, decoded by its PostgreSQL type.
public enum ResultValue: Sendable, Equatable {
    case null
    case string(String)
    case double(Double)
    case int(Int)
    case bool(Bool)
    case date(Date)
    /// jsonb / json text, written as is.
    case json(String)

    public var double: Double? {
        switch self {
        case .double(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    func write(to w: inout JSONWriter) {
        switch self {
        case .null: w.null()
        case .string(let s): w.value(s)
        case .double(let d): w.value(d)
        case .int(let i): w.value(i)
        case .bool(let b): w.value(b)
        case .date(let d): w.value(d)
        case .json(let j): w.raw(j)
        }
    }
}

/// One row of a set-returning call whose columns are shaped into JSON as they come (opportunities, rankings,
/// statistics): names from the result, values by type, so a column added in SQL reaches the API unchanged.
public struct ResultRow: Sendable, Equatable {
    public var columns: [String]
    public var values: [ResultValue]

    public init(columns: [String], values: [ResultValue]) {
        self.columns = columns
        self.values = values
    }

    init(row: PostgresRow, skipping skipped: Set<String> = []) throws {
        columns = []
        values = []
        columns.reserveCapacity(row.count)
        values.reserveCapacity(row.count)
        for cell in row where !skipped.contains(cell.columnName) {
            columns.append(cell.columnName)
            values.append(try Self.decode(cell))
        }
    }

    static func decode(_ cell: PostgresCell) throws -> ResultValue {
        if cell.bytes == nil { return .null }
        switch cell.dataType {
        case .float8, .float4: return .double(try cell.decode(Double.self))
        case .numeric: return .double(NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue)
        case .int2, .int4, .int8: return .int(try cell.decode(Int.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .timestamptz, .timestamp: return .date(try cell.decode(Date.self))
        case .json, .jsonb: return .json(try cell.decode(String.self))
        default: return (try? cell.decode(String.self)).map(ResultValue.string) ?? .null
        }
    }

    public subscript(_ name: String) -> ResultValue? {
        columns.firstIndex(of: name).map { values[$0] }
    }

    public func write(to w: inout JSONWriter) {
        write(to: &w) { _ in }
    }

    /// The row as an object, followed by the fields `extra` writes.
    public func write(to w: inout JSONWriter, extra: (inout JSONWriter) -> Void) {
        w.object { o in
            for (name, value) in zip(columns, values) {
                o.key(name)
                value.write(to: &o)
            }
            extra(&o)
        }
    }
}

/// A row encodes as one object, column names as keys, so a `Codable` response can carry the rows of a SQL
/// function whose columns reach the API unchanged.
extension ResultRow: Encodable {
    struct ColumnKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ColumnKey.self)
        for (name, value) in zip(columns, values) {
            try container.encode(value, forKey: ColumnKey(stringValue: name))
        }
    }
}

/// A value encodes by its type: a non-finite number as null (no JSON form), a timestamp as the encoder's dates,
/// a json / jsonb document as the JSON it holds.
extension ResultValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .string(let s): try container.encode(s)
        case .double(let d): if d.isFinite { try container.encode(d) } else { try container.encodeNil() }
        case .int(let i): try container.encode(i)
        case .bool(let b): try container.encode(b)
        case .date(let d): try container.encode(d)
        case .json(let text): try container.encode(try JSONDecoder().decode(JSONFragment.self, from: Data(text.utf8)))
        }
    }
}

/// Any JSON value, for the documents a json / jsonb column holds.
public indirect enum JSONFragment: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONFragment])
    case object([String: JSONFragment])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONFragment].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONFragment].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}
