import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// A local WebSocket server that replays recorded venue frames: `ws://127.0.0.1:<port>/<dex>/<channel>`.
///
/// Each connection waits for the client's first message (its subscription), sends the frames its `Script` names,
/// then holds the connection open (answering nothing: a stalled venue), closes it (a venue that drops the client),
/// or repeats the frames every interval (a live venue). Everything the clients send is logged per path.
struct StreamReplayServer: Sendable {
    enum After: Sendable {
        case hold
        case close
        case repeatEvery(Duration)
    }

    struct Script: Sendable {
        var frames: [String]
        var after: After
    }

    /// The script for a path and its connection number (0 for the first).
    let script: @Sendable (_ path: String, _ connection: Int) -> Script
    let log = ReplayLog()

    /// The recorded frames of `Tests/Fixtures/<folder>/stream-<channel>.jsonl`, one per line.
    static func frames(_ folder: String, _ channel: String) throws -> [String] {
        let url = TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures/\(folder)/stream-\(channel).jsonl")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func application(logger: Logger, onPort: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/{dex}/{channel}") { inbound, outbound, context in
            let path = "/\(context.requestContext.parameters.get("dex") ?? "")/\(context.requestContext.parameters.get("channel") ?? "")"
            let connection = log.connected(path)
            let script = script(path, connection)
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            guard let first = try? await iterator.next() else { return }
            log.received(path, first)
            for frame in script.frames { try? await outbound.write(.text(frame)) }
            switch script.after {
            case .close:
                return
            case .hold:
                while let message = try? await iterator.next() { log.received(path, message) }
            case .repeatEvery(let interval):
                try? await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while true {
                            try await Task.sleep(for: interval)
                            for frame in script.frames { try await outbound.write(.text(frame)) }
                        }
                    }
                    while let message = try await iterator.next() { log.received(path, message) }
                    group.cancelAll()
                }
            }
        }
        return Application(
            router: Router(),
            server: .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(maxFrameSize: 1 << 20)),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onPort($0.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Runs the server for the duration of `body`, which gets its base URL (`ws://127.0.0.1:<port>`).
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = Logger(label: "stream-replay")
        let group = ServiceGroup(configuration: .init(
            services: [application(logger: logger) { continuation.yield($0) }], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestSetupError(description: "replay server did not start") }
            let result: Result<T, any Error>
            do { result = .success(try await body("ws://127.0.0.1:\(port)")) } catch { result = .failure(error) }
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            return try result.get()
        }
    }
}

/// What the replay server saw: connections and the client's messages, per path.
final class ReplayLog: Sendable {
    private struct State {
        var connections: [String: Int] = [:]
        var messages: [String: [String]] = [:]
    }
    private let state = Mutex(State())

    func connected(_ path: String) -> Int {
        state.withLock { s in
            defer { s.connections[path, default: 0] += 1 }
            return s.connections[path, default: 0]
        }
    }

    func received(_ path: String, _ message: WebSocketMessage) {
        let text: String = switch message {
        case .text(let t): t
        case .binary(let b): String(buffer: b)
        }
        state.withLock { $0.messages[path, default: []].append(text) }
    }

    func connections(_ path: String) -> Int { state.withLock { $0.connections[path, default: 0] } }
    func messages(_ path: String) -> [String] { state.withLock { $0.messages[path, default: []] } }
}

/// Polls `condition` every 50 ms until it holds or `limit` passes (then fails with `what`).
func eventually(_ what: String, within limit: Duration = .seconds(20),
                _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestSetupError(description: "\(what): not within \(limit)")
}
