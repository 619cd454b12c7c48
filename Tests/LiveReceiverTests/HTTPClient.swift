import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs `body` with URLSession and returns status, lowercased headers and the body as text.
func send(_ url: String, body: [UInt8], type: String) async throws -> (Int, [String: String], String) {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = "POST"
    request.setValue(type, forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(body)
    return try await withCheckedThrowingContinuation { continuation in
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { continuation.resume(throwing: error); return }
            let http = response as! HTTPURLResponse
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields { headers[(k as! String).lowercased()] = v as? String }
            continuation.resume(returning: (http.statusCode, headers, String(decoding: data ?? Data(), as: UTF8.self)))
        }.resume()
    }
}
