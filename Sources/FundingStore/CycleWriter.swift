import Foundation
import FundingCore
import Logging
import NIOCore
import PostgresNIO

/// The daemon's write path: one cycle of snapshots COPYed into the session's staging table and applied by
/// `ingest_apply` (schema/0008_write_path.sql) in one transaction.
public struct CycleWriter: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The staging table's columns, in the order `copyText` writes them.
    static let columns = [
        "dex", "dex_symbol", "symbol", "quote", "margin", "multiplier", "time", "funding_rate",
        "funding_interval_hours", "predicted_rate", "next_funding_time", "mark_price", "index_price",
        "open_interest_base", "open_interest_usd", "volume_24h_usd", "best_bid", "best_ask", "collection_latency_ms",
    ]

    /// Writes one cycle: every snapshot and each dex's run, atomically.
    @discardableResult
    public func write(snapshots: [MarketSnapshot], runs: [CollectionRun]) async throws -> CycleWriteResult {
        let runsJSON = String(decoding: try Self.runsEncoder.encode(runs), as: UTF8.self)
        return try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                _ = try await connection.query("SELECT ingest_begin()", logger: logger).collect()
                if !snapshots.isEmpty {
                    try await connection.copyFrom(table: "ingest_staging", columns: Self.columns, logger: logger) {
                        writer in
                        // Chunks of a few thousand rows keep memory flat for large cycles.
                        var buffer = ByteBuffer()
                        var times = CopyText.TimestampCache()
                        for (i, snapshot) in snapshots.enumerated() {
                            Self.appendCopyRow(snapshot, to: &buffer, times: &times)
                            if i % 2048 == 2047 {
                                try await writer.write(buffer)
                                buffer.clear()
                            }
                        }
                        if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    }
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
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
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

    /// One snapshot as a line of PostgreSQL's COPY text format.
    static func appendCopyRow(_ s: MarketSnapshot, to buffer: inout ByteBuffer, times: inout CopyText.TimestampCache) {
        CopyText.append(s.dex, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.dexSymbol, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.symbol, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.quote, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.margin.rawValue, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.multiplier, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        times.append(s.time, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.fundingRate, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.fundingIntervalHours, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        CopyText.append(s.predictedRate, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        if let t = s.nextFundingTime { times.append(t, to: &buffer) } else { buffer.writeString("\\N") }
        buffer.writeInteger(UInt8(ascii: "\t"))
        for value in [s.markPrice, s.indexPrice, s.openInterestBase, s.openInterestUSD, s.volume24hUSD, s.bestBid,
                      s.bestAsk] {
            CopyText.append(value, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        }
        if let ms = s.collectionLatencyMs { buffer.writeString(String(ms)) } else { buffer.writeString("\\N") }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}

/// PostgreSQL COPY text-format encoding (PostgresNIO's COPY speaks text only).
public enum CopyText {
    static func append(_ value: Double?, to buffer: inout ByteBuffer) {
        guard let value else { buffer.writeString("\\N"); return }
        // Swift's shortest round-trip description ("1e-05", "27350.8981") is valid float8 input.
        buffer.writeString(value.description)
    }

    static func append(_ text: String, to buffer: inout ByteBuffer) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeString("\\t")
            case UInt8(ascii: "\n"): buffer.writeString("\\n")
            case UInt8(ascii: "\r"): buffer.writeString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// Rows of one cycle share their sample time and mostly their next funding time: formatting each distinct
    /// instant once keeps COPY encoding off the profile.
    struct TimestampCache {
        private var entries: [Int64: [UInt8]] = [:]

        mutating func append(_ date: Date, to buffer: inout ByteBuffer) {
            let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
            if let bytes = entries[micros] {
                buffer.writeBytes(bytes)
                return
            }
            let bytes = Array(CopyText.timestamp(date).utf8)
            if entries.count > 4096 { entries.removeAll(keepingCapacity: true) }
            entries[micros] = bytes
            buffer.writeBytes(bytes)
        }
    }

    /// `2026-11-21T10:00:00.123456Z`: microsecond precision, as timestamptz stores it.
    public static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
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
