// libFuzzer target for the node: one input is what a contact sends on one
// link after HELLO (a byte stream of frames), fed through the node's own
// session code against a real temporary store (PeerFrameHarness). Any broken
// store invariant, trap or sanitizer report is a finding; each one becomes a
// case in Tests/ParleyNodeTests/PeerFrameHarnessTests.swift.
//
// Built only with PARLEY_FUZZ=1 (see Package.swift); run with `make fuzz-node`.

import Foundation
@_spi(Fuzzing) import ParleyNode

/// A fresh store every this many inputs keeps each run fast and the disk small.
private let inputsPerStore = 5_000

nonisolated(unsafe) private var harness: PeerFrameHarness?
nonisolated(unsafe) private var inputs = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if harness == nil || inputs % inputsPerStore == 0 {
        harness?.remove()
        let folder = URL(fileURLWithPath: NSTemporaryDirectory())
            .appending(path: "parley-node-fuzz-\(getpid())-\(inputs)")
        do {
            harness = try PeerFrameHarness(folder: folder)
        } catch {
            fatalError("cannot make the fuzzing store: \(error)")
        }
    }
    inputs += 1
    guard let harness else { return 0 }
    harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    let problems = harness.invariantProblems()
    if !problems.isEmpty {
        fatalError("store invariant broken: \(problems.joined(separator: "; "))")
    }
    return 0
}
