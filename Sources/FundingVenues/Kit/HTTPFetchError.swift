import Foundation

/// Failures of an HTTP fetch that the collection loop distinguishes (retry, honour Retry-After, give up).
public enum HTTPFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A non-2xx answer; `retryAfterSeconds` from a `Retry-After` header when present.
    case status(Int, url: String, retryAfterSeconds: Double?)
    case timeout(url: String)
    case transport(url: String, message: String)

    public var description: String {
        switch self {
        case .status(let code, let url, _): "HTTP \(code) from \(url)"
        case .timeout(let url): "timed out waiting for \(url)"
        case .transport(let url, let message): "\(url): \(message)"
        }
    }

    /// Whether trying again may help: timeouts, 429, 5xx and connection failures.
    public var isTransient: Bool {
        switch self {
        case .status(let code, _, _): code == 429 || code >= 500
        case .timeout, .transport: true
        }
    }
}
