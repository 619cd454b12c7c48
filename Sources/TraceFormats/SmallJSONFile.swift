import TraceConventions
import TraceModel

/// Small hand-written JSON files (price tables, budgets): read whole, with a size bound, and
/// parsed into one `JSONValue`, every problem naming the file and the place.
enum SmallJSONFile {
    /// Such files are small tables; anything bigger is not one.
    static let maximumSize = 16 << 20

    /// The file's bytes; `kind` names what the file should be ("price file").
    static func read(_ path: String, kind: String) throws(TraceFormatError) -> [UInt8] {
        let bytes = try TraceLoader.readFile(path)
        guard bytes.count <= maximumSize else {
            throw TraceFormatError(source: path, message: "larger than \(maximumSize >> 20) MiB; not a \(kind)")
        }
        return bytes
    }

    /// The one JSON value `bytes` hold (a UTF-8 byte-order mark is skipped).
    static func value(_ bytes: [UInt8], path: String) throws(TraceFormatError) -> JSONValue {
        let parsed: Result<JSONValue, TraceFormatError> = bytes.withUnsafeBufferPointer { buf in
            let start = (buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) ? 3 : 0
            var s = JSONScanner(buf, at: start)
            do throws(JSONSyntaxError) {
                let value = try s.readValue()
                s.skipWhitespace()
                if !s.atEnd { throw s.error("unexpected text after the JSON value") }
                return .success(value)
            } catch {
                return .failure(TraceFormatError(source: path, location: .byte(offset: error.offset, line: error.line, column: error.column),
                                                 message: "not valid JSON: \(error.message)"))
            }
        }
        return try parsed.get()
    }
}
