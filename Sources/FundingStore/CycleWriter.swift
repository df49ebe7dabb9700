import Foundation
import FundingCore
import Logging
import NIOCore
import PostgresNIO

/// The daemon's write path: one cycle of snapshots staged by `ingest_stage` (schema/0071_ingest_stage.sql) and
/// applied by `ingest_apply` (schema/0008_write_path.sql) in one transaction.
///
/// Not COPY: PostgresNIO's COPY could hang or stop the process when the server ended the connection mid-stream
/// (see 0071). One statement with an array per column fails cleanly instead, and is retried on a new connection.
public struct CycleWriter: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Writes one cycle on a connection borrowed from the pool: every snapshot and each dex's run, atomically.
    /// `joined` stages through `ingest_stage_joined` (one text per column: cheaper to bind for many rows).
    @discardableResult
    public func write(snapshots: [MarketSnapshot], runs: [CollectionRun], joined: Bool = false) async throws
        -> CycleWriteResult
    {
        try await client.withConnection { connection in
            try await Self.write(snapshots: snapshots, runs: runs, joined: joined, on: connection, logger: logger)
        }
    }

    /// Writes one cycle on `connection` in one transaction: `ingest_stage(columns)` (or, `joined`,
    /// `ingest_stage_joined`), `ingest_apply(runs)`, and, when `vanishGraceCycles` is given, `ingest_mark_vanished`
    /// (markets a venue stopped listing leave the latest views after that many of its answered runs).
    @discardableResult
    public static func write(snapshots: [MarketSnapshot], runs: [CollectionRun], vanishGraceCycles: Int? = nil,
                             joined: Bool = false, on connection: PostgresConnection, logger: Logger) async throws
        -> CycleWriteResult
    {
        let runsJSON = String(decoding: try Self.runsEncoder.encode(runs), as: UTF8.self)
        let c = StagedColumns(snapshots)
        return try await connection.withTransaction(logger: logger) { connection in
            if joined {
                let j = c.joined
                _ = try await connection.query("""
                    SELECT ingest_stage_joined(\(j.dex), \(j.dexSymbol), \(j.symbol), \(j.quote), \(j.margin),
                                               \(j.multiplier), \(j.timeUs), \(j.fundingRate), \(j.fundingIntervalHours),
                                               \(j.predictedRate), \(j.nextFundingTimeUs), \(j.markPrice), \(j.indexPrice),
                                               \(j.openInterestBase), \(j.openInterestUSD), \(j.volume24hUSD), \(j.bestBid),
                                               \(j.bestAsk), \(j.collectionLatencyMs))
                    """, logger: logger).collect()
            } else {
                _ = try await connection.query("""
                    SELECT ingest_stage(\(c.dex), \(c.dexSymbol), \(c.symbol), \(c.quote), \(c.margin), \(c.multiplier),
                                        \(c.timeUs), \(c.fundingRate), \(c.fundingIntervalHours), \(c.predictedRate),
                                        \(c.nextFundingTimeUs), \(c.markPrice), \(c.indexPrice), \(c.openInterestBase),
                                        \(c.openInterestUSD), \(c.volume24hUSD), \(c.bestBid), \(c.bestAsk),
                                        \(c.collectionLatencyMs))
                    """, logger: logger).collect()
            }
            let rows = try await connection.query(
                "SELECT rows_staged, rows_inserted, rows_duplicate, rows_too_old, markets_created, symbols_created, rows_rejected, runs_rejected, rejected::text FROM ingest_apply(\(runsJSON)::jsonb)",
                logger: logger)
            var result = CycleWriteResult(rowsStaged: 0, rowsInserted: 0, rowsDuplicate: 0, rowsTooOld: 0,
                                          marketsCreated: 0, symbolsCreated: 0)
            for try await (a, b, c, d, e, f, g, h, rejected) in rows.decode(
                (Int, Int, Int, Int, Int, Int, Int, Int, String).self)
            {
                result = CycleWriteResult(rowsStaged: a, rowsInserted: b, rowsDuplicate: c, rowsTooOld: d,
                                          marketsCreated: e, symbolsCreated: f, rowsRejected: g, runsRejected: h,
                                          rejected: (try? JSONDecoder().decode([String: Int].self,
                                                                               from: Data(rejected.utf8))) ?? [:])
            }
            if result.rowsRejected > 0 || result.runsRejected > 0 {
                logger.warning("the write path rejected rows or runs",
                               metadata: ["rows_rejected": "\(result.rowsRejected)",
                                          "runs_rejected": "\(result.runsRejected)",
                                          "reasons": "\(result.rejected)"])
            }
            if let grace = vanishGraceCycles {
                let marked = try await connection.query(
                    "SELECT ingest_mark_vanished(\(runsJSON)::jsonb, \(Int32(clamping: grace)))", logger: logger)
                for try await n in marked.decode(Int.self) { result.marketsDeactivated = n }
            }
            return result
        }
    }

    static let runsEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(CopyText.timestamp(date))
        }
        return e
    }()

}

