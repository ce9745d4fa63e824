import ArgumentParser
import Foundation
import ParleyNode

/// `parley status`: the running node's identity, address and who is online.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the running node: own ID, listen and external address, contacts online.")

    @OptionGroup var profileOptions: ProfileOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let response = try profileOptions.controlClient().request(ControlRequest(command: "status"))
        guard response.ok, let status = response.status else { throw CommandFailure(response.error ?? "status failed") }
        if json {
            try JSONOutput.print(status)
            return
        }
        print("ID      \(status.id)")
        print("Name    \(status.name)")
        print("Listen  \(status.listen)")
        print("Outside \(Self.external(status))")
        print("Online  \(status.contacts.filter(\.online).count) of \(status.contacts.count) contacts")
        guard !status.contacts.isEmpty else { return }
        var table = TextTable("", "NAME", "ID", "TRUST", "LAST SEEN")
        for contact in status.contacts {
            table.add(contact.online ? "●" : "○", contact.name, contact.id, contact.trust,
                      contact.online ? "now" : Formatting.timestamp(contact.lastSeen))
        }
        print(table.rendered)
    }

    /// `198.51.100.20:29172 (mapping, NAT-PMP)`, or `unknown (port mapping off)`.
    static func external(_ status: NodeStatus) -> String {
        let how: String = switch status.portMapping {
        case "off": "port mapping off"
        case "none": "no port mapping"
        default: status.portMapping
        }
        guard let address = status.externalAddress else { return "unknown (\(how))" }
        return "\(address) (\(status.externalAddressSource.rawValue)\(status.externalAddressSource == .mapping ? ", \(how)" : ""))"
    }
}
