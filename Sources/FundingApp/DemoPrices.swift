import Foundation
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import ServiceLifecycle

/// The live prices of `fundingd run --demo`: for every market of every streaming venue, a best bid and ask that move
/// around the market's last polled price, folded into the `PriceBook` the flusher writes, as the stream connections
/// would. Demo data, not a stream: the venues' WebSocket clients are exercised by the replay tests instead.
///
/// Each symbol sits at one level (the median of the venues' polled prices), follows one slow common path (all
/// venues move together), and each venue drifts up to 15 basis points around it on its own phase, so cross-venue
/// spreads open, close and change sign while someone watches. Each tick also trades once per market, so the trade
/// flow boards (cvd, taker_buy_ratio) fill.
struct DemoPrices: Service {
    let dexes: [String]
    let book: PriceBook
    let store: PostgresPriceStore
    let tick: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            var quotes: [String: [MarketQuote]] = [:]
            var lastLoad = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled {
                // The polled snapshots give each market its level; re-read once a minute (new markets appear).
                if ContinuousClock.now - lastLoad > .seconds(60) || quotes.values.allSatisfy(\.isEmpty) {
                    for dex in dexes {
                        if let q = try? await store.marketQuotes(dex: dex) { quotes[dex] = q }
                    }
                    lastLoad = .now
                }
                // One level per symbol (the median of the venues' polled levels): the recordings were made on
                // different days, so their own prices of one symbol can differ by half; demo spreads should not.
                let levels = Self.levels(quotes.values.flatMap { $0 })
                let now = Date()
                for (dex, markets) in quotes {
                    let events = markets.flatMap { q in
                        levels[q.symbol].map { Self.events(dex: dex, quote: q, level: $0, at: now) } ?? []
                    }
                    book.apply(dex: dex, events: events, receivedAt: now, countTrades: true)
                }
                try await Task.sleep(for: tick)
            }
        }
    }

    /// The median polled level per unit of each symbol across the venues.
    static func levels(_ quotes: [MarketQuote]) -> [String: Double] {
        Dictionary(grouping: quotes.compactMap { q in q.unitLevel.map { (q.symbol, $0) } }, by: \.0)
            .mapValues { pairs in
                let sorted = pairs.map(\.1).sorted()
                return sorted[sorted.count / 2]
            }
    }

    /// A top of book (see `event`) and one taker trade at it: a buy at the ask or a sell at the bid, worth 200 to
    /// 20,000 USD, buys more likely while the symbol's slow flow phase is positive, so CVD and the taker buy ratio
    /// differ between symbols and turn over time.
    static func events(dex: String, quote: MarketQuote, level: Double, at date: Date) -> [StreamEvent] {
        guard let book = event(dex: dex, quote: quote, level: level, at: date),
              case .topOfBook(let top) = book, let bid = top.bid, let ask = top.ask else { return [] }
        let t = date.timeIntervalSince1970
        let draw = Double(DemoPositions.hash("\(dex)\(quote.dexSymbol)\(Int64(t * 10))") % 10_000) / 10_000
        let buyShare = 0.5 + 0.3 * sin(t / 240 + phase(quote.symbol) * 3)
        let buy = draw < buyShare
        let notional = 200 * pow(100, Double(DemoPositions.hash("\(quote.dexSymbol)\(Int64(t * 10))") % 1000) / 1000)
        let price = buy ? ask : bid
        return [book, .trade(PublicTrade(dexSymbol: quote.dexSymbol, time: date, price: price, size: notional / price,
                                         takerSide: buy ? .buy : .sell))]
    }

    /// A top of book around the symbol's level (per contract unit: × multiplier): common path × venue drift,
    /// half-spread 1 bp.
    static func event(dex: String, quote: MarketQuote, level: Double, at date: Date) -> StreamEvent? {
        let symbolPhase = phase(quote.symbol)
        let venuePhase = phase(dex + quote.dexSymbol)
        let t = date.timeIntervalSince1970
        let common = 1 + 0.002 * sin(t / 45 + symbolPhase) + 0.001 * sin(t / 7 + symbolPhase * 2)
        let venue = 1 + 0.0015 * sin(t / 20 + venuePhase)
        let mid = level * quote.multiplier * common * venue
        let half = mid * 0.0001
        return .topOfBook(TopOfBook(dexSymbol: quote.dexSymbol, time: date, bid: mid - half, bidSize: 1,
                                    ask: mid + half, askSize: 1))
    }

    static func phase(_ text: String) -> Double {
        Double(text.unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) % 100_003 } % 360) * .pi / 180
    }
}
