import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on the profile held while a node runs, so two nodes
/// never serve one profile (the kernel drops it if the process dies).
final class NodeLock: Sendable {
    private let descriptor: Int32

    init(paths: ProfilePaths) throws {
        try paths.createDirectories()
        let path = paths.dataDirectory.appending(path: "node.lock").path
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ProfileError.cannotWrite(path, String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw NodeError.alreadyRunning(path)
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
