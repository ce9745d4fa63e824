/// Why the node cannot do what was asked.
public enum NodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyRunning(String)
    case cannotListen(String, String)
    case cannotOpenControlSocket(String, String)
    case blocked(String)
    case emptyMessage
    case messageTooLong(Int)
    case nulInMessage
    case unknownCommand(String)
    case missingArgument(String)

    public var description: String {
        switch self {
        case .alreadyRunning(let path):
            "a node is already running for this profile (lock \(path)); use the CLI commands to talk to it"
        case .cannotListen(let address, let detail):
            "cannot listen on \(address) (\(detail)); choose another address with --listen HOST:PORT"
        case .cannotOpenControlSocket(let path, let detail):
            "cannot open the control socket \(path) (\(detail))"
        case .blocked(let name):
            "\(name) is blocked; unblock them first with 'parley contacts unblock \(name)'"
        case .emptyMessage:
            "the message is empty"
        case .messageTooLong(let bytes):
            "the message is \(bytes) bytes long; the limit is 65536 bytes"
        case .nulInMessage:
            "the message contains a NUL character (U+0000), which Parley does not carry; remove it (e.g. tr -d '\\0')"
        case .unknownCommand(let command):
            "the node does not know the command '\(command)'"
        case .missingArgument(let name):
            "the request lacks '\(name)'"
        }
    }
}
