import Foundation

/// The stream envelope OKX and Bitget share: requests `{"op":"subscribe","args":[{"channel":…,"instId":…}]}`;
/// answers `{"event":"subscribe"|"error","code":…,"msg":…}`; pushes `{"arg":{"channel":…,"instId":…},"data":[…]}`;
/// keep-alive the text `ping`, answered by the text `pong`.
enum OpArgsStream {
    struct Request: Encodable {
        var op = "subscribe"
        var args: [Arg]
    }

    struct Arg: Codable {
        /// Bitget's product type (`USDT-FUTURES`); OKX sends none.
        var instType: String?
        var channel: String
        var instId: String?
    }

    static let ping = Array("ping".utf8)
    static let pong = Array("pong".utf8)

    /// The `arg` of a push; nil for the pong and for acknowledgements (`event` other than `error`). Throws
    /// `StreamMessageError.rejected` for an error answer and a decoding error for a malformed message.
    static func pushArg(_ message: [UInt8]) throws -> Arg? {
        if message == pong { return nil }
        let frame = try StreamSupport.decode(Frame.self, message)
        if let event = frame.event {
            guard event == "error" else { return nil }
            throw StreamMessageError.rejected("code \(frame.code?.value.map { String(Int($0)) } ?? "?"): \(frame.msg ?? "")")
        }
        guard let arg = frame.arg else { throw StreamPayloadError.missing("arg") }
        return arg
    }

    private struct Frame: Decodable {
        var event: String?
        var code: LenientDouble?
        var msg: String?
        var arg: Arg?
    }
}