/// One cycle's snapshots as one array per `ingest_stage` parameter, absent values as its sentinels.
struct StagedColumns {
    /// Swift's shortest round-trip form ("1e-05", "nan", "inf") is valid float8 input; "" is absent.
    static func text(_ value: Double?) -> String { value.map(\.description) ?? "" }

    var dex: [String] = [], dexSymbol: [String] = [], symbol: [String] = [], quote: [String] = []
    var margin: [String] = []
    var multiplier: [Double] = [], fundingRate: [Double] = [], fundingIntervalHours: [Double] = []
    // Optional numbers as text ("" = absent): arrays cannot carry NULL through PostgresNIO, and a NaN sentinel
    // would turn a NaN a venue sent into "absent" instead of letting the write path reject it.
    var predictedRate: [String] = [], markPrice: [String] = [], indexPrice: [String] = []
    var openInterestBase: [String] = [], openInterestUSD: [String] = [], volume24hUSD: [String] = []
    var bestBid: [String] = [], bestAsk: [String] = []
    var timeUs: [Int64] = [], nextFundingTimeUs: [Int64] = []
    var collectionLatencyMs: [String] = []

    init(_ snapshots: [MarketSnapshot]) {
        for s in snapshots {
            dex.append(s.dex); dexSymbol.append(s.dexSymbol); symbol.append(s.symbol); quote.append(s.quote)
            margin.append(s.margin.rawValue)
            multiplier.append(s.multiplier)
            timeUs.append(CopyText.microseconds(s.time))
            fundingRate.append(s.fundingRate)
            fundingIntervalHours.append(s.fundingIntervalHours)
            predictedRate.append(Self.text(s.predictedRate))
            nextFundingTimeUs.append(s.nextFundingTime.map(CopyText.microseconds) ?? .min)
            markPrice.append(Self.text(s.markPrice)); indexPrice.append(Self.text(s.indexPrice))
            openInterestBase.append(Self.text(s.openInterestBase))
            openInterestUSD.append(Self.text(s.openInterestUSD))
            volume24hUSD.append(Self.text(s.volume24hUSD))
            bestBid.append(Self.text(s.bestBid)); bestAsk.append(Self.text(s.bestAsk))
            collectionLatencyMs.append(s.collectionLatencyMs.map(String.init) ?? "")
        }
    }
}

extension StagedColumns {
    /// The same values, each column one text joined by newlines (`ingest_stage_joined`).
    struct Joined {
        var dex, dexSymbol, symbol, quote, margin, multiplier, timeUs, fundingRate, fundingIntervalHours: String
        var predictedRate, nextFundingTimeUs, markPrice, indexPrice, openInterestBase, openInterestUSD: String
        var volume24hUSD, bestBid, bestAsk, collectionLatencyMs: String
    }

    var joined: Joined {
        func j(_ values: [String]) -> String { values.joined(separator: "\n") }
        func n(_ values: [Double]) -> String { values.map(\.description).joined(separator: "\n") }
        func i(_ values: [Int64]) -> String { values.map(String.init).joined(separator: "\n") }
        return Joined(dex: j(dex), dexSymbol: j(dexSymbol), symbol: j(symbol), quote: j(quote), margin: j(margin),
                      multiplier: n(multiplier), timeUs: i(timeUs), fundingRate: n(fundingRate),
                      fundingIntervalHours: n(fundingIntervalHours), predictedRate: j(predictedRate),
                      nextFundingTimeUs: i(nextFundingTimeUs), markPrice: j(markPrice), indexPrice: j(indexPrice),
                      openInterestBase: j(openInterestBase), openInterestUSD: j(openInterestUSD),
                      volume24hUSD: j(volume24hUSD), bestBid: j(bestBid), bestAsk: j(bestAsk),
                      collectionLatencyMs: j(collectionLatencyMs))
    }
}

/// Timestamps on the wire to PostgreSQL, rounded to the microsecond as timestamptz stores them. Every path (the
/// staged rows, the runs JSON) rounds the same way, so equal `Date`s stay equal in the database.
public enum CopyText {
    /// Whole microseconds since 1970-01-01 UTC.
    public static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// `2026-11-21T10:00:00.123456Z`: microsecond precision, as timestamptz stores it.
    public static func timestamp(_ date: Date) -> String {
        let micros = microseconds(date)
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let (secs, frac) = seconds.remainder < 0 ? (seconds.quotient - 1, seconds.remainder + 1_000_000)
                                                  : (seconds.quotient, seconds.remainder)
        var t = time_t(secs)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, frac)
    }
}
