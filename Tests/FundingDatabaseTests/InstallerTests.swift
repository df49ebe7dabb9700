import Foundation
import Testing

/// Issue 17 item 6: the installer fetches the trixie source package from the Debian mirror the machine's apt
/// sources already use (one-line sources.list / *.list, or deb822 *.sources), never from a host in the script.
@Suite("Installer: Debian mirror from the apt sources", .timeLimit(.minutes(1)))
struct InstallerTests {
    static let script = TestDatabase.repositoryRoot.appendingPathComponent("timescale/install.sh").path

    /// `install.sh --print-mirror` against an apt directory holding `files`; (exit status, stdout).
    static func mirror(_ files: [String: String], codename: String = "bookworm",
                       environment extra: [String: String] = [:]) throws -> (Int32, String) {
        let etc = FileManager.default.temporaryDirectory.appendingPathComponent("apt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: etc) }
        try FileManager.default.createDirectory(at: etc.appendingPathComponent("sources.list.d"),
                                                withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: etc.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let osRelease = etc.appendingPathComponent("os-release")
        try "NAME=\"Debian GNU/Linux\"\nVERSION_CODENAME=\(codename)\n".write(to: osRelease, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "--print-mirror"]
        var env = ProcessInfo.processInfo.environment
        env["FUNDINGD_DEBIAN_MIRROR"] = nil
        env["FUNDINGD_APT_ETC"] = etc.path
        env["FUNDINGD_OS_RELEASE"] = osRelease.path
        env.merge(extra) { _, new in new }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("one-line sources.list: the release's own deb line, options skipped, -updates and -security ignored")
    func oneLine() throws {
        let (status, uri) = try Self.mirror(["sources.list": """
            # deb http://old.example/debian bookworm main
            deb-src http://src.example/debian bookworm main
            deb http://mirror.example/debian-security bookworm-security main
            deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian/ bookworm main contrib
            deb http://other.example/debian bookworm main
            """])
        #expect(status == 0)
        #expect(uri == "http://mirror.example/debian")
    }

    @Test("deb822 .sources: comments and disabled paragraphs skipped, the first URI of the matching paragraph")
    func deb822() throws {
        let (status, uri) = try Self.mirror(["sources.list.d/debian.sources": """
            Types: deb
            # http://snapshot.example/archive/debian/20250520T000000Z
            URIs: http://disabled.example/debian
            Suites: bookworm
            Components: main
            Enabled: no

            Types: deb
            URIs: http://security.example/debian-security
            Suites: bookworm-security
            Components: main

            Types: deb deb-src
            URIs: http://proxy.internal:3142/debian http://second.example/debian
            Suites: bookworm bookworm-updates
            Components: main
            """])
        #expect(status == 0)
        #expect(uri == "http://proxy.internal:3142/debian")
    }

    @Test("no source for the release: a clear failure, no built-in host; FUNDINGD_DEBIAN_MIRROR overrides")
    func noneFound() throws {
        let (status, uri) = try Self.mirror(["sources.list": "deb http://mirror.example/debian trixie main\n"])
        #expect(status != 0)
        #expect(uri.isEmpty)
        let (overridden, given) = try Self.mirror([:], environment: ["FUNDINGD_DEBIAN_MIRROR": "http://given.example/debian"])
        #expect(overridden == 0)
        #expect(given == "http://given.example/debian")
    }
}
