import TraceAnalysis
import TraceModel

/// A key press, decoded by the terminal backend.
public enum Key: Hashable, Sendable {
    /// A printable character (Space included).
    case character(Character)
    /// Ctrl plus a letter, lowercase (`control("d")` is Ctrl-D).
    case control(Character)
    /// Arrow keys.
    case up, down, left, right
    /// Page keys.
    case pageUp, pageDown
    /// Home and End.
    case home, end
    /// Enter or Return.
    case enter
    /// Escape.
    case escape
    /// Tab and Shift-Tab.
    case tab, backTab
    /// Backspace.
    case backspace
    /// Mouse wheel.
    case wheelUp, wheelDown

    /// How help texts write this key.
    public var label: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "Ctrl-" + String(c).uppercased()
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .wheelUp: return "wheel↑"
        case .wheelDown: return "wheel↓"
        }
    }
}

/// Something the user (or the runner) asks the explorer to do; `update` turns it into a new state.
public enum Action: Hashable, Sendable {
    // Moving around.
    /// Selection (or scroll) one row up.
    case up
    /// Selection (or scroll) one row down.
    case down
    /// One page up.
    case pageUp
    /// One page down.
    case pageDown
    /// Half a page up.
    case halfPageUp
    /// Half a page down.
    case halfPageDown
    /// First row.
    case top
    /// Last row.
    case bottom

    // The tree.
    /// Collapse the selected span, or go to its parent when it is already collapsed or a leaf.
    case collapseOrParent
    /// Expand the selected span, or go to its first child when it is already expanded.
    case expandOrChild
    /// Toggle the selected span.
    case toggle
    /// Enter: details of an LLM span, otherwise toggle.
    case activate
    /// Expand every span.
    case expandAll
    /// Collapse every span.
    case collapseAll
    /// Show this many levels below the roots.
    case collapseToDepth(Int)

    // The waterfall.
    /// Halve the visible time range around the selection.
    case zoomIn
    /// Double the visible time range.
    case zoomOut
    /// Show the whole trace.
    case zoomReset
    /// Move the time range earlier.
    case panLeft
    /// Move the time range later.
    case panRight
    /// Select the next span on the critical path.
    case nextCritical
    /// Turn Jaeger-style clock-skew adjustment on or off.
    case toggleClockSkew

    // Panels and views.
    /// Show or hide the side panel.
    case togglePanel
    /// Next pane in narrow layouts (tree, waterfall, panel).
    case nextPane
    /// Details of the selected span (the LLM call view for LLM spans).
    case openDetail
    /// Write the selected span (and its LLM call) to a JSON file.
    case export
    /// Write the selected span and its descendants as OTLP JSON (a file spanscope opens again).
    case exportSubtree
    /// Write the whole trace as OTLP JSON.
    case exportTrace
    /// Copy the selected value to the terminal's clipboard: the span id in the trace, the trace
    /// id in the list, the paragraph at the top of a details page (an attribute, a message).
    case copy
    /// The help screen.
    case help
    /// The reader's warnings about the file.
    case warnings
    /// The list of traces.
    case traceList
    /// Leave the current view or clear the search.
    case back
    /// Quit.
    case quit

    // Finding.
    /// Start typing a search.
    case startSearch
    /// Next search match.
    case nextMatch
    /// Previous search match.
    case previousMatch
    /// Show only matches and their ancestors (toggle).
    case toggleFilter
    /// Next span with an error.
    case nextError
    /// The next span by self time, slowest first (the first press starts the walk).
    case slowest
    /// The previous span by self time.
    case slowestBack
    /// The next LLM call by cost, costliest first (the first press starts the walk).
    case costliest
    /// The previous LLM call by cost.
    case costliestBack

    // The trace list.
    /// Open the selected trace.
    case openTrace
    /// Sort by the next column.
    case cycleSort
    /// Sort by the previous column.
    case cycleSortBack
    /// Reverse the sort order.
    case reverseSort
    /// Mark (or unmark) the selected trace as A of a comparison.
    case markTrace
    /// Compare the marked trace (A) with the selected one (B).
    case compareWithMarked
    /// Run a backend search again for a fresh trace list.
    case refresh

    // Stats, sessions and LLM calls (the workbench views).
    /// The stats table over the traces shown in the list, or over the open trace.
    case openStats
    /// The sessions (conversations) among the traces shown in the list.
    case openSessions
    /// Every LLM call of the traces shown in the list, or of the open trace, ranked.
    case openCalls
    /// Group the stats table by the next of name, model, tool, service, session.
    case cycleGrouping

