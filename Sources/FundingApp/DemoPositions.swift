import Foundation
import FundingVenues

/// The Hyperliquid accounts of `fundingd run --demo`: invented addresses whose `clearinghouseState` answers, in the
/// shape of the recorded one (`Tests/Fixtures/hyperliquid/clearinghouseState.json`), hold positions on the demo's
/// Hyperliquid coins (the demo market's first twelve assets) with liquidation prices 0.5–15 % from the demo's current
/// Hyperliquid mark, breathing slowly, so the
/// position scanner, the liquidation clusters and the boards `liquidation_risk` / `whale_positions` have something
/// to show. Demo data: the scanner still parses each answer through its real code path.
struct DemoPositions: Sendable {
    let market: DemoMarket
    /// The coins the accounts hold.
    let coins: [DemoMarket.Asset]

    static let addressCount = 24

    /// The demo's accounts: 40 hex digits each, derived from their index.
    static let addresses: [String] = (1...addressCount).map { i in
        var state = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
        var digits = ""
        while digits.count < 40 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            digits += String(format: "%08x", UInt32(truncatingIfNeeded: state >> 32))
        }
        return "0x" + digits.prefix(40)
    }

    init(market: DemoMarket) {
        self.market = market
        coins = Array(market.assets.prefix(12))
    }

    /// The answer to a Hyperliquid `/info` request for one of the demo's accounts; nil for anything else.
    func answer(pathAndQuery: String, body: [UInt8]?, at date: Date) -> String? {
        guard pathAndQuery == "/info", let body,
              let request = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              request["type"] as? String == "clearinghouseState",
              let user = (request["user"] as? String)?.lowercased(), Self.addresses.contains(user) else { return nil }
        return clearinghouseState(address: user, at: date)
    }

    func clearinghouseState(address: String, at date: Date) -> String {
        let t = date.timeIntervalSince1970
        var positions: [String] = []
        var notionalTotal = 0.0, marginTotal = 0.0
        for asset in coins {
            let coin = asset.base
            let h = Self.hash(address + coin)
            guard h % 4 != 0 else { continue }
            let mark = market.quote(asset, dex: "hyperliquid", share: 1, intervalHours: 1, at: date).mark
            let long = (h >> 3) & 1 == 0
            let leverage = [3, 5, 10, 20, 25, 40][Int((h >> 5) % 6)]
            let phase = Double((h >> 12) % 360) * .pi / 180
            let distance = (0.005 + 0.145 * Double((h >> 20) % 1000) / 1000) * (1 + 0.4 * sin(t / 180 + phase))
            let notional = pow(10, 4 + Double((h >> 32) % 300) / 100)
            let size = notional / mark * (long ? 1 : -1)
            let liquidation = mark * (long ? 1 - distance : 1 + distance)
            let entry = mark * (1 + (long ? 0.3 : -0.3) * distance)
            let margin = notional / Double(leverage)
            notionalTotal += notional
            marginTotal += margin
            positions.append(#"{"position":{"coin":"\#(coin)","entryPx":"\#(Self.decimal(entry))","leverage":{"type":"cross","value":\#(leverage)},"liquidationPx":"\#(Self.decimal(liquidation))","marginUsed":"\#(Self.decimal(margin))","positionValue":"\#(Self.decimal(notional))","szi":"\#(Self.decimal(size))","unrealizedPnl":"\#(Self.decimal((mark - entry) * size))"},"type":"oneWay"}"#)
        }
        let summary = #"{"accountValue":"\#(Self.decimal(marginTotal * 1.5))","totalMarginUsed":"\#(Self.decimal(marginTotal))","totalNtlPos":"\#(Self.decimal(notionalTotal))","totalRawUsd":"\#(Self.decimal(marginTotal * 0.5))"}"#
        return #"{"assetPositions":[\#(positions.joined(separator: ","))],"crossMarginSummary":\#(summary),"marginSummary":\#(summary),"withdrawable":"\#(Self.decimal(marginTotal * 0.5))","time":\#(Int64(t * 1000))}"#
    }

    static func decimal(_ v: Double) -> String { String(format: "%.6f", v) }

    /// FNV-1a, 64 bits: stable across runs (Swift's `Hasher` is seeded per process).
    static func hash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
