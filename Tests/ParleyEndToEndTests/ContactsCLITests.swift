import Foundation
import Testing

/// The contacts CLI, run as a real process on a temporary profile.
@Suite("CLI: identity and contacts")
struct ContactsCLITests {
    @Test func identityIsCreatedOnceWithPrivateFiles() throws {
        let home = try TemporaryHome()
        defer { home.cleanup() }
        let first = try home.contactID()
        #expect(first.split(separator: "-").count == 9)
        #expect(try home.contactID() == first)
        for file in ["identity.key", "identity.crt"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: home.url.appending(path: file).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file) must be private")
        }
        let text = try home.parley("id")
        #expect(text.status == 0)
        #expect(text.stdout.contains(first))
        #expect(text.stdout.contains("29172"))
    }

    @Test func addListRenameVerifyBlockRemove() throws {
        let home = try TemporaryHome(), peer = try TemporaryHome()
        defer { home.cleanup(); peer.cleanup() }
        let peerID = try peer.contactID()

        let added = try home.parley("contacts", "add", peerID.lowercased().replacingOccurrences(of: "-", with: ""),
                                    "--name", "Bob", "--address", "127.0.0.1:4001")
        #expect(added.status == 0, "\(added.stderr)")
        var list = try home.parley("contacts", "list", "--json").json as? [[String: Any]]
        #expect(list?.count == 1)
        #expect(list?.first?["id"] as? String == peerID)
        #expect(list?.first?["addresses"] as? [String] == ["127.0.0.1:4001"])
        #expect(list?.first?["trust"] as? String == "unverified")

        #expect(try home.parley("contacts", "rename", "bob", "Robert").status == 0)
        #expect(try home.parley("contacts", "verify", "Robert").status == 0)
        list = try home.parley("contacts", "list", "--json").json as? [[String: Any]]
        #expect(list?.first?["name"] as? String == "Robert")
        #expect(list?.first?["trust"] as? String == "verified")

        #expect(try home.parley("contacts", "block", peerID).status == 0)
        list = try home.parley("contacts", "list", "--json").json as? [[String: Any]]
        #expect(list?.first?["trust"] as? String == "blocked")
        #expect(try home.parley("contacts", "unblock", "robert").status == 0)

        // Without a terminal, removing needs --yes; addresses can be fixed afterwards.
        let refused = try home.parley("contacts", "remove", "Robert")
        #expect(refused.status == 1 && refused.stderr.contains("--yes"))
        #expect(try home.parley("contacts", "address", "Robert", "add", "192.0.2.7").status == 0)
        #expect((try home.parley("contacts", "address", "Robert", "--json").json as? [String])?.contains("192.0.2.7:29172") == true)
        #expect(try home.parley("contacts", "address", "Robert", "remove", "192.0.2.7").status == 0)
        #expect(try home.parley("contacts", "address", "Robert", "remove", "192.0.2.7").status == 1)
        #expect(try home.parley("contacts", "remove", "Robert", "--yes").status == 0)
        list = try home.parley("contacts", "list", "--json").json as? [[String: Any]]
        #expect(list?.isEmpty == true)
    }

    @Test func removingWithTheHistoryKeptLeavesTheConversationReadable() throws {
        let home = try TemporaryHome(), peer = try TemporaryHome()
        defer { home.cleanup(); peer.cleanup() }
        let peerID = try peer.contactID()
        try home.parley("contacts", "add", peerID, "--name", "bob").requireSuccess()
        try home.parley("send", "bob", "kept for later").requireSuccess()  // no node: stored as queued

        let removed = try home.parley("contacts", "remove", "bob", "--yes", "--keep-history")
        #expect(removed.status == 0 && removed.stdout.contains("parley history bob"), "\(removed.stderr)")
        #expect((try home.parley("contacts", "list", "--json").json as? [[String: Any]])?.isEmpty == true)
        #expect(try home.parley("history", "bob").stdout.contains("me: kept for later"))
        #expect(try home.parley("history", peerID).stdout.contains("me: kept for later"))
        #expect(try home.parley("search", "kept").stdout.contains("me → bob: "))
        #expect(try home.parley("search", "kept", "--contact", "bob").stdout.contains("kept"))
        // No longer a contact: nothing can be sent to it.
        #expect(try home.parley("send", "bob", "hello?").status == 1)
        #expect(try home.parley("contacts", "rename", "bob", "robert").status == 1)

        // Adding the ID again restores the contact with its history.
        try home.parley("contacts", "add", peerID, "--name", "bob").requireSuccess()
        let list = try home.parley("contacts", "list", "--json").json as? [[String: Any]]
        #expect(list?.map { $0["name"] as? String } == ["bob"])
        let history = try home.parley("history", "bob", "--json").json as? [[String: Any]]
        #expect(history?.compactMap { $0["body"] as? String } == ["kept for later"])

        // Removed for good, the history goes too.
        try home.parley("contacts", "remove", "bob", "--yes").requireSuccess()
        #expect(try home.parley("history", "bob").status == 1)
    }

    @Test func profileOptionsMayComeBeforeTheSubcommand() throws {
        let home = try TemporaryHome()
        defer { home.cleanup() }
        let expected = try home.contactID()
        for arguments in [["--home", home.path, "id", "--json"], ["--home=\(home.path)", "id", "--json"]] {
            let result = try runParley(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect((result.json as? [String: Any])?["id"] as? String == expected)
        }
    }

    /// The shipped bash completion, sourced into a real bash: contact names and IDs, transfers and
    /// config keys come from the profile named on the line being completed.
    @Test func bashCompletionOffersContactsAndConfigKeys() throws {
        let home = try TemporaryHome(), carol = try TemporaryHome(), dave = try TemporaryHome()
        defer { home.cleanup(); carol.cleanup(); dave.cleanup() }
        let daveID = try dave.contactID()
        #expect(try home.parley("contacts", "add", try carol.contactID(), "--name", "carol").status == 0)
        #expect(try home.parley("contacts", "add", daveID, "--name", "Dave Smith").status == 0)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "share/completions/parley.bash").path

        func complete(_ words: [String]) throws -> [String] {
            let quoted = ([parleyExecutable.path] + words).map { "'\($0)'" }.joined(separator: " ")
            let bash = Process()
            bash.executableURL = URL(fileURLWithPath: "/bin/bash")
            bash.arguments = ["-c", """
                source '\(script)'
                COMP_WORDS=(\(quoted)); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
                _parley parley "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """]
            let output = Pipe()
            bash.standardOutput = output
            try bash.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            bash.waitUntilExit()
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }

        #expect(try complete(["send", "--home", home.path, "c"]) == ["carol"])
        // A name with spaces is offered as the contact's ID, which needs no quoting.
        #expect(try Set(complete(["history", "--home", home.path, ""])) == ["carol", daveID])
        #expect(try complete(["config", "get", "ring"]) == ["ring_timeout"])
        #expect(try complete(["send", "--home", home.path + "-none", ""]).isEmpty)
        // A contact removed with its history kept is still offered where its history is read.
        #expect(try home.parley("contacts", "remove", daveID, "--yes", "--keep-history").status == 0)
        #expect(try complete(["send", "--home", home.path, ""]) == ["carol"])
        #expect(try Set(complete(["history", "--home", home.path, ""])) == ["carol", daveID])
    }

    @Test func badInputFailsClearlyAndChangesNothing() throws {
        let home = try TemporaryHome(), peer = try TemporaryHome(), other = try TemporaryHome()
        defer { home.cleanup(); peer.cleanup(); other.cleanup() }
        let peerID = try peer.contactID()
        #expect(try home.parley("contacts", "add", peerID, "--name", "Bob").status == 0)
        let before = try home.parley("contacts", "list", "--json").stdout

        // A one-character typo in the ID is caught by the check character.
        var typo = Array(peerID)
        typo[2] = typo[2] == "A" ? "B" : "A"
        let cases: [([String], String)] = [
            (["contacts", "add", String(typo), "--name", "Eve"], "typo"),
            (["contacts", "add", "ABCD-1234", "--name", "Eve"], "36 characters"),
            (["contacts", "add", try other.contactID(), "--name", "bob"], "already called"),
            (["contacts", "add", peerID, "--name", "Bobby"], "already a contact"),
            (["contacts", "add", try home.contactID(), "--name", "Me"], "own ID"),
            (["contacts", "add", try other.contactID(), "--name", "Eve", "--address", "host:99999"], "port"),
            (["contacts", "rename", "nobody", "x"], "no contact"),
            (["contacts", "remove", "nobody"], "no contact"),
            (["contacts", "block", "nobody"], "no contact"),
            (["history", "nobody"], "no contact"),
        ]
        for (arguments, expected) in cases {
            let result = try runParley(arguments + ["--home", home.path])
            #expect(result.status == 1, "\(arguments) exited \(result.status)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one clear sentence: \(result.stderr)")
        }
        let usage = try home.parley("contacts", "add", "--name", "x")
        #expect(usage.status == 2)
        #expect(try home.parley("contacts", "list", "--json").stdout == before)
    }

    @Test func historyAndSearchWorkOnAnEmptyProfile() throws {
        let home = try TemporaryHome(), peer = try TemporaryHome()
        defer { home.cleanup(); peer.cleanup() }
        #expect(try home.parley("contacts", "add", try peer.contactID(), "--name", "Bob").status == 0)
        #expect((try home.parley("history", "Bob", "--json").json as? [Any])?.isEmpty == true)
        #expect((try home.parley("search", "anything", "--json").json as? [Any])?.isEmpty == true)
        #expect(try home.parley("--help").status == 0)
        #expect(try home.parley("history", "Bob", "--limit", "0").status == 2)
    }
}
