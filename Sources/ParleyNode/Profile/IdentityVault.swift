import Foundation
import ParleyCore

#if canImport(Glibc)
import Glibc
#endif

/// Loads the profile's identity, creating it on first use.
///
/// The key and certificate are written to temporary files with mode 0600,
/// flushed to disk and renamed into place, under an exclusive lock so two
/// processes starting at once agree on one identity.
public enum IdentityVault {
    public static func loadOrCreate(at paths: ProfilePaths) throws(ProfileError) -> Identity {
        try paths.createDirectories()
        let lockPath = paths.configDirectory.appending(path: ".identity.lock").path
        let lock = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw .cannotWrite(lockPath, String(cString: strerror(errno))) }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }

        let keyPath = paths.privateKeyFile.path
        let certificatePath = paths.certificateFile.path
        let keyExists = FileManager.default.fileExists(atPath: keyPath)
        let certificateExists = FileManager.default.fileExists(atPath: certificatePath)
        switch (keyExists, certificateExists) {
        case (true, true):
            let keyPEM = try read(keyPath)
            let certificatePEM = try read(certificatePath)
            do {
                return try Identity(privateKeyPEM: keyPEM, certificatePEM: certificatePEM)
            } catch {
                throw .invalidIdentity(String(describing: error))
            }
        case (false, false):
            let identity: Identity
            do {
                identity = try Identity.generate()
            } catch {
                throw .invalidIdentity("cannot create a key pair: \(error)")
            }
            try SecureFile.write(Data(identity.privateKeyPEM.utf8), to: keyPath)
            try SecureFile.write(Data(identity.certificatePEM.utf8), to: certificatePath)
            return identity
        case (true, false):
            throw .incompleteIdentity(missing: certificatePath)
        case (false, true):
            throw .incompleteIdentity(missing: keyPath)
        }
    }

    private static func read(_ path: String) throws(ProfileError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .cannotRead(path, String(describing: error))
        }
    }
}

/// Durable, private file writes: temp file (0600) → fsync → rename → fsync directory.
enum SecureFile {
    static func write(_ data: Data, to path: String) throws(ProfileError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(temporary, String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path, failure)
        }
        let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
