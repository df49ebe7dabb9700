import NIOCore
import NIOHTTP1

/// Bounds how long a client may hold a connection without a request in progress, and how long a request may take
/// from its first byte to the first byte of the answer. It sits first in the pipeline (raw bytes, before the HTTP
/// decoder), so it also covers connections that never send a complete request head: Hummingbird adds its own idle
/// handler only after the head of the first request.
///
/// - no request in progress (a new connection, or after an answer) for `idleTimeout`: the connection is closed;
/// - a request whose answer has not started within `requestTimeout` of its first byte (a slowloris head, a body that
///   trickles, a request the decoder could not parse): answered `408` with the API's JSON error body, then closed;
/// - after a WebSocket upgrade (`101`) it steps aside: the stream's own pings keep those connections honest.
///
/// `requestTimeout` must exceed the slowest legitimate request (statement timeout plus connection checkout).
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    enum State {
        case idle
        case inRequest
        case upgraded
        /// Output shut down after the last answer; input is read and discarded until the peer closes or `linger`
        /// passes. Closing outright with unread input would send a reset, and a reset makes the client's kernel
        /// discard the answer it has not read yet (a 413 to a client still sending its body was lost that way).
        case closing
    }

    /// How long a closing connection keeps reading (and discarding) before it is closed outright.
    static let linger = TimeAmount.seconds(2)

    /// Upgraded or closing: this handler answers nothing more on the connection.
    private var steppedAside: Bool { state == .upgraded || state == .closing }

    let idleTimeout: TimeAmount
    let requestTimeout: TimeAmount
    private var state = State.idle
    private var timer: Scheduled<Void>?

    init(idleTimeout: TimeAmount, requestTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, after: idleTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, after: idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if state == .closing { return }
        if state == .idle {
            state = .inRequest
            arm(context, after: requestTimeout)
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // While closing, read on regardless of the pipeline's own backpressure (nothing is passed on).
        if state == .closing { context.read() } else { context.fireChannelReadComplete() }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !steppedAside {
            if case .byteBuffer(let buffer) = unwrapOutboundIn(data),
               buffer.getString(at: buffer.readerIndex, length: min(12, buffer.readableBytes)) == "HTTP/1.1 101" {
                state = .upgraded
                timer?.cancel()
                timer = nil
            } else if state == .inRequest {
                // The answer has started: the connection is idle again (until the client's next byte).
                state = .idle
                arm(context, after: idleTimeout)
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        timer?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            handler.expired(context)
        }
    }

    private func expired(_ context: ChannelHandlerContext) {
        timer = nil
        switch state {
        case .upgraded:
            return
        case .closing:
            context.close(promise: nil)
        case .idle:
            closeLingering(context)
        case .inRequest:
            reject(context, APIError(.requestTimeout, code: "request_timeout",
                                     message: "the request was not complete or not answered in time"))
        }
    }

    /// The HTTP decoder refused the request (unknown method, oversized head, malformed syntax): answered at once
    /// instead of after the request deadline. Called from `DecoderErrorHandler`, further down the pipeline.
    func decoderFailed(_ context: ChannelHandlerContext, _ error: HTTPParserError) {
        guard !steppedAside else { return }
        timer?.cancel()
        timer = nil
        reject(context, error == .headerOverflow
            ? APIError(.requestHeaderFieldsTooLarge, code: "request_head_too_large",
                       message: "the request line or headers are too large")
            : APIError(.badRequest, code: "malformed_request", message: "the request is not valid HTTP/1.1"))
    }

    /// Writes `error` as a complete response straight to the socket, then closes the connection (lingering).
    private func reject(_ context: ChannelHandlerContext, _ error: APIError) {
        guard !steppedAside else { return }
        let body = error.body
        var buffer = context.channel.allocator.buffer(capacity: 160 + body.count)
        buffer.writeString("""
            HTTP/1.1 \(error.status.code) \(error.status.reasonPhrase)\r\nContent-Type: application/json; \
            charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n
            """)
        buffer.writeBytes(body)
        // Output is shut down right after the flush, not when the write completes: the flush has already handed
        // the answer to the kernel (which sends it before the FIN), and a client that stops reading cannot hold
        // the connection open by leaving the write pending.
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        closeLingering(context)
    }

    /// Shuts down output (the client sees the end after everything written), then reads and discards input for at
    /// most `linger` before closing outright: see `State.closing`.
    private func closeLingering(_ context: ChannelHandlerContext) {
        state = .closing
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.close(mode: .output).whenFailure { _ in bound.value.close(promise: nil) }
        arm(context, after: Self.linger)
        context.read()
    }
}

/// Sits after the HTTP decoder and hands its parse errors to the connection's `ConnectionDeadlineHandler`, which
/// answers them from the raw end of the pipeline (Hummingbird's upgrade pipeline leaves them unanswered).
final class DecoderErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let deadline: ConnectionDeadlineHandler
    let deadlineContext: ChannelHandlerContext

    init(deadline: ConnectionDeadlineHandler, context: ChannelHandlerContext) {
        self.deadline = deadline
        self.deadlineContext = context
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError {
            deadline.decoderFailed(deadlineContext, error)
            return
        }
        context.fireErrorCaught(error)
    }
}
