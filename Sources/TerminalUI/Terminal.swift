import CNCurses
import Explorer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the terminal could not be used.
public enum TerminalError: Error, CustomStringConvertible, Equatable {
    /// Standard output is not a terminal (piped or redirected).
    case notATerminal
    /// curses could not start, for example because `TERM` names an unknown terminal.
    case cannotStart(String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .notATerminal:
            return "the explorer needs a terminal, but standard output is not one; "
                + "for a text report use `spanscope summary FILE`"
        case .cannotStart(let why):
            return "cannot start the terminal: \(why)"
        }
    }
}

/// Settings for starting the terminal.
public struct TerminalOptions: Sendable {
    /// Use colours (false for `NO_COLOR` or `--no-color`).
    public var colors: Bool
    /// Report the mouse wheel and clicks (takes over mouse selection in most terminals, so off by default).
    public var mouse: Bool
    /// Allow copying to the terminal's clipboard with OSC 52 (off unless the user asks).
    public var osc52: Bool

    /// Creates options.
    public init(colors: Bool = true, mouse: Bool = false, osc52: Bool = false) {
        self.colors = colors
        self.mouse = mouse
        self.osc52 = osc52
    }
}

/// What became of a request to copy text to the clipboard.
public enum CopyOutcome: Equatable, Sendable {
    /// The OSC 52 sequence went to the terminal (whether it obeys is up to the terminal).
    case sent(bytes: Int)
    /// Copying is off: the user did not pass `--osc52`.
    case disabled
    /// The text is longer than `Clipboard.maximumBytes`.
    case tooLarge(bytes: Int)
}

/// What the terminal reported.
public enum TerminalInput: Equatable, Sendable {
    /// A key.
    case key(Key)
    /// A mouse click or double click (the wheel arrives as keys).
    case mouse(MouseEvent)
    /// The terminal changed size.
    case resize(Size)
    /// SIGINT, SIGTERM or SIGHUP arrived.
    case signal(Int32)
    /// Nothing usable (an unknown key, an interrupted read).
    case nothing
}

/// The ncurses screen: start, read keys, draw frames, stop. Every call stays on the main actor
/// because ncurses is not thread-safe.
@MainActor
public final class Terminal {
    private var screen: OpaquePointer?
    private var input: UnsafeMutablePointer<FILE>?
    private var theme: Theme
    private var pairs: [Int32: Int16] = [:]
    private var looks: [Style: (attr_t, Int16)] = [:]
    private var lastFrame: Screen?
    private var stopped = false
    private let mouse: Bool
    private let osc52: Bool
    private var clicks = ClickTracker()

    /// The key code our SGR mouse prefix (`ESC [ <`) is bound to; above every curses key code.
    static let sgrMouseKey: Int32 = KEY_MAX + 1

    /// The current size.
    public private(set) var size: Size

    /// Starts curses on the controlling terminal.
    ///
    /// Throws `TerminalError.notATerminal` when standard output is not a terminal. When
    /// standard input is not one (a trace piped in), keys are read from `/dev/tty`.
    public init(options: TerminalOptions) throws {
        guard isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        mouse = options.mouse
        osc52 = options.osc52
        Terminal.chooseLocale()

        var inputFile: UnsafeMutablePointer<FILE>? = nil
        if isatty(STDIN_FILENO) == 1 {
            inputFile = spanscope_stdin()
        } else {
            inputFile = fopen("/dev/tty", "r")
            guard inputFile != nil else {
                throw TerminalError.cannotStart("standard input is not a terminal and /dev/tty cannot be opened")
            }
            self.input = inputFile
        }

        // The modes as the user had them, for the crash handler to put back.
        CrashRestore.saveModes(fd: STDOUT_FILENO)
        // Handlers first: ncurses installs its own SIGINT/SIGTERM handlers only where none exist.
        pendingQuitSignal.store(0, ordering: .relaxed)
        Signals.install()

        guard let scr = newterm(nil, spanscope_stdout(), inputFile) else {
            Signals.uninstall()
            let term = getenv("TERM").map { String(cString: $0) } ?? "(unset)"
            throw TerminalError.cannotStart("unknown terminal type TERM=\(term)")
        }
        screen = scr
        set_term(scr)
        cbreak()
        noecho()
        nonl()
        let win = spanscope_stdscr()
        keypad(win, true)
        intrflush(win, false)
        meta(win, true)
        curs_set(0)
        set_escdelay(25)

        var palette = Theme.Palette.monochrome
        if options.colors && has_colors() {
            start_color()
            use_default_colors()
            palette = spanscope_colors() >= 256 && spanscope_color_pairs() >= 64 ? .xterm256 : .ansi8
        }
        theme = Theme(palette: palette)

        if options.mouse {
            // SGR reports (mode 1006) whatever terminfo says: curses would pick the X10 encoding
            // for TERM=screen or tmux, which cannot say columns past 223. The terminal's own mouse
            // key (kmous) is unbound, and `ESC [ <` becomes a key of ours whose report `read` parses.
            define_key(nil, KEY_MOUSE)
            define_key("\u{1B}[<", Terminal.sgrMouseKey)
            Terminal.send(Terminal.mouseOn)
        }

        var rows: Int32 = 0, cols: Int32 = 0
        spanscope_getmaxyx(win, &rows, &cols)
        size = Size(width: Int(cols), height: Int(rows))

        CrashRestore.prepare(restoreSequence: Terminal.leaveSequence(mouse: options.mouse))
    }

