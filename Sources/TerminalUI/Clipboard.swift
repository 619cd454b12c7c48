/// Copying text to the clipboard of the terminal the user sits at, over OSC 52:
/// `ESC ] 52 ; c ; <base64 of the text> BEL`. It works through ssh and tmux (with
/// `set-clipboard on`) where no local clipboard tool can. Only the user turns it on
/// (`--osc52`, or `SPANSCOPE_OSC52=1`); a trace never can.
/// Source: XTerm Control Sequences, "Operating System Commands", Ps = 5 2,
/// https://invisible-island.net/xterm/ctlseqs/ctlseqs.html#h3-Operating-System-Commands
public enum Clipboard {
    /// The most bytes of text one copy sends: plenty for an id, a key or a message, and small
    /// enough that a huge attribute cannot flood the terminal (several terminals drop longer
    /// OSC 52 strings silently).
    public static let maximumBytes = 64 * 1024

    /// The escape sequence that puts `text` on the clipboard, or nil when it is longer than
    /// `maximumBytes`. The text travels as base64, so nothing in it can act as a control code.
    public static func osc52(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumBytes else { return nil }
        return Array("\u{1B}]52;c;".utf8) + base64(bytes) + [0x07]
    }

    /// Standard base64 with padding (RFC 4648 §4).
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return out
    }
}
