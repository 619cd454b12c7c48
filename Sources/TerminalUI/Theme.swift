import Explorer

/// How the explorer's semantic styles look on a terminal: colours when allowed, attributes otherwise.
///
/// Colours are picked to read on dark and light backgrounds alike: text keeps the terminal's
/// default foreground and background, roles use mid-luminance colours (256-colour palette when
/// available, the eight ANSI colours otherwise), and the selection and bars use reverse video,
/// which every terminal shows legibly.
public struct Theme: Sendable {
    /// Colour support to use.
    public enum Palette: Sendable, Equatable {
        /// No colours: `NO_COLOR`, `--no-color`, or a monochrome terminal.
        case monochrome
        /// The eight ANSI colours (plus default).
        case ansi8
        /// The xterm 256-colour palette.
        case xterm256
    }

    /// A resolved look: attribute bits (abstract) and colours (-1 = terminal default).
    public struct Look: Hashable, Sendable {
        /// Bold.
        public var bold = false
        /// Dim.
        public var dim = false
        /// Underline.
        public var underline = false
        /// Reverse video.
        public var reverse = false
        /// Foreground colour index, -1 for the default.
        public var foreground: Int16 = -1
        /// Background colour index, -1 for the default.
        public var background: Int16 = -1
    }

    /// The palette in use.
    public let palette: Palette

    /// Creates a theme for a palette.
    public init(palette: Palette) { self.palette = palette }

    /// The look of `style`.
    public func look(_ style: Style) -> Look {
        var l = Look()
        let a = style.attributes
        l.bold = a.contains(.bold)
        l.underline = a.contains(.underline)
        l.reverse = a.contains(.reverse)
        l.dim = a.contains(.dim)
        switch palette {
        case .monochrome:
            switch style.ink {
            case .accent, .error, .critical, .warning: l.bold = true
            case .muted: l.dim = true
            case .escaped: l.underline = true
            case .normal, .llm, .bar, .good: break
            // Without colour the service name on the row tells services apart.
            case .service1, .service2, .service3, .service4, .service5, .service6: break
            }
            switch style.paper {
            case .normal: break
            case .selection, .bar: l.reverse.toggle()
            case .match: l.underline = true; l.bold = true
            }
        case .ansi8, .xterm256:
            let wide = palette == .xterm256
            switch style.ink {
            case .normal: break
            case .accent: l.bold = true
            case .muted: if wide { l.foreground = 244 } else { l.dim = true }
            case .error: l.foreground = wide ? 160 : 1
            case .warning: l.foreground = wide ? 172 : 3
            case .llm: l.foreground = wide ? 98 : 5
            case .critical: l.foreground = wide ? 202 : 3; l.bold = true
            case .bar: l.foreground = wide ? 67 : 4
            case .escaped: l.foreground = wide ? 127 : 5; l.underline = true
            case .good: l.foreground = wide ? 28 : 2
            case .service1, .service2, .service3, .service4, .service5, .service6:
                // Eight-colour terminals have three hues left over (cyan, green, blue): the
                // other three slots are their bold forms.
                let slot = Int(style.ink.rawValue - Ink.service1.rawValue)
                let wideColours: [Int16] = [37, 71, 68, 137, 133, 109]
                let basic: [Int16] = [6, 2, 4]
                if wide { l.foreground = wideColours[slot] } else { l.foreground = basic[slot % 3]; l.bold = l.bold || slot >= 3 }
            }
            switch style.paper {
            case .normal: break
            case .selection, .bar: l.reverse.toggle()
            case .match:
                l.background = wide ? 228 : 3
                if l.foreground == -1 || l.foreground == 3 || l.foreground == 172 { l.foreground = wide ? 16 : 0 }
            }
        }
        return l
    }
}
