import Foundation
@testable import ParleyMedia
import Testing

/// The pieces a group call shares between its legs: one sink mixing every participant's
/// audio, one microphone and one camera read by every leg.
@Suite("Group call media: mixer and shared capture", .timeLimit(.minutes(1)))
struct GroupMediaTests {
    final class RecordingSink: AudioSink {
        var frames: [[Int16]] = []
        var finished = false
        func write(_ samples: [Int16]) throws { frames.append(samples) }
        func finish() throws { finished = true }
        var framesDropped: Int { 0 }
        var playoutCorrectionNanoseconds: Int64 { 0 }
        var hasClock: Bool { false }
    }

    final class CountingSource: AudioSource {
        var next = 0
        let last: Int
        init(last: Int) { self.last = last }
        func nextFrame() async throws -> (samples: [Int16], captureTime: UInt64)? { try nextFrameBlocking() }
        func nextFrameBlocking() throws -> (samples: [Int16], captureTime: UInt64)? {
            guard next < last else { return nil }
            next += 1
            return ([Int16](repeating: Int16(next), count: 960), UInt64(next))
        }
    }

    @Test("One input passes its frames through unchanged, of any length")
    func oneInputPassesThrough() throws {
        let sink = RecordingSink(), mixer = AudioMixer(sink: sink)
        let input = mixer.input()
        try input.write([1, 2, 3])
        try input.write([Int16](repeating: 7, count: 960))
        #expect(sink.frames == [[1, 2, 3], [Int16](repeating: 7, count: 960)])
    }

    @Test("Two inputs: the lead writes its frame with what the other queued added, saturating")
    func twoInputsAreSummed() throws {
        let sink = RecordingSink(), mixer = AudioMixer(sink: sink)
        let lead = mixer.input(), other = mixer.input()
        try lead.write([10, 10, 10, 10])              // lead alone: as it is
        try other.write([1, 2, 3])                     // queued
        try lead.write([10, 10, 10, 10])
        try other.write([Int16.max, Int16.min])
        try lead.write([100, -100, 5])
        #expect(sink.frames == [[10, 10, 10, 10], [11, 12, 13, 10], [Int16.max, Int16.min, 5]])
    }

    @Test("An input far ahead of the lead keeps only the newest 60 ms")
    func anInputAheadKeepsTheNewest() throws {
        let sink = RecordingSink(), mixer = AudioMixer(sink: sink)
        let lead = mixer.input(), other = mixer.input()
        try lead.write([Int16](repeating: 0, count: 960))
        for value in 1 ... 5 { try other.write([Int16](repeating: Int16(value), count: 960)) }
        #expect(other.framesDropped == 2)
        try lead.write([Int16](repeating: 0, count: 960))
        #expect(sink.frames.last == [Int16](repeating: 3, count: 960), "frames 1 and 2 were dropped")
    }

    @Test("The lead leaves: the next input writes to the sink; finishing the mixer finishes the sink once")
    func leadLeaves() throws {
        let sink = RecordingSink(), mixer = AudioMixer(sink: sink)
        let lead = mixer.input(), other = mixer.input()
        try lead.write([1])
        try lead.finish()
        #expect(!sink.finished, "an input's finish never closes the shared sink")
        try other.write([2])
        #expect(sink.frames == [[1], [2]])
        try mixer.finish()
        try other.write([3])
        #expect(sink.finished)
        #expect(sink.frames.count == 2, "nothing is written after the mixer finished")
    }

    @Test("A lead that stops writing hands over after 100 ms")
    func silentLeadHandsOver() throws {
        let sink = RecordingSink(), mixer = AudioMixer(sink: sink)
        let lead = mixer.input(), other = mixer.input()
        try lead.write([1])
        try other.write([2])
        #expect(sink.frames == [[1]])
        Thread.sleep(forTimeInterval: 0.15)
        try other.write([3])
        #expect(sink.frames == [[1], [3]])
    }

    @Test("Every branch of a shared microphone gets every frame, in order, until it ends")
    func sharedMicrophone() throws {
        let shared = SharedAudioSource(CountingSource(last: 6))
        let first = shared.branch(), second = shared.branch()
        var seen: ([Int16], [Int16]) = ([], [])
        for _ in 0 ..< 3 {
            seen.0.append(try #require(try first.nextFrameBlocking()).samples[0])
            seen.1.append(try #require(try second.nextFrameBlocking()).samples[0])
        }
        // The second branch reads the device now; the first finds those frames queued.
        seen.1.append(try #require(try second.nextFrameBlocking()).samples[0])
        seen.0.append(try #require(try first.nextFrameBlocking()).samples[0])
        #expect(seen.0 == [1, 2, 3, 4])
        #expect(seen.1 == [1, 2, 3, 4])
        for _ in 0 ..< 2 { _ = try first.nextFrameBlocking() }
        #expect(try first.nextFrameBlocking() == nil)
        #expect(try second.nextFrameBlocking()?.samples[0] == 5)
        #expect(try second.nextFrameBlocking()?.samples[0] == 6)
        #expect(try second.nextFrameBlocking() == nil)
    }

    @Test("A branch that does not read keeps only the newest frames; a branch let go of gets nothing more")
    func laggingAndDetachedBranches() throws {
        let shared = SharedAudioSource(CountingSource(last: 100))
        let reader = shared.branch()
        var idle: AudioSourceBranch? = shared.branch()
        for _ in 0 ..< 10 { _ = try reader.nextFrameBlocking() }
        #expect(idle?.framesDropped == 10 - SharedAudioSource.maxQueuedFrames)
        #expect(try idle?.nextFrameBlocking()?.samples[0] == Int16(10 - SharedAudioSource.maxQueuedFrames + 1))
        idle = nil
        _ = try reader.nextFrameBlocking()
    }

    @Test("Branches on two threads read one device together: each gets every frame once")
    func branchesOnThreads() throws {
        let shared = SharedAudioSource(CountingSource(last: 200))
        let branches = [shared.branch(), shared.branch(), shared.branch()]
        let results = Locked<[Int: [Int16]]>([:])
        let group = DispatchGroup()
        for (index, branch) in branches.enumerated() {
            nonisolated(unsafe) let branch = branch
            group.enter()
            Thread {
                var values: [Int16] = []
                // Each reads in step (sleeping a little) so none falls 3 frames behind.
                while let frame = try? branch.nextFrameBlocking() {
                    values.append(frame.samples[0])
                    usleep(200)
                }
                results.withLock { $0[index] = values }
                group.leave()
            }.start()
        }
        group.wait()
        for (index, values) in results.current {
            #expect(values.count + ((branches[index].framesDropped)) == 200, "branch \(index)")
            #expect(values == values.sorted(), "branch \(index) in order")
        }
    }
}
