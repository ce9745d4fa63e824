import ParleyMedia
import ParleyWire

/// The media engine's two-way session as a call's media.
enum CallMediaSessionLeg {
    static func start(_ request: CallMediaRequest) throws -> any CallMediaLeg {
        throw CallError.mediaFailed("the media engine is not wired into calls yet")
    }
}
