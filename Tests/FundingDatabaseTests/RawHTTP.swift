import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP exchange with the server, for requests no HTTP client sends (slow heads, bad methods, huge URLs).
enum RawHTTP {
    struct Outcome: Sendable {
        /// Everything the server sent.
        var response: String
        /// Whether the server closed the connection (else the read deadline passed first).
        var closed: Bool
        var seconds: Double
        var statusLine: String { String(response.split(separator: "\r\n").first ?? "") }
    }

    /// Connects to 127.0.0.1:`port`, sends `chunks` (pausing `pause` between them), then reads until the server
    /// closes the connection or `readTimeout` passes.
    static func exchange(port: Int, _ chunks: [[UInt8]], pause: Double = 0, readTimeout: Double) async throws
        -> Outcome
    {
        try await offload {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestSetupError(description: "socket() failed") }
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else { throw TestSetupError(description: "connect() failed") }
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let start = Date()
            for (i, chunk) in chunks.enumerated() {
                if i > 0, pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
                var sent = 0
                while sent < chunk.count {
                    let n = chunk[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { break }
                    sent += n
                }
            }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            var closed = false
            while Date().timeIntervalSince(start) < readTimeout {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { received += buffer[0..<n] } else if n == 0 { closed = true; break }
                else if errno != EAGAIN && errno != EWOULDBLOCK { closed = true; break }
            }
            return Outcome(response: String(decoding: received, as: UTF8.self), closed: closed,
                           seconds: Date().timeIntervalSince(start))
        }
    }
}
