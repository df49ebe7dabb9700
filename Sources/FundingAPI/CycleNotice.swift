import Foundation

/// A `fundingd_cycle` notification, parsed strictly: the id of its `cycle_notices` row (schema/0056) and the
/// summary the write path stored there. Anyone who can connect may NOTIFY the channel, so `CycleListener` decodes
/// the payload into this type (anything else is ignored), then acts only on the stored row with that id, never on
/// the notification's own text; nothing of a payload is ever echoed raw.
public struct CycleNotice: Codable, Sendable, Equatable {
    /// The `cycle_notices.id` the payload claims; checked against the table before anything else is read.
    public var id: Int64
    /// `fees` for a fee change; absent for an ingest cycle.
    public var event: String?
    /// Newest sample time of the cycle (UTC, ISO 8601).
    public var cycleTime: String?
    public var dexes: [String]?
    public var rowsStaged: Int?
    public var rowsInserted: Int?
    public var rowsDuplicate: Int?
    public var rowsTooOld: Int?
    public var rowsRejected: Int?
    public var runsRejected: Int?
    /// Rejected rows and runs by reason.
    public var rejected: [String: Int]?
    public var markets: Int?
    public var marketsCreated: Int?
    public var symbolsCreated: Int?

    enum CodingKeys: String, CodingKey {
        case id, event, dexes, markets, rejected
        case cycleTime = "cycle_time"
        case rowsStaged = "rows_staged"
        case rowsInserted = "rows_inserted"
        case rowsDuplicate = "rows_duplicate"
        case rowsTooOld = "rows_too_old"
        case rowsRejected = "rows_rejected"
        case runsRejected = "runs_rejected"
        case marketsCreated = "markets_created"
        case symbolsCreated = "symbols_created"
    }

    public init(id: Int64, event: String? = nil, cycleTime: String? = nil, dexes: [String]? = nil) {
        self.id = id
        self.event = event
        self.cycleTime = cycleTime
        self.dexes = dexes
    }

    /// Longest payload considered: PostgreSQL caps NOTIFY payloads at 8000 bytes.
    static let maxPayloadBytes = 8000

    /// The notice a payload claims to be, or `nil` when it is not one (wrong shape, types or size).
    public static func parse(_ payload: String) -> CycleNotice? {
        guard payload.utf8.count <= maxPayloadBytes else { return nil }
        return try? JSONDecoder().decode(CycleNotice.self, from: Data(payload.utf8))
    }

    /// Whether this is an ingest cycle (a fee change is not).
    public var isCycle: Bool { event == nil }

    /// Whether the catalogue of names may have grown.
    var createdNames: Bool { (marketsCreated ?? 0) > 0 || (symbolsCreated ?? 0) > 0 }
}
