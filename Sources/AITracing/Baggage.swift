/// Application key/value pairs that travel with a request across services (W3C Baggage).
///
/// Like the span context, the current baggage lives in a task-local value: child tasks inherit
/// it, other tasks do not.
public struct Baggage: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// One entry: key, value and the raw property list the header carried after `;` (opaque).
    public struct Entry: Hashable, Sendable {
        /// The key (an RFC 7230 token on the wire).
        public var key: String
        /// The value, decoded.
        public var value: String
        /// Properties as received (`k1=v1;k2`), or "".
        public var properties: String

        /// Creates an entry.
        public init(key: String, value: String, properties: String = "") {
            self.key = key
            self.value = value
            self.properties = properties
        }
    }

    /// Entries in order.
    public private(set) var entries: [Entry]

    /// Creates baggage from entries.
    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// Creates baggage from key/value pairs.
    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    /// True when there are no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value for `key` (the first entry with it), or nil; setting nil removes every entry with it.
    public subscript(key: String) -> String? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let newValue {
                if let i = entries.firstIndex(where: { $0.key == key }) {
                    entries[i].value = newValue
                } else {
                    entries.append(Entry(key: key, value: newValue))
                }
            } else {
                entries.removeAll { $0.key == key }
            }
        }
    }

    @TaskLocal static var taskLocal: Baggage?

    /// The current task's baggage (empty outside any binding).
    public static var current: Baggage { taskLocal ?? Baggage() }

    /// Runs `body` with `baggage` as the current baggage.
    public static func withCurrent<T>(_ baggage: Baggage, _ body: () throws -> T) rethrows -> T {
        try $taskLocal.withValue(baggage, operation: body)
    }

    /// Runs the async `body` with `baggage` as the current baggage.
    public static func withCurrent<T>(_ baggage: Baggage, isolation: isolated (any Actor)? = #isolation,
                                      _ body: () async throws -> T) async rethrows -> T {
        try await $taskLocal.withValue(baggage, operation: body, isolation: isolation)
    }

    /// Runs `body` with `value` added under `key` to the current baggage.
    public static func with<T>(_ key: String, _ value: String, _ body: () throws -> T) rethrows -> T {
        var b = current
        b[key] = value
        return try withCurrent(b, body)
    }

    /// Runs the async `body` with `value` added under `key` to the current baggage.
    public static func with<T>(_ key: String, _ value: String, isolation: isolated (any Actor)? = #isolation,
                               _ body: () async throws -> T) async rethrows -> T {
        var b = current
        b[key] = value
        return try await withCurrent(b, isolation: isolation, body)
    }
}

// MARK: W3C Baggage header

/// The W3C Baggage header format (w3.org/TR/baggage, "Header Content", read 2026-11-26):
///
///     baggage-string = list-member 0*179( OWS "," OWS list-member )
///     list-member    = key OWS "=" OWS value *( OWS ";" OWS property )
///     key            = token (RFC 7230 §3.2.6)
///     value          = *baggage-octet, a percent-encoded UTF-8 string
///     baggage-octet  = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
///
/// Keys and values are trimmed of OWS; `=` may appear inside a value; percent-encoded bytes that
/// are not UTF-8 decode to U+FFFD. A platform must propagate at least 64 members and 8192 bytes;
/// this one keeps up to 180 members (the grammar's maximum) within 8192 bytes and drops the rest.
/// A member that breaks the grammar is skipped ("MAY remove that entry"), the others are kept.
public enum BaggageHeader {
    /// Most members written or read.
    public static let maxMembers = 180
    /// Most bytes written, and most bytes of members read.
    public static let maxBytes = 8192

    /// Parses one or more `baggage` header values (several headers combine as one list).
    public static func parse(_ values: [String]) -> Baggage {
        var entries: [Baggage.Entry] = []
        var bytes = 0
        for value in values {
            for rawMember in Array(value.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let member = trimOWS(rawMember)
                if member.isEmpty { continue }
                guard entries.count < maxMembers, bytes + member.count <= maxBytes else { return Baggage(entries) }
                bytes += member.count
                if let entry = parseMember(member) { entries.append(entry) }
            }
        }
        return Baggage(entries)
    }

    /// Parses one `key=value;props` member; nil when it breaks the grammar.
    static func parseMember(_ member: ArraySlice<UInt8>) -> Baggage.Entry? {
        let parts = member.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false)
        let pair = parts[0]
        guard let eq = pair.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let key = trimOWS(pair[pair.startIndex..<eq])
        let value = trimOWS(pair[pair.index(after: eq)...])
        guard !key.isEmpty, key.allSatisfy(isTokenByte), value.allSatisfy(isBaggageOctet) else { return nil }
        var properties = ""
        if parts.count > 1 {
            // Properties are opaque to the spec; keep them, trimmed, if they hold no forbidden bytes.
            let props = parts[1].split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true).map(trimOWS)
            guard props.allSatisfy({ p in p.allSatisfy { $0 == UInt8(ascii: "=") || isBaggageOctet($0) } }) else { return nil }
            properties = props.filter { !$0.isEmpty }.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ";")
        }
        return Baggage.Entry(key: String(decoding: key, as: UTF8.self), value: percentDecode(value), properties: properties)
    }

    /// The header value for `baggage`, or nil when it has nothing to send. Entries whose key is
    /// not a token are left out (they cannot be written); values are percent-encoded.
    public static func format(_ baggage: Baggage) -> String? {
        var out: [UInt8] = []
        var members = 0
        for e in baggage.entries {
            guard !e.key.isEmpty, e.key.utf8.allSatisfy(isTokenByte) else { continue }
            var member = Array(e.key.utf8)
            member.append(UInt8(ascii: "="))
            member += percentEncode(e.value)
            if !e.properties.isEmpty,
               e.properties.utf8.allSatisfy({ $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ";") || isBaggageOctet($0) }) {
                member.append(UInt8(ascii: ";"))
                member += e.properties.utf8
            }
            let extra = out.isEmpty ? member.count : member.count + 1
            guard members < maxMembers, out.count + extra <= maxBytes else { break }
            if !out.isEmpty { out.append(UInt8(ascii: ",")) }
            out += member
            members += 1
        }
        return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    /// RFC 7230 `tchar`: `!#$%&'*+-.^_`|~`, digits and letters.
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `baggage-octet`: printable ASCII except space, `"`, `,`, `;` and `\`.
    static func isBaggageOctet(_ c: UInt8) -> Bool {
        c == 0x21 || (0x23...0x2B).contains(c) || (0x2D...0x3A).contains(c) || (0x3C...0x5B).contains(c) || (0x5D...0x7E).contains(c)
    }

    /// Percent-encodes every byte that is not a baggage-octet, and `%` itself so decoding is exact.
    static func percentEncode(_ s: String) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for c in s.utf8 {
            if isBaggageOctet(c) && c != UInt8(ascii: "%") {
                out.append(c)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 0xF)]]
            }
        }
        return out
    }

    /// Decodes `%XX` escapes (either case); a `%` not followed by two hex digits stays as it is.
    /// Bytes that do not form UTF-8 become U+FFFD.
    static func percentDecode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let a = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(a.count)
        var i = 0
        while i < a.count {
            if a[i] == UInt8(ascii: "%"), i + 2 < a.count, let h = hexValue(a[i + 1]), let l = hexValue(a[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func trimOWS(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, f == 0x20 || f == 0x09 { s.removeFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s.removeLast() }
        return s
    }
}
