import Foundation
import Hummingbird
import NIOCore

/// The funding dashboard's reads (`DashboardRead.all`): each route validates its declared parameters, resolves
/// names (404 for an unknown dex or asset), calls its SQL function and passes the JSON document it builds through
/// unchanged. No SQL here; no decoding and re-encoding of rows.
struct DashboardRoutes: Sendable {
    let store: any DashboardReading
    let names: any NameResolving

    func register(_ routes: RouteRegistrar) {
        for read in DashboardRead.all {
            routes.cachedGet(read.path, query: read.queryNames) { request, context in
                try await answer(read, request.query, path: { try context.path($0) })
            }
        }
    }

    func answer(_ read: DashboardRead, _ query: QueryReader, path: (String) throws -> String) async throws
        -> Response
    {
        let call = try await call(read, query, path: path)
        guard let body = try await store.dashboard(call) else {
            throw APIError(.notFound, code: "not_found", message: read.missing ?? "nothing found")
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: body))
    }

    /// Every declared parameter read and checked, in order; absent query parameters are left to the SQL default.
    func call(_ read: DashboardRead, _ query: QueryReader, path: (String) throws -> String) async throws
        -> DashboardCall
    {
        var arguments: [DashboardArgument] = []
        for parameter in read.parameters {
            let raw = parameter.inPath ? try path(parameter.name) : try query.string(parameter.name)
            guard let raw else { continue }
            let value = try await value(parameter, raw)
            arguments.append(DashboardArgument(name: parameter.argument, value: value))
        }
        return DashboardCall(function: read.function, arguments: arguments)
    }

    func value(_ parameter: DashboardParameter, _ raw: String) async throws -> DashboardValue {
        let name = parameter.name
        switch parameter.kind {
        case .symbol:
            return .text(try await names.symbol(raw))
        case .dex:
            return .text(try await names.dex(raw))
        case .dexes:
            let items = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !items.isEmpty, items.count <= 100 else {
                throw APIError.invalidParameter(name, "one to 100 comma-separated dex names")
            }
            var dexes: [String] = []
            for item in items { dexes.append(try await names.dex(item)) }
            return .texts(dexes)
        case .text:
            guard raw.count <= 64 else { throw APIError.invalidParameter(name, "too long (at most 64 characters)") }
            return .text(raw)
        case .integer(let range), .seconds(let range):
            guard QueryReader.isDecimalInteger(raw), let v = Int(raw) else {
                throw APIError.invalidParameter(name, "'\(QueryReader.printable(raw))' is not an integer")
            }
            guard range.contains(v) else {
                throw APIError.invalidParameter(name, "must be between \(range.lowerBound) and \(range.upperBound)")
            }
            if case .seconds = parameter.kind { return .seconds(v) }
            return .integer(v)
        case .number(let range):
            guard let v = QueryReader.decimal(raw) else {
                throw APIError.invalidParameter(name, "'\(QueryReader.printable(raw))' is not a decimal number")
            }
            guard range.contains(v) else {
                throw APIError.invalidParameter(name, "must be between \(JSONWriter.number(range.lowerBound)) and "
                                                    + JSONWriter.number(range.upperBound))
            }
            return .number(v)
        case .choice(let allowed):
            guard allowed.contains(raw) else {
                throw APIError.invalidParameter(name, "must be one of \(allowed.joined(separator: ", "))")
            }
            return .text(raw)
        }
    }
}
