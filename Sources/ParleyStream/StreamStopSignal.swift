import NIOConcurrencyHelpers

/// Asks running stream loops to end cleanly (send BYE, complete the files) — set from a
/// signal handler; the loops look at it every frame or tick.
public final class StreamStopSignal: Sendable {
    private let requested = NIOLockedValueBox(false)

    public init() {}

    public func request() {
        requested.withLockedValue { $0 = true }
    }

    public var isRequested: Bool {
        requested.withLockedValue { $0 }
    }
}

/// A value shared between a stream loop and the statistics reporter.
final class SharedValue<Value: Sendable>: Sendable {
    private let box: NIOLockedValueBox<Value>

    init(_ value: Value) {
        box = NIOLockedValueBox(value)
    }

    var value: Value {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }

    /// Returns the value and puts `replacement` in its place.
    func exchange(_ replacement: Value) -> Value {
        box.withLockedValue { value in
            defer { value = replacement }
            return value
        }
    }

    func update(_ change: (inout Value) -> Void) {
        box.withLockedValue { change(&$0) }
    }
}
