import Foundation
import FundingApp
import Synchronization
import Testing

/// Issue 17 item 3: `fundingd db start` leaves no password in process arguments, logs or world-readable files.
/// Creates a cluster of its own (own directory, a free port found at run time), so it needs no running cluster.
@Suite("Cluster secrets", .timeLimit(.minutes(3)))
struct ClusterSecretsTests {
    /// Every process's arguments, as `ps -eo args` shows them, read straight from /proc in a tight loop on a thread
    /// of its own (faster than spawning `ps`, so a short-lived `psql` is not missed).
    final class ArgumentSampler: Sendable {
        private let samples = Mutex<Set<String>>([])
        private let running = Atomic<Bool>(true)
        private let finished = DispatchSemaphore(value: 0)
        let rounds = Atomic<Int>(0)

        func start() {
            Thread {
                while self.running.load(ordering: .relaxed) {
                    var seen: [String] = []
                    for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
                    where pid.allSatisfy(\.isNumber) {
                        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty
                        else { continue }
                        seen.append(String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self))
                    }
                    self.samples.withLock { $0.formUnion(seen) }
                    self.rounds.wrappingAdd(1, ordering: .relaxed)
                }
                self.finished.signal()
            }.start()
        }

        func stop() -> Set<String> {
            running.store(false, ordering: .relaxed)
            finished.wait()
            return samples.withLock { $0 }
        }
    }

    /// A port nothing listens on, chosen by the kernel.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { throw TestSetupError(description: "no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    @Test("creating, bootstrapping and re-bootstrapping a cluster: no password in any process's arguments, none in a file others can read")
    func noPasswordInArgumentsOrFiles() async throws {
        let home = URL(fileURLWithPath: "/tmp/fundingd-secrets-\(UUID().uuidString.prefix(8))")
        let env = ["FUNDINGD_HOME": home.path, "FUNDINGD_PG_PORT": "\(try Self.freePort())"]
        let cluster = LocalCluster(environment: env)
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: home)
        }
        let sampler = ArgumentSampler()
        sampler.start()
        do {
            try await offload { try cluster.start() }   // initdb, start, roles with passwords, database
            try await offload { try cluster.start() }   // already running: roles and passwords again
        } catch {
            _ = sampler.stop()
            throw error
        }
        let samples = sampler.stop()
        #expect(sampler.rounds.load(ordering: .relaxed) > 10)
        // The sampler did see the cluster's tools at work.
        #expect(samples.contains { $0.contains("initdb") })
        #expect(samples.contains { $0.contains("psql") })

        let passwords = try cluster.state().passwords
        #expect(passwords.count == LocalCluster.Role.allCases.count)
        for (role, password) in passwords {
            let leaks = samples.filter { $0.contains(password) }
            #expect(leaks.isEmpty, "\(role)'s password in process arguments: \(leaks.first?.prefix(200) ?? "")")
        }

        // Files under the cluster's home (the data directory is the server's, mode 0700): a password may only be
        // in files no one else can read.
        let enumerator = FileManager.default.enumerator(at: home, includingPropertiesForKeys: nil)
        var checked = 0
        while let url = enumerator?.nextObject() as? URL {
            if url.path.contains("/pgdata") { continue }
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            checked += 1
            let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int ?? 0o777
            for (role, password) in passwords where text.contains(password) {
                #expect(mode & 0o077 == 0, "\(url.lastPathComponent) holds \(role)'s password with mode \(String(mode, radix: 8))")
                #expect(["cluster.json", "pgpass"].contains(url.lastPathComponent),
                        "\(url.lastPathComponent) holds \(role)'s password")
            }
        }
        #expect(checked >= 3)   // cluster.json, pgpass, postgres.log
        let dataMode = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("pgdata").path)[.posixPermissions] as? Int
        #expect(dataMode.map { $0 & 0o077 } == 0)
    }
}
