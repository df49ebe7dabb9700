import Foundation

/// A venue's response wrapper (`{"retCode":0,"result":...}`, `{"code":"0","data":[...]}`): each venue declares its
/// envelope once and `decodeEnvelope` unwraps it, turning a venue-reported error into `VenuePayloadError`.
protocol VenueEnvelope: Decodable {
    associatedtype Payload
    /// The venue's error text when the answer reports a failure, nil on success.
    var failure: String? { get }
    /// The payload of a successful answer.
    var payload: Payload? { get }
}

/// Decodes `T` from a venue payload, turning any decoding failure into `VenuePayloadError` for `dex`.
func decodePayload<T: Decodable>(_ type: T.Type, from data: some DataProtocol, dex: String, endpoint: String) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(data))
    } catch let error as DecodingError {
        throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: describe(error))
    } catch {
        throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "\(error)")
    }
}

/// Decodes envelope `E` and returns its payload; a reported failure or a missing payload throws.
func decodeEnvelope<E: VenueEnvelope>(_ type: E.Type, from data: some DataProtocol, dex: String, endpoint: String) throws -> E.Payload {
    let envelope = try decodePayload(E.self, from: data, dex: dex, endpoint: endpoint)
    if let failure = envelope.failure { throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: failure) }
    guard let payload = envelope.payload else { throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "no data") }
    return payload
}

/// An answer that is an array for all markets and a single object for one (`ticker/24hr` without and with
/// `symbol`); both read as an array.
struct OneOrMany<T: Decodable>: Decodable {
    var rows: [T]

    init(from decoder: Decoder) throws {
        if let many = try? [T](from: decoder) { rows = many } else { rows = [try T(from: decoder)] }
    }
}

private func describe(_ error: DecodingError) -> String {
    func path(_ c: DecodingError.Context) -> String {
        c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case .dataCorrupted(let c): return "malformed JSON at \(path(c)): \(c.debugDescription)"
    case .keyNotFound(let k, let c): return "missing field \(path(c)).\(k.stringValue)"
    case .typeMismatch(_, let c): return "wrong type at \(path(c)): \(c.debugDescription)"
    case .valueNotFound(_, let c): return "null at \(path(c))"
    @unknown default: return "\(error)"
    }
}
