import Foundation
import Synchronization

/// The known dex and symbol names, for 404s without a query per request. Reloaded after each ingest cycle that
/// created names, and on a miss (at most once per second) so a brand-new symbol is found before the next cycle.
public final class NameCatalog: Sendable {
    struct State {
        var dexes: Set<String> = []
        var symbols: Set<String> = []
        var loadedAt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let database: APIDatabase

    public init(database: APIDatabase) {
        self.database = database
    }

    public func reload() async throws {
        let dexes = try await database.dexNames()
        let symbols = try await database.symbolNames()
        state.withLock {
            $0.dexes = Set(dexes)
            $0.symbols = Set(symbols)
            $0.loadedAt = .now
        }
    }

    private func lookup(_ name: String, in keyPath: KeyPath<State, Set<String>>) async throws -> Bool {
        let (found, stale) = state.withLock { s in
            (s[keyPath: keyPath].contains(name), s.loadedAt.map { .now - $0 > .seconds(1) } ?? true)
        }
        if found { return true }
        if stale {
            try await reload()
            return state.withLock { $0[keyPath: keyPath].contains(name) }
        }
        return false
    }

    /// The dex's canonical (lower-case) name, or 404.
    public func dex(_ raw: String) async throws -> String {
        let name = raw.lowercased()
        guard try await lookup(name, in: \.dexes) else { throw APIError.dexNotFound(raw) }
        return name
    }

    /// The symbol's canonical (upper-case) name, or 404.
    public func symbol(_ raw: String) async throws -> String {
        let name = raw.uppercased()
        guard try await lookup(name, in: \.symbols) else { throw APIError.symbolNotFound(raw) }
        return name
    }
}
