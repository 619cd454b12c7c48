/// The raw form of a trace or span identifier as it appeared in a file.
///
/// Real files carry W3C hex ids (16 or 32 hex digits), UUID strings (the seed's tracer uses
/// `uuid4()`), base64 ids (protobuf-JSON exporters) and, in hand-written or foreign files,
/// arbitrary text. Hex and UUID forms are stored as integers so that hashing and comparing
/// them costs no allocation; anything else keeps its text.
public enum Identifier: Hashable, Sendable {
    /// 8 bytes, written as 16 lowercase hex digits.
    case bits64(UInt64)
    /// 16 bytes, written as 32 lowercase hex digits.
    case bits128(high: UInt64, low: UInt64)
    /// 16 bytes, written as a dashed UUID (8-4-4-4-12).
    case uuid(high: UInt64, low: UInt64)
    /// Anything else, kept verbatim.
    case text(String)

    /// Parses an identifier from its text: hex, UUID, base64 of 8 or 16 bytes, else verbatim.
    public init(parsing text: String) {
        var copy = text
        self = copy.withUTF8 { Identifier(utf8: $0) }
    }

    /// Parses an identifier from UTF-8 bytes (see `init(parsing:)`).
    public init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        switch bytes.count {
        case 16:
            if let v = Identifier.hex(bytes, 0, 16) { self = .bits64(v); return }
        case 32:
            if let hi = Identifier.hex(bytes, 0, 16), let lo = Identifier.hex(bytes, 16, 32) {
                self = .bits128(high: hi, low: lo); return
            }
        case 36:
            if bytes[8] == 0x2D, bytes[13] == 0x2D, bytes[18] == 0x2D, bytes[23] == 0x2D,
               let a = Identifier.hex(bytes, 0, 8), let b = Identifier.hex(bytes, 9, 13),
               let c = Identifier.hex(bytes, 14, 18), let d = Identifier.hex(bytes, 19, 23),
               let e = Identifier.hex(bytes, 24, 36) {
                self = .uuid(high: a << 32 | b << 16 | c, low: d << 48 | e); return
            }
        case 12, 24:
            // Base64 of 8 or 16 bytes, as protobuf's JSON mapping writes `bytes` fields.
            if let raw = Identifier.base64(bytes) {
                if raw.count == 8 { self = .bits64(Identifier.bigEndian(raw, 0)); return }
                if raw.count == 16 {
                    self = .bits128(high: Identifier.bigEndian(raw, 0), low: Identifier.bigEndian(raw, 8)); return
                }
            }
        default:
            break
        }
        self = .text(String(decoding: bytes, as: UTF8.self))
    }

    /// True for ids that the W3C and OTLP specs call invalid: all zero bytes or empty text.
    public var isZero: Bool {
        switch self {
        case .bits64(let v): return v == 0
        case .bits128(let h, let l), .uuid(let h, let l): return h == 0 && l == 0
        case .text(let s): return s.isEmpty
        }
    }

    /// The identifier as it is written: lowercase hex, dashed UUID, or the original text.
    public var text: String {
        switch self {
        case .bits64(let v): return Identifier.hexString(v, digits: 16)
        case .bits128(let h, let l): return Identifier.hexString(h, digits: 16) + Identifier.hexString(l, digits: 16)
        case .uuid(let h, let l):
            let hex = Identifier.hexString(h, digits: 16) + Identifier.hexString(l, digits: 16)
            var out = ""
            out.reserveCapacity(36)
            for (i, c) in hex.enumerated() {
                if i == 8 || i == 12 || i == 16 || i == 20 { out.append("-") }
                out.append(c)
            }
            return out
        case .text(let s): return s
        }
    }

    /// Lowercase hex of `value`, left-padded with zeros to `digits`.
    public static func hexString(_ value: UInt64, digits: Int) -> String {
        let table: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: digits) { buffer in
            var v = value
            for i in stride(from: digits - 1, through: 0, by: -1) {
                buffer[i] = table[Int(v & 0xF)]
                v >>= 4
            }
            return digits
        }
    }

    private static func hex(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UInt64? {
        var v: UInt64 = 0
        for i in from..<to {
            let c = b[i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c &- 0x30
            case 0x61...0x66: d = c &- 0x61 &+ 10
            case 0x41...0x46: d = c &- 0x41 &+ 10
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    private static func bigEndian(_ raw: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in at..<at + 8 { v = v << 8 | UInt64(raw[i]) }
        return v
    }

    /// Decodes standard or URL-safe base64 with padding; nil when the text is not base64.
    public static func base64(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard b.count % 4 == 0, b.count > 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 4 * 3)
        var acc: UInt32 = 0
        var bits = 0
        var padding = 0
        for (i, c) in b.enumerated() {
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = UInt32(c - 0x41)
            case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case 0x2B, 0x2D: v = 62
            case 0x2F, 0x5F: v = 63
            case 0x3D:
                // '=' only as trailing padding
                guard i >= b.count - 2 else { return nil }
                padding += 1
                continue
            default: return nil
            }
            if padding > 0 { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }
}

/// Identifies a trace. Wraps the `Identifier` the file used.
public struct TraceID: Hashable, Sendable, CustomStringConvertible {
    /// The identifier as read.
    public var raw: Identifier
    /// Wraps a raw identifier.
    public init(_ raw: Identifier) { self.raw = raw }
    /// Parses hex, UUID, base64 or verbatim text.
    public init(_ text: String) { self.raw = Identifier(parsing: text) }
    /// The id as it is written (lowercase hex for hex ids).
    public var description: String { raw.text }
}

/// Identifies a span within a trace. Wraps the `Identifier` the file used.
public struct SpanID: Hashable, Sendable, CustomStringConvertible {
    /// The identifier as read.
    public var raw: Identifier
    /// Wraps a raw identifier.
    public init(_ raw: Identifier) { self.raw = raw }
    /// Parses hex, UUID, base64 or verbatim text.
    public init(_ text: String) { self.raw = Identifier(parsing: text) }
    /// The id as it is written (lowercase hex for hex ids).
    public var description: String { raw.text }
}
