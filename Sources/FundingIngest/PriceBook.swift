import Foundation
import FundingCore
import FundingVenues
import Synchronization

/// The latest streamed state of every market, and which markets changed since the last flush.
///
/// The stream connections write into it as messages arrive; the flusher takes the changed markets once per flush
/// (`drainChanged`) and puts them back when the write fails (`markChanged`), so a database outage loses no market's
/// latest state: the flush after it writes each market's newest values (the per-second samples of the outage are
/// not kept).
public final class PriceBook: Sendable {
    struct Key: Hashable, Sendable {
        var dex: String
        var dexSymbol: String
    }

    struct FlowKey: Hashable, Sendable {
        var market: Key
        var minute: Date
    }

    private struct State {
        var latest: [Key: LivePrice] = [:]
        var sequences: [Key: Int64] = [:]
        var changed: Set<Key> = []
        /// Trade flow not yet flushed, per market and minute.
        var flows: [FlowKey: TradeFlow] = [:]
        /// Per market, the newest trade time counted: a trade at or before it is not counted again.
        var counted: [Key: Date] = [:]
        /// Accounts named by large trades (see `discoverAbove`), not yet taken.
        var discovered: Set<String> = []
    }

    private let state = Mutex(State())
    /// A trade of at least this notional (price × size) adds the accounts it names to `drainDiscovered()`; nil
    /// collects none.
    let discoverAbove: Double?
    /// The most accounts held between two drains (the rest are dropped; large trades repeat their accounts).
    static let discoveredLimit = 10_000

    public init(discoverAbove: Double? = nil) {
        self.discoverAbove = discoverAbove
    }

    /// Folds one message's events into the book; returns how many changed a market. A top of book older than the
    /// one held (by the venue's sequence number) is ignored. With `countTrades` (a venue whose trade sizes are
    /// `TradeSizeUnit.priceUnits`), trades with a taker side are added to their minute's trade flow, except:
    /// - the first trade message of a market in this process only sets where counting starts: venues replay recent
    ///   trades on subscribing (Bitget's `snapshot`), which a previous process may already have counted;
    /// - a trade not newer than the newest one counted for its market (a replay after a reconnect). Trades of one
    ///   message that share a time are all counted; two messages' trades in the same millisecond are not.
    @discardableResult
    public func apply(dex: String, events: [StreamEvent], receivedAt: Date, countTrades: Bool = false) -> Int {
        guard !events.isEmpty else { return 0 }
        return state.withLock { s in
            var applied = 0
            // Where counting stood before this message, per market it names.
            var countedBefore: [Key: Date?] = [:]
            for event in events {
                switch event {
                case .topOfBook(let top):
                    let key = Key(dex: dex, dexSymbol: top.dexSymbol)
                    if let sequence = top.sequence {
                        if let held = s.sequences[key], sequence < held { continue }
                        s.sequences[key] = sequence
                    }
                    Self.update(&s, key, time: top.time, receivedAt: receivedAt) { p in
                        p.bid = top.bid ?? p.bid
                        p.bidSize = top.bidSize ?? p.bidSize
                        p.ask = top.ask ?? p.ask
                        p.askSize = top.askSize ?? p.askSize
                    }
                case .price(let tick):
                    Self.update(&s, Key(dex: dex, dexSymbol: tick.dexSymbol), time: tick.time, receivedAt: receivedAt) { p in
                        p.last = tick.last ?? p.last
                        p.mark = tick.mark ?? p.mark
                    }
                case .trade(let trade):
                    let key = Key(dex: dex, dexSymbol: trade.dexSymbol)
                    // A trade's price is the market's last price.
                    Self.update(&s, key, time: trade.time, receivedAt: receivedAt) { p in
                        p.last = trade.price
                    }
                    if let floor = discoverAbove, !trade.participants.isEmpty, trade.price * trade.size >= floor,
                       s.discovered.count < Self.discoveredLimit {
                        s.discovered.formUnion(trade.participants)
                    }
                    if countTrades {
                        let before: Date?
                        if let recorded = countedBefore[key] {
                            before = recorded
                        } else {
                            before = s.counted[key]
                            countedBefore[key] = .some(before)
                        }
                        s.counted[key] = max(s.counted[key] ?? trade.time, trade.time)
                        if let before, trade.time > before { Self.count(&s, key, trade) }
                    }
                }
                applied += 1
            }
            return applied
        }
    }

    private static func count(_ s: inout State, _ key: Key, _ trade: PublicTrade) {
        guard let side = trade.takerSide, trade.size.isFinite, trade.size > 0, trade.price.isFinite, trade.price > 0
        else { return }
        let minute = Date(timeIntervalSince1970: (trade.time.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let flowKey = FlowKey(market: key, minute: minute)
        var flow = s.flows[flowKey] ?? TradeFlow(dex: key.dex, dexSymbol: key.dexSymbol, minute: minute)
        switch side {
        case .buy:
            flow.buySize += trade.size
            flow.buyNotional += trade.size * trade.price
            flow.buyTrades += 1
        case .sell:
            flow.sellSize += trade.size
            flow.sellNotional += trade.size * trade.price
            flow.sellTrades += 1
        }
        s.flows[flowKey] = flow
    }

    /// The accounts large trades named since the last call; clears them.
    public func drainDiscovered() -> [String] {
        state.withLock { s in
            let accounts = s.discovered.sorted()
            s.discovered.removeAll(keepingCapacity: true)
            return accounts
        }
    }

    /// The trade flow counted since the last call; clears it.
    public func drainTradeFlow() -> [TradeFlow] {
        state.withLock { s in
            let flows = Array(s.flows.values)
            s.flows.removeAll(keepingCapacity: true)
            return flows
        }
    }

    /// Puts trade flow back (its write failed): the next drain returns it, added to what was counted meanwhile.
    public func restoreTradeFlow(_ flows: [TradeFlow]) {
        state.withLock { s in
            for f in flows {
                let key = FlowKey(market: Key(dex: f.dex, dexSymbol: f.dexSymbol), minute: f.minute)
                if var held = s.flows[key] { held.add(f); s.flows[key] = held } else { s.flows[key] = f }
            }
        }
    }

    private static func update(_ s: inout State, _ key: Key, time: Date, receivedAt: Date,
                               _ change: (inout LivePrice) -> Void) {
        var price = s.latest[key] ?? LivePrice(dex: key.dex, dexSymbol: key.dexSymbol, time: time, receivedAt: receivedAt)
        price.time = max(price.time, time)
        price.receivedAt = max(price.receivedAt, receivedAt)
        change(&price)
        s.latest[key] = price
        s.changed.insert(key)
    }

    /// The markets changed since the last call, with their latest state; clears the changed set.
    public func drainChanged() -> [LivePrice] {
        state.withLock { s in
            let prices = s.changed.compactMap { s.latest[$0] }
            s.changed.removeAll(keepingCapacity: true)
            return prices
        }
    }

    /// Marks `prices`' markets changed again (their write failed): the next drain returns their latest state.
    public func markChanged(_ prices: [LivePrice]) {
        state.withLock { s in
            for p in prices { s.changed.insert(Key(dex: p.dex, dexSymbol: p.dexSymbol)) }
        }
    }

    /// The latest state of one market, if it has streamed.
    public func latest(dex: String, dexSymbol: String) -> LivePrice? {
        state.withLock { $0.latest[Key(dex: dex, dexSymbol: dexSymbol)] }
    }

    /// Markets changed and not yet flushed.
    public var pendingCount: Int { state.withLock { $0.changed.count } }
}
