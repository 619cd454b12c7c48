/// What a piece of text means, as a foreground colour role; the terminal backend picks the
/// actual colour (or, under `NO_COLOR`, an attribute or nothing).
public enum Ink: UInt8, Hashable, Sendable, CaseIterable {
    /// The terminal's default foreground.
    case normal
    /// Secondary text: services, units, guides, hints.
    case muted
    /// Titles and headings.
    case accent
    /// Errors: failed spans, their bars, error counts.
    case error
    /// Warnings: model flags on spans, best-effort views, unpriced calls.
    case warning
    /// LLM spans: names, bars, token and cost badges.
    case llm
    /// Critical-path segments and markers.
    case critical
    /// Plain span bars in the waterfall.
    case bar
    /// Characters from a trace that were made inert (`^[`, `\u{202E}`).
    case escaped
    /// Good news: successful status, positive totals.
    case good
    /// Services of a multi-service trace, one slot each (`ServiceColours`): names, bars, legend.
    case service1, service2, service3, service4, service5, service6

    /// The service slots, in palette order.
    public static let services: [Ink] = [.service1, .service2, .service3, .service4, .service5, .service6]

    /// Short name for style legends in screen tests.
    public var name: String {
        switch self {
        case .normal: return "normal"
        case .muted: return "muted"
        case .accent: return "accent"
        case .error: return "error"
        case .warning: return "warning"
        case .llm: return "llm"
        case .critical: return "critical"
        case .bar: return "bar"
        case .escaped: return "escaped"
        case .good: return "good"
        case .service1: return "service1"
        case .service2: return "service2"
        case .service3: return "service3"
        case .service4: return "service4"
        case .service5: return "service5"
        case .service6: return "service6"
        }
    }
}

/// What a background means; the backend maps it to a colour or to reverse video.
public enum Paper: UInt8, Hashable, Sendable, CaseIterable {
    /// The terminal's default background.
    case normal
    /// The selected row.
    case selection
    /// Search matches.
    case match
    /// Title and status bars.
    case bar

    /// Short name for style legends in screen tests.
    public var name: String {
        switch self {
        case .normal: return "normal"
        case .selection: return "selection"
        case .match: return "match"
        case .bar: return "bar"
        }
    }
}

/// Attributes that survive monochrome terminals.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bold (or bright).
    public static let bold = TextAttributes(rawValue: 1)
    /// Underlined.
    public static let underline = TextAttributes(rawValue: 2)
    /// Foreground and background swapped; used by the waterfall for left-open partial blocks.
    public static let reverse = TextAttributes(rawValue: 4)
    /// Dim (faint).
    public static let dim = TextAttributes(rawValue: 8)
}

/// The look of one cell: semantic ink and paper plus attributes.
public struct Style: Hashable, Sendable {
    /// Foreground role.
    public var ink: Ink
    /// Background role.
    public var paper: Paper
    /// Attributes.
    public var attributes: TextAttributes

    /// Creates a style.
    public init(ink: Ink = .normal, paper: Paper = .normal, attributes: TextAttributes = []) {
        self.ink = ink
        self.paper = paper
        self.attributes = attributes
    }

    /// The default look.
    public static let plain = Style()

    /// This style with another ink.
    public func ink(_ ink: Ink) -> Style { Style(ink: ink, paper: paper, attributes: attributes) }
    /// This style with another paper.
    public func paper(_ paper: Paper) -> Style { Style(ink: ink, paper: paper, attributes: attributes) }
    /// This style with attributes added.
    public func adding(_ a: TextAttributes) -> Style { Style(ink: ink, paper: paper, attributes: attributes.union(a)) }

    /// Human-readable description for screen-test legends, such as `ink=error paper=selection bold`.
    public var legend: String {
        var parts: [String] = []
        if ink != .normal { parts.append("ink=" + ink.name) }
        if paper != .normal { parts.append("paper=" + paper.name) }
        if attributes.contains(.bold) { parts.append("bold") }
        if attributes.contains(.underline) { parts.append("underline") }
        if attributes.contains(.reverse) { parts.append("reverse") }
        if attributes.contains(.dim) { parts.append("dim") }
        return parts.isEmpty ? "plain" : parts.joined(separator: " ")
    }
}
