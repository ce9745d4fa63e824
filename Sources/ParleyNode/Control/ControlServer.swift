import Foundation
import Logging
import NIOCore
import NIOPosix

/// The node's local control socket: a Unix socket (mode 0600) in the
/// profile directory speaking line-delimited JSON (``ControlRequest`` in,
/// ``ControlResponse`` out). Every connection is served in its own task.
struct ControlServer: Sendable {
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<String, String>, Never>
    private let logger: Logger

    static func bind(path: String, logger: Logger) async throws -> ControlServer {
        unlink(path)  // a socket left by a killed node; the node lock says none is running
        let channel: NIOAsyncChannel<NIOAsyncChannel<String, String>, Never>
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineCodec()))
                        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(LineCodec()))
                        return try NIOAsyncChannel<String, String>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw NodeError.cannotOpenControlSocket(path, String(describing: error))
        }
        chmod(path, 0o600)
        return ControlServer(serverChannel: channel, logger: logger)
    }

    func run(handler: ControlHandler) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await serverChannel.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask {
                        do {
                            try await connection.executeThenClose { lines, replies in
                                for try await line in lines {
                                    if try await handler.handle(line, replies: replies) == .streamEnded { return }
                                }
                            }
                        } catch is LineCodec.LineTooLong {
                            // Say why before the connection goes, so the client is not left guessing.
                            let answer = ControlResponse(ok: false, error: ControlClientError.requestTooLarge(
                                bytes: nil, limit: ControlLimits.maxLineBytes).description)
                            try? await connection.channel.writeAndFlush(ControlCoding.encode(answer))
                            try? await connection.channel.close()
                            logger.notice("control request refused: longer than \(ControlLimits.maxLineBytes) bytes")
                        } catch {
                            logger.debug("control connection ended: \(error)")
                        }
                    }
                }
            }
        }
    }

    func close() async {
        try? await serverChannel.channel.close()
    }
}
