#if canImport(Glibc)
import Glibc
#endif

/// Limits of the node's own process.
public enum ProcessLimits {
    /// Raises the soft limit on open files to the hard limit (at most 1,048,576),
    /// so the connection caps, not the file descriptors, bound what peers can
    /// hold open. Returns the soft limit in force afterwards.
    @discardableResult
    public static func raiseOpenFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        let wanted = min(limit.rlim_max, 1 << 20)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(wanted) }
        }
        return UInt64(limit.rlim_cur)
    }
}
