import HummingbirdCore
import Logging
import NIOCore

/// A server child channel (the HTTP/WebSocket one) with a `ConnectionDeadlineHandler` installed first on every
/// connection, and a `DecoderErrorHandler` after the HTTP decoder so requests it cannot parse are answered at once.
struct DeadlineChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let idleTimeout: TimeAmount
    let requestTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionDeadlineHandler(idleTimeout: idleTimeout, requestTimeout: requestTimeout), position: .first)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let deadline = try operations.handler(type: ConnectionDeadlineHandler.self)
            let context = try operations.context(handlerType: ConnectionDeadlineHandler.self)
            try operations.addHandler(DecoderErrorHandler(deadline: deadline, context: context))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
