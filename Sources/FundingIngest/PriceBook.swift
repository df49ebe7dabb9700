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

    private struct State {
        var latest: [Key: LivePrice] = [:]
        var sequences: [Key: Int64] = [:]
        var changed: Set<Key> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Folds one message's events into the book; returns how many changed a market. A top of book older than the
    /// one held (by the venue's sequence number) is ignored.
    @discardableResult
    public func apply(dex: String, events: [StreamEvent], receivedAt: Date) -> Int {
        guard !events.isEmpty else { return 0 }
        return state.withLock { s in
            var applied = 0
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
                    // A trade's price is the market's last price.
                    Self.update(&s, Key(dex: dex, dexSymbol: trade.dexSymbol), time: trade.time, receivedAt: receivedAt) { p in
                        p.last = trade.price
                    }
                }
                applied += 1
            }
            return applied
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
