import Foundation
@testable import FundingAPI
import Testing

/// The `Codable` responses (health, status, metrics, SQL rows) through the API's encoder: absent values are null
/// rather than missing, non-finite numbers are null, timestamps are the API's, keys are sorted.
@Suite("Codable responses through the API encoder")
struct APIResponseEncodingTests {
    static func object(_ value: some Encodable) throws -> (text: String, object: [String: Any]) {
        let data = try APIRequestContext.encoder.encode(value)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (String(decoding: data, as: UTF8.self), object)
    }

    static func health(report: HealthResponse.StatusReport?) -> HealthResponse {
        HealthResponse(
            status: "degraded", timestamp: Date(timeIntervalSince1970: 1_764_806_400.25),
            dexHealth: [.init(dexName: "okx", isHealthy: false, lastSuccessfulFetch: nil, consecutiveErrors: 3,
                              errorRatePercent: .nan, avgCollectionLatencyMs: 12.5, runs24h: 4, status: "stale",
                              lastRunStatus: "failed")],
            uptimeSeconds: 5, totalRequests: 0, cacheHitRate: nil, oldestDataAgeSeconds: 90,
            lastCollectionTime: Date(timeIntervalSince1970: 1_764_806_400), reasons: ["okx is stale"],
            database: "ok", ingest: nil, dexes: [:], replica: .init(inRecovery: false, replayLagSeconds: nil),
            report: report)
    }

    @Test("absent and non-finite values are null, present keys stay present")
    func nulls() throws {
        let (_, o) = try Self.object(Self.health(report: nil))
        #expect(o["cache_hit_rate"] is NSNull)
        #expect(o["ingest"] is NSNull)
        let dex = try #require((o["dex_health"] as? [[String: Any]])?.first)
        #expect(dex["last_successful_fetch"] is NSNull)
        #expect(dex["error_rate_percent"] is NSNull, "NaN has no JSON form")
        #expect(dex["avg_collection_latency_ms"] as? Double == 12.5)
        #expect((o["replica"] as? [String: Any])?["replay_lag_seconds"] is NSNull)
        #expect(o["memory_resident_bytes"] == nil, "the report's fields only on /api/status")
        #expect(o["last_collection"] as? String == o["last_collection_time"] as? String)
    }

    @Test("timestamps as the rest of the API writes them; keys sorted")
    func timestampsAndOrder() throws {
        let (text, o) = try Self.object(Self.health(report: nil))
        #expect(o["timestamp"] as? String == "2025-12-04T00:00:00.250000Z")
        #expect(o["last_collection_time"] as? String == "2025-12-04T00:00:00Z")
        let keys = ["cache_hit_rate", "database", "dex_health", "dexes", "ingest", "last_collection",
                    "last_collection_time"]
        let positions = keys.compactMap { text.range(of: "\"\($0)\"")?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
    }

    @Test("/api/status's report adds memory, stream clients and data quality")
    func report() throws {
        let report = HealthResponse.StatusReport(memoryResidentBytes: nil, websocketClients: ["prices": 2],
                                                 dataQuality: DataCoverage(marketsActive: 10, marketsFresh5m: 9,
                                                                    marketsStreaming1m: 3, marketsWithTradeFlow1h: 1))
        let (_, o) = try Self.object(Self.health(report: report))
        #expect(o.keys.contains("memory_resident_bytes") && o["memory_resident_bytes"] is NSNull)
        #expect((o["websocket_clients"] as? [String: Int]) == ["prices": 2])
        #expect((o["data_quality"] as? [String: Int])?["markets_fresh_5m"] == 9)
    }

    @Test("a SQL row encodes by column: numbers, NaN as null, timestamps, json documents as JSON")
    func resultRow() throws {
        let row = ResultRow(columns: ["dex", "rate", "gap", "n", "ok", "at", "tiers", "none"],
                            values: [.string("okx"), .double(0.0001), .double(.infinity), .int(3), .bool(true),
                                     .date(Date(timeIntervalSince1970: 0)),
                                     .json(#"[{"min_volume_30d": 1e6, "tags": ["a", null], "on": false}]"#), .null])
        let (_, o) = try Self.object(row)
        #expect(o["dex"] as? String == "okx")
        #expect(o["rate"] as? Double == 0.0001)
        #expect(o["gap"] is NSNull)
        #expect(o["n"] as? Int == 3 && o["ok"] as? Bool == true)
        #expect(o["at"] as? String == "1970-01-01T00:00:00Z")
        let tier = try #require((o["tiers"] as? [[String: Any]])?.first)
        #expect(tier["min_volume_30d"] as? Double == 1e6 && tier["on"] as? Bool == false)
        #expect((tier["tags"] as? [Any])?.count == 2)
        #expect(o.keys.contains("none") && o["none"] is NSNull)
    }
}
