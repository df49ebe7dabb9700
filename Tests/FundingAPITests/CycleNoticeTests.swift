import Foundation
@testable import FundingAPI
import Testing

/// Issue 17 item 2 (the listener side, no database): what a notification payload may be, and replays.
@Suite("Cycle notices: strict parsing and replay protection")
struct CycleNoticeTests {
    @Test("payloads that are not a notice are refused: not JSON, no id, wrong types, over 8000 bytes")
    func strictParsing() {
        for payload in [#"x"}]"#, "{}", #"{"rows_inserted": 1}"#, #"{"id": "7"}"#, #"{"id": 7, "dexes": "binance"}"#,
                        #"{"id": 7, "rows_inserted": 1.5}"#, #"{"id": 7, "rejected": {"nan": "x"}}"#, "[1]",
                        #"{"id": 7, "cycle_time": "\#(String(repeating: "a", count: 8000))"}"#] {
            #expect(CycleNotice.parse(payload) == nil, "\(payload.prefix(60))")
        }
        let notice = CycleNotice.parse(#"{"id": 42, "cycle_time": "2026-12-01T10:00:00.000000Z", "dexes": ["binance"], "rows_inserted": 3, "rejected": {"open_interest_usd": 1}, "unknown_key": true}"#)
        #expect(notice?.id == 42)
        #expect(notice?.isCycle == true)
        #expect(notice?.rowsInserted == 3)
        #expect(notice?.rejected == ["open_interest_usd": 1])
        #expect(CycleNotice.parse(#"{"id": 43, "event": "fees", "dexes": ["okx"]}"#)?.isCycle == false)
    }

    @Test("the metrics rendering is JSON built from the typed fields, whatever the strings hold")
    func renderedAsJSON() throws {
        var notice = CycleNotice(id: 9, cycleTime: #"x"}]"#, dexes: [#"a"b"#])
        notice.rejected = [#"r"}"#: 2]
        let data = try APIRequestContext.encoder.encode(SystemMetricsResponse.CycleSummary(notice: notice))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["cycle_time"] as? String == #"x"}]"#)
        #expect(object?["dexes"] as? [String] == [#"a"b"#])
        #expect((object?["rejected"] as? [String: Any])?[#"r"}"#] as? Int == 2)
        // Every count is present, null when the cycle did not report it.
        #expect(object?.keys.contains("rows_inserted") == true)
        #expect(object?["rows_inserted"] is NSNull)
    }

    @Test("an id acted on is never acted on again; the oldest are forgotten with everything below them")
    func gate() {
        var gate = NoticeGate(capacity: 3)
        #expect(gate.isNew(5))
        gate.admit(5)
        #expect(!gate.isNew(5))
        gate.admit(6); gate.admit(8)
        #expect(gate.isNew(7))          // out of order but never seen
        gate.admit(9)                   // capacity 3: 5 is forgotten, and everything at or below it refused
        #expect(!gate.isNew(5))
        #expect(!gate.isNew(4))
        #expect(!gate.isNew(8))
        #expect(gate.isNew(10))
    }
}
