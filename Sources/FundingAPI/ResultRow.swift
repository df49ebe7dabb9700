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
