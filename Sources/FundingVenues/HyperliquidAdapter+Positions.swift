import Foundation
import FundingCore

/// What one account scan found: the positions that parsed, and how many did not.
public struct HyperliquidPositionScan: Sendable, Hashable {
    public var positions: [HyperliquidPosition]
    /// Entries of `assetPositions` left out: no coin, or a size that is missing or not a finite number.
    public var malformed: Int
}

/// Hyperliquid's public account state, for the position scanner (`POST /info
/// {"type":"clearinghouseState","user":"0x…"}`, Hyperliquid docs "Info endpoint / Perpetuals", "Retrieve user's
/// perpetuals account summary"; a recorded answer is in `Tests/Fixtures/hyperliquid/clearinghouseState.json`).
///
/// - `assetPositions[].position` holds `coin`, `szi` (signed size in coins, a decimal string), `entryPx`,
///   `liquidationPx` (`null` when the account cannot be liquidated), `leverage {type, value}`, `marginUsed` and
///   `positionValue` (USD). Other fields (`unrealizedPnl`, `maxTradeSzs`, `cumFunding`, ...) are not read.
/// - Without `dex` the answer covers the core perp dex only; HIP-3 builder dexes need one request each (not scanned).
/// - Weight 2 of the 1200 per minute an IP may spend on REST requests (docs "Rate limits and user limits").
/// - A position entry without a coin or a finite size is left out and counted; an answer that is not this object
///   fails the scan of that address only.
extension HyperliquidAdapter {
    /// The request body for `address`'s positions.
    public static func clearinghouseStateBody(address: String) -> [UInt8] {
        body(["type": "clearinghouseState", "user": address])
    }

    /// `address`'s open positions on the core dex.
    public static func positions(address: String, client: some HTTPFetching, baseURL: String) async throws
        -> HyperliquidPositionScan
    {
        let answer = try await client.post(infoPath, json: clearinghouseStateBody(address: address), baseURL: baseURL)
        return try parseClearinghouseState(Data(answer))
    }

    struct ClearinghouseState: Decodable {
        var assetPositions: [AssetPosition]
    }

    struct AssetPosition: Decodable {
        var position: Position?
    }

    struct Position: Decodable {
        struct Leverage: Decodable {
            var type: String?
            var value: LenientDouble?
        }
        var coin: String?
        var szi: LenientDouble?
        var entryPx: LenientDouble?
        var liquidationPx: LenientDouble?
        var leverage: Leverage?
        var marginUsed: LenientDouble?
        var positionValue: LenientDouble?

        // A field that is not a number (a malformed entry) makes the entry nil instead of failing the answer.
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            coin = try? c.decodeIfPresent(String.self, forKey: .coin)
            szi = try? c.decodeIfPresent(LenientDouble.self, forKey: .szi)
            entryPx = try? c.decodeIfPresent(LenientDouble.self, forKey: .entryPx)
            liquidationPx = try? c.decodeIfPresent(LenientDouble.self, forKey: .liquidationPx)
            leverage = try? c.decodeIfPresent(Leverage.self, forKey: .leverage)
            marginUsed = try? c.decodeIfPresent(LenientDouble.self, forKey: .marginUsed)
            positionValue = try? c.decodeIfPresent(LenientDouble.self, forKey: .positionValue)
        }

        enum CodingKeys: String, CodingKey {
            case coin, szi, entryPx, liquidationPx, leverage, marginUsed, positionValue
        }
    }

    /// The positions of one `clearinghouseState` answer.
    public static func parseClearinghouseState(_ data: Data) throws -> HyperliquidPositionScan {
        let state = try decodePayload(ClearinghouseState.self, from: data, dex: dex, endpoint: "info clearinghouseState")
        var scan = HyperliquidPositionScan(positions: [], malformed: 0)
        for entry in state.assetPositions {
            guard let p = entry.position, let coin = p.coin, !coin.isEmpty,
                  let size = p.szi.number, size.isFinite else {
                scan.malformed += 1
                continue
            }
            func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }
            let type = p.leverage?.type
            scan.positions.append(HyperliquidPosition(
                coin: coin, size: size, entryPrice: finite(p.entryPx.number),
                liquidationPrice: finite(p.liquidationPx.number).flatMap { $0 > 0 ? $0 : nil },
                leverage: finite(p.leverage?.value.number),
                leverageType: type == "cross" || type == "isolated" ? type : nil,
                marginUsedUSD: finite(p.marginUsed.number), positionValueUSD: finite(p.positionValue.number)))
        }
        return scan
    }
}
