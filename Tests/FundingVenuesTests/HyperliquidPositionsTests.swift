import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// The position scanner's parsing of `clearinghouseState`, on the recorded answer (`clearinghouseState.json`, an
/// account of 2023 with 12 positions).
@Suite("Hyperliquid clearinghouseState")
struct HyperliquidPositionsTests {
    func recorded() throws -> HyperliquidPositionScan {
        try HyperliquidAdapter.parseClearinghouseState(Fixtures.data("hyperliquid", "clearinghouseState.json"))
    }

    @Test("every recorded position, in order, with the venue's numbers as they are")
    func recordedPositions() throws {
        let scan = try recorded()
        #expect(scan.malformed == 0)
        #expect(scan.positions.map(\.coin) == ["BTC", "ETH", "ATOM", "MATIC", "DYDX", "SOL", "AVAX", "BNB", "APE", "OP",
                                               "LTC", "ARB"])
        // BTC: a short of 0.00785 BTC ("szi": "-0.00785") at 26,951, liquidated at 173,198.69592357, 20x cross.
        let btc = scan.positions[0]
        #expect(btc == HyperliquidPosition(coin: "BTC", size: -0.00785, entryPrice: 26951.0,
                                           liquidationPrice: 173198.69592357, leverage: 20, leverageType: "cross",
                                           marginUsedUSD: 10.582271, positionValueUSD: 211.64542))
        // ETH: a long of 0.1334 with "liquidationPx": null (cannot be liquidated): nil, not 0.
        #expect(scan.positions[1].size == 0.1334)
        #expect(scan.positions[1].liquidationPrice == nil)
        // Five positions have a liquidation price: this account's shorts.
        #expect(scan.positions.filter { $0.liquidationPrice != nil }.map(\.coin) == ["BTC", "ATOM", "DYDX", "APE", "OP"])
        #expect(scan.positions.filter { $0.size < 0 }.map(\.coin) == ["BTC", "ATOM", "DYDX", "APE", "OP"])
    }

    @Test("the body asks for one user's state; an answer that is not the object fails, a bad entry costs itself")
    func requestAndMalformed() throws {
        let body = String(decoding: HyperliquidAdapter.clearinghouseStateBody(
            address: "0x5e9ee1089755c3435139848e47e6635505d5a13a"), as: UTF8.self)
        #expect(body == #"{"type":"clearinghouseState","user":"0x5e9ee1089755c3435139848e47e6635505d5a13a"}"#)
        #expect(throws: VenuePayloadError.self) {
            try HyperliquidAdapter.parseClearinghouseState(Data(#"{"error":"bad user"}"#.utf8))
        }
        #expect(throws: VenuePayloadError.self) {
            try HyperliquidAdapter.parseClearinghouseState(Data("null".utf8))
        }
        // The recording with BTC's size garbled, ETH's coin removed and ATOM's leverage type unknown.
        var text = String(decoding: try Fixtures.data("hyperliquid", "clearinghouseState.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: #""szi":"-0.00785""#, with: #""szi":"-0.0o785""#)
        text = text.replacingOccurrences(of: #""coin":"ETH","#, with: "")
        text = text.replacingOccurrences(
            of: #"{"coin":"ATOM","entryPx":"10.787","leverage":{"type":"cross""#,
            with: #"{"coin":"ATOM","entryPx":"10.787","leverage":{"type":"portfolio""#)
        let scan = try HyperliquidAdapter.parseClearinghouseState(Data(text.utf8))
        #expect(scan.malformed == 2)
        #expect(scan.positions.count == 10)
        #expect(scan.positions.first?.coin == "ATOM")
        #expect(scan.positions.first?.leverageType == nil)
        #expect(scan.positions.first?.liquidationPrice == 2561.83187333)
        // No position at all: an empty list, not an error.
        #expect(try HyperliquidAdapter.parseClearinghouseState(Data(#"{"assetPositions":[]}"#.utf8)).positions.isEmpty)
    }
}
