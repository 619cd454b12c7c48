import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A response, whole.
struct FetchedResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
}

/// GET requests with the backend's credentials, a timeout, and failures turned into one-line
/// `RemoteError`s (refused connections, 401/403, 429, other statuses).
struct HTTPFetcher: Sendable {
    /// Headers sent with every request (authentication).
    var headers: [String: String]
    /// Time allowed for one request.
    var timeout: Duration
    /// The address for messages.
    var label: String

    /// The credentials for `source` from the environment: `SPANSCOPE_AUTH_HEADER` (`Name: value`,
    /// sent as it is) wins; then `SPANSCOPE_<BACKEND>_TOKEN` (a bearer token; Phoenix also reads
    /// its own `PHOENIX_API_KEY`); then `SPANSCOPE_<BACKEND>_USER` and `_PASSWORD`, or a user and
    /// password in the address, for basic authentication.
    static func authHeaders(for source: RemoteSource, environment: [String: String]) -> [String: String] {
        if let raw = environment["SPANSCOPE_AUTH_HEADER"], let colon = raw.firstIndex(of: ":") {
            let name = raw[..<colon].trimmingCharacters(in: .whitespaces)
            let value = raw[raw.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { return [name: value] }
        }
        let prefix = "SPANSCOPE_" + source.backend.rawValue.uppercased() + "_"
        let token = environment[prefix + "TOKEN"] ?? (source.backend == .phoenix ? environment["PHOENIX_API_KEY"] : nil)
        if let token, !token.isEmpty { return ["Authorization": "Bearer " + token] }
        if let user = environment[prefix + "USER"] ?? source.user {
            let password = environment[prefix + "PASSWORD"] ?? source.password ?? ""
            let encoded = Data((user + ":" + password).utf8).base64EncodedString()
            return ["Authorization": "Basic " + encoded]
        }
        return [:]
    }

    /// GETs `url`. Any status comes back; only a failure to get an answer at all throws.
    func get(_ url: String, accept: String = "application/json") async throws(RemoteError) -> FetchedResponse {
        guard let u = URL(string: url) else { throw RemoteError(source: label, "cannot make a URL of \(url)") }
        var request = URLRequest(url: u)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.timeoutInterval = seconds
        request.setValue(accept, forHTTPHeaderField: "Accept")
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                throw RemoteError(source: label, "no HTTP answer from \(url)")
            }
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields {
                if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
            }
            return FetchedResponse(status: http.statusCode, headers: headers, body: Array(data))
        } catch let e as RemoteError {
            throw e
        } catch let e as URLError {
            switch e.code {
            case .cannotConnectToHost:
                throw RemoteError(source: label, "connection refused (is \(source(of: url)) running?)")
            case .timedOut:
                throw RemoteError(source: label, "no answer within \(Int(seconds)) s from \(url)")
            case .cannotFindHost, .dnsLookupFailed:
                throw RemoteError(source: label, "unknown host \(u.host ?? "")")
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                 .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                throw RemoteError(source: label, "TLS failed: \(e.localizedDescription)")
            default:
                throw RemoteError(source: label, "\(e.localizedDescription) (\(url))")
            }
        } catch {
            throw RemoteError(source: label, "\(error) (\(url))")
        }
    }

    private func source(of url: String) -> String {
        guard let u = URL(string: url), let host = u.host else { return url }
        return host + (u.port.map { ":\($0)" } ?? "")
    }

    /// The error for an answer that is not a success, in words a user can act on.
    func failure(_ r: FetchedResponse, url: String, backend: Backend) -> RemoteError {
        let detail = Self.detail(r.body)
        let tail = detail.isEmpty ? "" : ": \(detail)"
        let env = "SPANSCOPE_\(backend.rawValue.uppercased())"
        switch r.status {
        case 401:
            return RemoteError(source: label, "HTTP 401, not signed in\(tail); set SPANSCOPE_AUTH_HEADER or \(env)_TOKEN")
        case 403:
            return RemoteError(source: label, "HTTP 403, these credentials may not read traces\(tail)")
        case 404:
            return RemoteError(source: label, "HTTP 404 for \(url)\(tail)")
        case 429:
            let wait = r.headers["retry-after"].map { "; the server asks to wait \($0) s" } ?? ""
            return RemoteError(source: label, "HTTP 429, rate limited\(wait)")
        default:
            return RemoteError(source: label, "HTTP \(r.status) for \(url)\(tail)")
        }
    }

    /// A short, printable account of an error body: the `message`/`detail`/`error` of a JSON
    /// object, or the start of the text.
    static func detail(_ body: [UInt8]) -> String {
        var text = ""
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let e = object["error"] as? [String: Any], let m = e["message"] as? String { text = m }
            else if let m = object["message"] as? String { text = m }
            else if let m = object["detail"] as? String { text = m }
            else if let m = object["error"] as? String { text = m }
            else if let errors = object["errors"] as? [[String: Any]], let m = errors.first?["msg"] as? String { text = m }
        }
        if text.isEmpty { text = String(decoding: body.prefix(200), as: UTF8.self) }
        return printable(text, limit: 160)
    }
}

/// `text` with control characters replaced and cut to `limit` characters, for a one-line message.
func printable(_ text: String, limit: Int) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        if out.unicodeScalars.count >= limit { out += "…"; break }
        let v = scalar.value
        out.unicodeScalars.append(v < 0x20 || (0x7F..<0xA0).contains(v) || v == 0x2028 || v == 0x2029 ? " " : scalar)
    }
    return out.trimmingCharacters(in: .whitespaces)
}
