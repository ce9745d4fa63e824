import Foundation
import ParleyCore
#if canImport(Glibc)
import Glibc
#endif

/// Where received files go, and how names are chosen and finalised there.
public struct DownloadFolder: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The `downloads` setting; else, for a profile that lives in one folder (`--home DIR`),
    /// `DIR/downloads`; else `$XDG_DOWNLOAD_DIR/parley`, else `~/Downloads/parley`.
    public static func `default`(configuration: Configuration, profileHome: URL? = nil,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) -> DownloadFolder {
        let home = environment["HOME"] ?? "/tmp"
        if let configured = configuration.values["downloads"], !configured.isEmpty {
            let expanded = configured.hasPrefix("~/") ? home + configured.dropFirst() : configured
            return DownloadFolder(path: expanded)
        }
        if let profileHome { return DownloadFolder(path: profileHome.appending(path: "downloads").path) }
        if let xdg = environment["XDG_DOWNLOAD_DIR"], xdg.hasPrefix("/") {
            return DownloadFolder(path: xdg + "/parley")
        }
        return DownloadFolder(path: home + "/Downloads/parley")
    }

    /// A final path and a part path for `proposedName`, neither of which exists
    /// nor is `reserved` (paths already promised to other transfers).
    func reserve(_ proposedName: String, avoiding reserved: Set<String>) throws -> (final: String, part: String) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw TransferError.cannotWrite(path, String(describing: error))
        }
        let safe = SafeFileName.make(from: proposedName)
        for n in 0..<10_000 {
            let name = n == 0 ? safe : SafeFileName.numbered(safe, n)
            let final = path + "/" + name
            let part = final + ".part"
            let taken = [final, part].contains { FileManager.default.fileExists(atPath: $0) || reserved.contains($0) }
            if taken { continue }
            // Claim the part file atomically: a concurrent accept picking the same name gets EEXIST.
            let fd = open(part, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd >= 0 {
                close(fd)
                return (final, part)
            }
            if errno != EEXIST { throw TransferError.cannotWrite(part, String(cString: strerror(errno))) }
        }
        throw TransferError.cannotWrite(path, "too many files called \(safe)")
    }

    /// Moves a verified part file to its final name without ever replacing an
    /// existing file (a clash gets the next free " (n)" name). Returns the path used.
    static func finalize(part: String, final: String) throws -> String {
        let directory = (final as NSString).deletingLastPathComponent
        let name = (final as NSString).lastPathComponent
        for n in 0..<10_000 {
            let candidate = n == 0 ? final : directory + "/" + SafeFileName.numbered(name, n)
            if link(part, candidate) == 0 {
                unlink(part)
                let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if fd >= 0 {
                    fsync(fd)
                    close(fd)
                }
                return candidate
            }
            let code = errno
            if code == EEXIST { continue }
            if [EPERM, EOPNOTSUPP, EXDEV, EMLINK].contains(code) {
                // No hard links here (FAT, some network file systems): rename, after checking the name is free.
                if FileManager.default.fileExists(atPath: candidate) { continue }
                guard rename(part, candidate) == 0 else {
                    throw TransferError.cannotWrite(candidate, String(cString: strerror(errno)))
                }
                return candidate
            }
            throw TransferError.cannotWrite(candidate, String(cString: strerror(code)))
        }
        throw TransferError.cannotWrite(final, "no free name")
    }
}
