import Synchronization

/// One WebSocket client's bounded send queue. The hub enqueues frames without waiting; the queue is bounded in
/// frames (the stream's buffer) and in bytes (`maxBytes`, counted from enqueue until the session takes the frame
/// to write it). When either bound is reached the client is too slow: the queue is closed and the session drops
/// the connection instead of buffering without limit. A single frame larger than `maxBytes` is still accepted
/// into an empty queue, so a large snapshot reaches a client that keeps up.
public final class StreamOutbox: Sendable {
    let continuation: AsyncStream<String>.Continuation
    /// Bytes of queued frames above which the client is dropped.
    public let maxBytes: Int
    private let overflowed = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)
    private let bytes = Atomic<Int>(0)

    init(continuation: AsyncStream<String>.Continuation, maxBytes: Int = .max) {
        self.continuation = continuation
        self.maxBytes = maxBytes
    }

    /// Whether the queue overflowed (the client was dropped as slow).
    public var didOverflow: Bool { overflowed.load(ordering: .relaxed) }

    /// Whether the queue takes no more frames (overflowed or closed by its session).
    public var isClosed: Bool { closed.load(ordering: .relaxed) }

    /// UTF-8 bytes of the frames enqueued and not yet taken by the session.
    public var queuedBytes: Int { bytes.load(ordering: .relaxed) }

    /// Enqueues a frame; `false` when the client is gone or was just dropped.
    @discardableResult
    func send(_ frame: String) -> Bool {
        guard !isClosed else { return false }
        let size = frame.utf8.count
        let before = bytes.wrappingAdd(size, ordering: .relaxed).oldValue
        if before > 0 && before + size > maxBytes {
            bytes.wrappingSubtract(size, ordering: .relaxed)
            overflow()
            return false
        }
        switch continuation.yield(frame) {
        case .enqueued:
            return true
        case .dropped:
            bytes.wrappingSubtract(size, ordering: .relaxed)
            overflow()
            return false
        case .terminated:
            bytes.wrappingSubtract(size, ordering: .relaxed)
            closed.store(true, ordering: .relaxed)
            return false
        @unknown default:
            return false
        }
    }

    /// The session took `frame` off the queue to write it.
    func dequeued(_ frame: String) {
        bytes.wrappingSubtract(frame.utf8.count, ordering: .relaxed)
    }

    private func overflow() {
        overflowed.store(true, ordering: .relaxed)
        close()
    }

    func close() {
        closed.store(true, ordering: .relaxed)
        continuation.finish()
    }
}
