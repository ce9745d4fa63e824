import ParleyCore
import Testing

/// The port-mapping lease schedule as a table: each row is a story of results reported at
/// given seconds, with what the schedule must say to do at given seconds.
@Suite("Port-mapping schedule", .timeLimit(.minutes(1)))
struct PortMappingScheduleTests {
    enum Expected: Equatable, Sendable {
        case map([PortMappingMethod])
        case wait(seconds: Int)
        case remove
        case finished
    }

    enum Op: Sendable {
        /// What `next` says at second `at`, and whether a mapping is held after it.
        case expect(at: Int, Expected, held: Bool)
        case succeed(at: Int, PortMappingMethod, lifetime: Int?)
        case fail(at: Int)
        case stop
        case removed
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var ops: [Op]
        var testDescription: String { name }
    }

    static let both: [PortMappingMethod] = [.natPMP, .upnp]
    static let upnpFirst: [PortMappingMethod] = [.upnp, .natPMP]

    static let rows: [Row] = [
        Row(name: "maps at once, NAT-PMP first", ops: [
            .expect(at: 0, .map(both), held: false),
        ]),
        Row(name: "renews at half the lease", ops: [
            .succeed(at: 0, .natPMP, lifetime: 3600),
            .expect(at: 1, .wait(seconds: 1800), held: true),
            .expect(at: 1799, .wait(seconds: 1800), held: true),
            .expect(at: 1800, .map(both), held: true),
            .succeed(at: 1801, .natPMP, lifetime: 600),
            .expect(at: 1802, .wait(seconds: 2101), held: true),
        ]),
        Row(name: "the method that worked is tried first again", ops: [
            .succeed(at: 0, .upnp, lifetime: 120),
            .expect(at: 60, .map(upnpFirst), held: true),
            .fail(at: 60),
            .fail(at: 200),
            .expect(at: 400, .map(upnpFirst), held: false),
        ]),
        Row(name: "a permanent mapping is checked again every 30 minutes", ops: [
            .succeed(at: 0, .upnp, lifetime: nil),
            .expect(at: 10, .wait(seconds: 1800), held: true),
            .expect(at: 100_000, .map(upnpFirst), held: true),
        ]),
        Row(name: "a zero lease counts as permanent", ops: [
            .succeed(at: 0, .upnp, lifetime: 0),
            .expect(at: 5000, .map(upnpFirst), held: true),
        ]),
        Row(name: "failures back off 30 s, 60 s, 120 s … at most 30 minutes", ops: [
            .fail(at: 0),
            .expect(at: 29, .wait(seconds: 30), held: false),
            .expect(at: 30, .map(both), held: false),
            .fail(at: 30),
            .expect(at: 31, .wait(seconds: 90), held: false),
            .fail(at: 90),
            .expect(at: 91, .wait(seconds: 210), held: false),
            .fail(at: 210), .fail(at: 500), .fail(at: 1000), .fail(at: 2000), .fail(at: 4000),
            .expect(at: 4001, .wait(seconds: 5800), held: false),
            .fail(at: 6000),
            .expect(at: 6001, .wait(seconds: 7800), held: false),
        ]),
        Row(name: "success resets the back-off", ops: [
            .fail(at: 0), .fail(at: 30), .fail(at: 90),
            .succeed(at: 210, .natPMP, lifetime: 3600),
            .expect(at: 2010, .map(both), held: true),
            .fail(at: 2010),
            .expect(at: 2011, .wait(seconds: 2040), held: true),
        ]),
        Row(name: "a failed renewal keeps the mapping until its lease ends, retrying within it", ops: [
            .succeed(at: 0, .natPMP, lifetime: 100),
            .expect(at: 50, .map(both), held: true),
            .fail(at: 50),                                   // 50 s left: retry in 25 s, not 30
            .expect(at: 51, .wait(seconds: 75), held: true),
            .fail(at: 75),                                   // 25 s left: 12.5 s
            .expect(at: 76, .wait(seconds: 87), held: true),  // (75 + 12.5, shown in whole seconds)
            .fail(at: 90),                                   // 10 s left: at least 5 s
            .expect(at: 94, .wait(seconds: 95), held: true),
            .expect(at: 100, .map(both), held: false),       // the lease is over: gone
        ]),
        Row(name: "stop removes the mapping once, then finishes", ops: [
            .succeed(at: 0, .upnp, lifetime: 3600),
            .stop,
            .expect(at: 1, .remove, held: true),
            .removed,
            .expect(at: 2, .finished, held: false),
        ]),
        Row(name: "stop without a mapping finishes at once", ops: [
            .fail(at: 0),
            .stop,
            .expect(at: 1, .finished, held: false),
        ]),
        Row(name: "stop after the lease ran out removes nothing", ops: [
            .succeed(at: 0, .natPMP, lifetime: 100),
            .fail(at: 50), .fail(at: 75),
            .stop,
            .expect(at: 101, .finished, held: false),
        ]),
    ]

    @Test(arguments: rows)
    func schedule(_ row: Row) {
        let start = ContinuousClock.now
        func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }
        var schedule = PortMappingSchedule()
        for op in row.ops {
            switch op {
            case .succeed(let time, let method, let lifetime):
                schedule.succeeded(PortMapping(method: method, externalHost: "198.51.100.20", externalPort: 29172,
                                               internalPort: 29172, lifetime: lifetime.map { .seconds($0) }),
                                   at: at(time))
            case .fail(let time):
                schedule.failed(at: at(time))
            case .stop:
                schedule.stop()
            case .removed:
                schedule.removed()
            case .expect(let time, let expected, let held):
                let step = schedule.next(at: at(time))
                let actual: Expected = switch step {
                case .map(let methods): .map(methods)
                case .wait(let until): .wait(seconds: Int(start.duration(to: until).components.seconds))
                case .remove: .remove
                case .finished: .finished
                }
                #expect(actual == expected, "at \(time) s")
                #expect((schedule.mapping != nil) == held, "mapping held at \(time) s")
            }
        }
    }

    @Test func retryDelays() {
        #expect((1...8).map { PortMappingSchedule.retryDelay(afterFailures: $0) }
            == [30, 60, 120, 240, 480, 960, 1800, 1800].map { Duration.seconds($0) })
        #expect(PortMappingSchedule.retryDelay(afterFailures: 1000) == .seconds(1800))
    }

    @Test func describesAMapping() {
        let mapping = PortMapping(method: .natPMP, externalHost: "198.51.100.20", externalPort: 40000, internalPort: 29172,
                                  lifetime: .seconds(3600))
        #expect(mapping.description == "198.51.100.20:40000 → port 29172 (NAT-PMP, lease 3600 s)")
        #expect(mapping.external == PeerAddress(host: "198.51.100.20", port: 40000))
    }
}
