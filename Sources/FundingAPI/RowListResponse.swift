import Hummingbird

/// A list of SQL rows under one key (`markets`, `pairs`, `prices`, `rankings`, ...) with its `count` and the route's
/// own scalar fields (`period`, `order`, `generated_at`; none on some routes).
struct RowListResponse: ResponseEncodable, Sendable {
    var key: String
    var rows: [ResultRow]
    var fields: [String: ResultValue] = [:]

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ResultRow.ColumnKey.self)
        for (name, value) in fields { try c.encode(value, forKey: .init(stringValue: name)) }
        try c.encode(rows.count, forKey: .init(stringValue: "count"))
        try c.encode(rows, forKey: .init(stringValue: key))
    }
}