    // The search prompt.
    /// Add text to the prompt.
    case type(String)
    /// Delete the last character of the prompt.
    case deleteBackward
    /// Run the search.
    case submit
    /// Close the prompt without searching.
    case cancel

    // From the runner.
    /// A mouse click or double click at a screen cell (what lies there decides what it does).
    case mouse(MouseEvent)
    /// The terminal changed size.
    case resize(Size)
    /// The runner finished writing a file that `Command.write` asked for; `error` is nil on success.
    case wrote(path: String, error: String?)
    /// The runner answered `Command.copy`: `error` is nil when the text went to the terminal,
    /// else why it did not (copying is off, or the text is too long).
    case copied(what: String, error: String?)
    /// A live source has a newer version of the document: new traces appear, open ones grow,
    /// the selection and scroll stay where they were.
    case documentUpdated(LiveUpdate)
    /// The index scan of a large file found more (`IndexBatch`): the list fills in, the
    /// selection stays on its trace, the sort and filter apply to the new rows.
    case indexProgress(IndexBatch)
    /// The runner answered `Command.decodeTrace`: the trace, or why it could not be read.
    case traceDecoded(DecodedTrace)
    /// The runner answered `Command.fetchTrace` or `Command.search`.
    case remoteAnswered(RemoteAnswer)
    /// The runner answered `Command.computeWorkbench` or `Command.indexStats`: the table fills
    /// its waiting level if that is still on screen, else the answer is dropped.
    case workbenchComputed(WorkbenchAnswer)
    /// How far `Command.indexStats` or `Command.indexTable` with this ticket got: `read` of the index's `total` traces.
    case workbenchProgress(ticket: Int, read: Int, total: Int)
}

/// A side effect that `update` asks the runner to perform (bubbletea-style); results come back as actions.
public enum Command: Hashable, Sendable {
    /// Stop the program.
    case quit
    /// Write `contents` to a new file in the export directory, named `fileName`; answer with `Action.wrote`.
    case write(fileName: String, contents: String)
    /// Put `text` on the terminal's clipboard (OSC 52, when the user allowed it); `what` names it
    /// for the answer, `Action.copied`.
    case copy(text: String, what: String)
    /// Read one trace of an indexed file from disk (off the UI thread); answer with `Action.traceDecoded`.
    case decodeTrace(TraceID)
    /// Fetch the whole trace `id` from the backend the list came from; answer with `Action.remoteAnswered`.
    case fetchTrace(ticket: Int, id: TraceID)
    /// Run the backend search again; answer with `Action.remoteAnswered`.
    case search(ticket: Int)
    /// Work out a workbench table off the UI thread (`WorkbenchJob.run`); answer with `Action.workbenchComputed`.
    case computeWorkbench(WorkbenchJob)
    /// The table `Command.computeWorkbench` with this ticket works out is no longer wanted (Esc,
    /// or the user left): stop it at its next chunk. Nothing answers.
    case stopWorkbench(ticket: Int)
    /// Work out the stats table by `by` over the traces of a file read through its index that
    /// match `query` ("" for all), a batch of traces at a time; answer with `Action.workbenchComputed`
    /// (`WorkbenchAnswer(ticket:stats:)`).
    case indexStats(ticket: Int, by: StatsGrouping, query: String)
    /// Work out the LLM calls, a stats group's spans or a session's thread of a file read
    /// through its index, reading its traces from the file one at a time (`IndexJob.run`); answer
    /// with `Action.workbenchComputed`, progress as `Action.workbenchProgress`.
    case indexTable(IndexJob)
    /// The table `Command.indexStats` or `Command.indexTable` with this ticket works out is no
    /// longer wanted (Esc): stop reading the file for it. Nothing answers.
    case stopIndexStats(ticket: Int)
}

extension Action {
    /// The row a movement key takes a selection at `row` to, in a table whose last row is `last`
    /// with `page` rows on screen (nil: not a movement key). The caller clamps.
    func movedRow(from row: Int, last: Int, page: Int) -> Int? {
        switch self {
        case .up: return row - 1
        case .down: return row + 1
        case .pageUp: return row - page
        case .pageDown: return row + page
        case .halfPageUp: return row - page / 2
        case .halfPageDown: return row + page / 2
        case .top: return 0
        case .bottom: return last
        default: return nil
        }
    }
}
