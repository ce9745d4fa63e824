import Foundation
import Testing
@testable import ParleyMedia

@Suite("V4L2 camera (no camera on this machine: the errors are what can be tested)")
struct V4L2CameraTests {
    @Test func aMissingCameraSaysSo() {
        let path = "/dev/video-parley-missing"
        let error = #expect(throws: CameraError.self) { try V4L2CameraSource(path: path) }
        #expect(error == .noCamera(path: path))
        #expect(error?.description.hasPrefix("no camera at \(path)") == true)
    }

    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/dev/video0"), "a camera is attached"))
    func noCameraAtVideo0() {
        let error = #expect(throws: CameraError.self) { try V4L2CameraSource() }
        #expect(error?.description.contains("no camera at /dev/video0") == true)
    }

    @Test func aDeviceThatIsNotACameraIsRefused() {
        let error = #expect(throws: CameraError.self) { try V4L2CameraSource(path: "/dev/null") }
        guard case .unusable(path: "/dev/null", _)? = error else {
            Issue.record("expected .unusable for /dev/null, got \(String(describing: error))")
            return
        }
    }
}
