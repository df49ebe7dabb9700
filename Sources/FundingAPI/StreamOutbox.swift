import Synchronization

/// One WebSocket client's bounded send queue. The hub enqueues frames without waiting; when the queue is full the
/// client is too slow: the queue is closed and the session drops the connection instead of buffering without
/// limit.
public final class StreamOutbox: Sendable {
    let continuation: AsyncStream<String>.Continuation
    private let overflowed = Atomic<Bool>(false)

    init(continuation: AsyncStream<String>.Continuation) {
        self.continuation = continuation
    }

    /// Whether the queue overflowed (the client was dropped as slow).
    public var didOverflow: Bool { overflowed.load(ordering: .relaxed) }

    /// Enqueues a frame; `false` when the client is gone or was just dropped.
    @discardableResult
    func send(_ frame: String) -> Bool {
        switch continuation.yield(frame) {
        case .enqueued:
            return true
        case .dropped:
            overflowed.store(true, ordering: .relaxed)
            continuation.finish()
            return false
        case .terminated:
            return false
        @unknown default:
            return false
        }
    }

    func close() { continuation.finish() }
}