    /// The locale from the environment; when it is not UTF-8, C.UTF-8 for characters, because
    /// box drawing and block elements need it.
    private static func chooseLocale() {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        if codeset != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    /// Bytes that leave curses mode, from terminfo (with xterm defaults), for the crash handler.
    private static func leaveSequence(mouse: Bool) -> [UInt8] {
        var out: [UInt8] = []
        func cap(_ name: String, _ fallback: String) {
            if let s = spanscope_tigetstr(name) {
                out += Array(String(cString: s).utf8)
            } else {
                out += Array(fallback.utf8)
            }
        }
        if mouse { out += Terminal.mouseOff }
        cap("sgr0", "\u{1B}[m")
        cap("cnorm", "\u{1B}[?25h")
        cap("rmkx", "")
        cap("rmcup", "\u{1B}[?1049l")
        out += Array("\r\n".utf8)
        return out
    }

    /// Button presses and releases (1000), in SGR encoding (1006).
    static let mouseOn = Array("\u{1B}[?1000h\u{1B}[?1006h".utf8)
    /// Every mouse mode off, including the drag modes in case something else set them.
    static let mouseOff = Array("\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l".utf8)

    /// Writes bytes straight to the terminal, past curses (which has already flushed its frame).
    private static func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, spanscope_stdout()) }
        fflush(spanscope_stdout())
    }

    /// Puts `text` on the clipboard of the user's terminal with OSC 52, when the user allowed it.
    public func copyToClipboard(_ text: String) -> CopyOutcome {
        guard osc52 else { return .disabled }
        guard let sequence = Clipboard.osc52(text) else { return .tooLarge(bytes: text.utf8.count) }
        Terminal.send(sequence)
        return .sent(bytes: text.utf8.count)
    }

    /// How long `read` waits now, in milliseconds (-1: until a key arrives).
    private var readTimeout: Int32 = -1

    /// Waits for the next key, resize or quit signal; with `timeoutMillis` of 0 or more, at most
    /// that long (then `.nothing`).
    public func read(timeoutMillis: Int32 = -1) -> TerminalInput {
        if timeoutMillis != readTimeout {
            readTimeout = timeoutMillis
            wtimeout(spanscope_stdscr(), timeoutMillis)
        }
        let sig = pendingQuitSignal.load(ordering: .relaxed)
        if sig != 0 { return .signal(sig) }
        var ch: wint_t = 0
        let r = get_wch(&ch)
        let after = pendingQuitSignal.load(ordering: .relaxed)
        if after != 0 { return .signal(after) }
        if r == ERR { return .nothing }
        if r == KEY_CODE_YES {
            let code = Int32(bitPattern: ch)
            if code == KEY_RESIZE {
                var rows: Int32 = 0, cols: Int32 = 0
                spanscope_getmaxyx(spanscope_stdscr(), &rows, &cols)
                size = Size(width: Int(cols), height: Int(rows))
                lastFrame = nil
                erase()
                return .resize(size)
            }
            if code == Terminal.sgrMouseKey {
                return readMouseReport()
            }
            return Terminal.decode(keyCode: code).map(TerminalInput.key) ?? .nothing
        }
        return Terminal.decode(character: UInt32(ch)).map(TerminalInput.key) ?? .nothing
    }

    /// The rest of an SGR mouse report after `ESC [ <`: up to the final `M` or `m`, which the
    /// terminal sends in the same write, so a short wait is plenty.
    private func readMouseReport() -> TerminalInput {
        wtimeout(spanscope_stdscr(), 50)
        readTimeout = 50
        var body: [UInt8] = []
        while body.count < 24 {
            var ch: wint_t = 0
            let r = get_wch(&ch)
            guard r == OK, ch < 0x80 else { return .nothing }
            body.append(UInt8(ch))
            if ch == 0x4D || ch == 0x6D { break }   // M, m
        }
        guard let report = SGRMouseReport.parse(body) else { return .nothing }
        return report.input(clicks: &clicks, millis: ExplorerApp.monotonicMillis())
    }

    /// The key for a curses function-key code.
    nonisolated static func decode(keyCode: Int32) -> Key? {
        switch keyCode {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME, KEY_FIND, KEY_A1: return .home
        case KEY_END, KEY_SELECT, KEY_C1: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_BTAB: return .backTab
        default: return nil
        }
    }

    /// The key for a character that `get_wch` returned.
    nonisolated static func decode(character v: UInt32) -> Key? {
        switch v {
        case 0x0A, 0x0D: return .enter
        case 0x1B: return .escape
        case 0x09: return .tab
        case 0x08, 0x7F: return .backspace
        case 0x01...0x1A: return .control(Character(UnicodeScalar(UInt8(v + 0x60))))
        default:
            guard v >= 0x20, let scalar = UnicodeScalar(v) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// Draws `frame`, sending only the cells that changed since the last frame.
    public func draw(_ frame: Screen) {
        let runs = frame.changes(since: lastFrame)
        var buffer = [wchar_t](repeating: 0, count: 6)
        for run in runs {
            var col = run.column
            for cell in run.cells {
                defer { col += 1 }
                if cell.isContinuation { continue }
                var n = 0
                for scalar in cell.text.unicodeScalars where n < 5 {
                    buffer[n] = wchar_t(bitPattern: scalar.value)
                    n += 1
                }
                buffer[n] = 0
                let (attr, pair) = attributes(for: cell.style)
                var cc = cchar_t()
                setcchar(&cc, buffer, attr, pair, nil)
                mvadd_wch(Int32(run.row), Int32(col), &cc)
            }
        }
        lastFrame = frame
        refresh()
    }

    /// Forgets the last frame so that the next one is drawn in full.
    public func invalidate() {
        lastFrame = nil
        clearok(spanscope_curscr(), true)
    }

    private func attributes(for style: Style) -> (attr_t, Int16) {
        if let known = looks[style] { return known }
        let l = theme.look(style)
        var a: attr_t = 0
        if l.bold { a |= spanscope_a_bold() }
        if l.dim { a |= spanscope_a_dim() }
        if l.underline { a |= spanscope_a_underline() }
        if l.reverse { a |= spanscope_a_reverse() }
        var pair: Int16 = 0
        if l.foreground != -1 || l.background != -1 {
            let key = Int32(l.foreground) << 16 | Int32(UInt16(bitPattern: l.background))
            if let p = pairs[key] {
                pair = p
            } else if pairs.count + 1 < Int(spanscope_color_pairs()) {
                pair = Int16(pairs.count + 1)
                init_pair(pair, l.foreground, l.background)
                pairs[key] = pair
            }
        }
        looks[style] = (a, pair)
        return (a, pair)
    }

    /// Leaves curses mode and puts the terminal back as it was. Safe to call twice.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if mouse { Terminal.send(Terminal.mouseOff) }
        curs_set(1)
        endwin()
        if let s = screen { delscreen(s) }
        screen = nil
        if let f = input { fclose(f) }
        input = nil
        CrashRestore.disarm()
        Signals.uninstall()
    }
}
